"""The real dev host, serving the real function_app on a free loopback port in a background thread.

API tests talk to it over HTTP like any client. The host's own event loop runs in its thread; `run` submits
coroutines to it for setup or for reading storage state, so the adapters' clients stay on the loop they were
built on.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from devhost.app import KEEP_ALIVE_SECONDS
from devhost.standins.processes import free_port
from shared import wiring
from shared.settings import DEV_WEBPUBSUB_KEY, get_settings

T = TypeVar("T")


class DevHostHandle:
    def __init__(self, data_dir: Path, env: dict[str, str]):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            "APP_ENV": "test",
            "DATA_DIR": str(data_dir),
            "PUBLIC_BASE_URL": self.url,
            "WEBPUBSUB_CONNECTION_STRING": f"Endpoint={self.url};AccessKey={DEV_WEBPUBSUB_KEY};Version=1.0;",
            "REDIS_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}:",
            **env,
        }
        self._saved_env: dict[str, str | None] = {}
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.app: Any = None
        self.api = httpx.Client(base_url=self.url, timeout=60)

    @property
    def devhost(self):
        return self.app.state.devhost

    def start(self) -> DevHostHandle:
        from devhost.app import create_app

        for key, value in self.env.items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        wiring.reset()
        self.app = create_app(get_settings())
        # proxy_headers=False: uvicorn would otherwise take the client address from a loopback client's own
        # X-Forwarded-For, which is exactly the spoofing the rate-limit tests check is impossible.
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", ws="websockets-sansio",
                                proxy_headers=False, lifespan="on", timeout_keep_alive=KEEP_ALIVE_SECONDS)
        self._server = uvicorn.Server(config)
        started = threading.Event()

        def serve() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.loop.call_soon(started.set)
            self.loop.run_until_complete(self._server.serve())
            self.loop.close()

        self._thread = threading.Thread(target=serve, name=f"devhost-{self.port}", daemon=True)
        self._thread.start()
        started.wait(10)
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the dev host did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.api.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(30)
        wiring.reset()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def run(self, factory: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
        """Runs an async callable on the host's loop and returns its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(_call(factory), self.loop).result(timeout)

    def drain(self, timeout: float = 60) -> None:
        self.run(lambda: self.devhost.queue_runner.drain(timeout=timeout), timeout=timeout + 5)

    def run_timer(self, name: str) -> None:
        self.run(lambda: self.devhost.timers.run_now(name))

    def outbox(self, limit: int = 200) -> list[dict[str, Any]]:
        return self.api.get("/dev/api/outbox", params={"limit": limit}).json()

    def events(self, group: str | None = None, type: str | None = None) -> list[dict[str, Any]]:
        """Messages the app published through the realtime port, as {"group", "type", "data"}."""
        found = []
        for delivery in self.devhost.hub.delivered(group=group, type=type):
            message = delivery.data
            if isinstance(message, dict) and "type" in message:
                found.append({"group": delivery.group, "user": delivery.user, "type": message["type"],
                              "data": message.get("data")})
        return found


async def _call(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()
