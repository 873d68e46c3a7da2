"""Runs the dev hub on uvicorn in a thread, on a free loopback port, for the hub's tests.

The app also serves an upstream event receiver at /upstream (used when a test asks for upstream events), so the
hub's CloudEvents really travel over HTTP. Tests talk to the hub with the official SDKs and clients; they reach
into the hub's state only through `RunningHub.call` (which runs on the server's loop) or the delivery log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devhost.hub import HubState, hub_routes
from shared.settings import DEV_WEBPUBSUB_KEY, Settings

HUB = "chat"


@dataclass
class UpstreamCall:
    method: str
    headers: dict[str, str]
    body: bytes

    @property
    def ce_type(self) -> str:
        return self.headers.get("ce-type", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """The app's event handler, as far as the hub can tell. `answer(call)` decides each reply."""

    calls: list[UpstreamCall] = field(default_factory=list)
    answer: Callable[[UpstreamCall], Response] | None = None
    allowed_origin: str = "*"

    async def handle(self, request: Request) -> Response:
        call = UpstreamCall(request.method, {k.lower(): v for k, v in request.headers.items()}, await request.body())
        if request.method == "OPTIONS":
            return Response(status_code=200, headers={"WebHook-Allowed-Origin": self.allowed_origin})
        self.calls.append(call)
        if self.answer is not None:
            return self.answer(call)
        return Response(status_code=204)

    def of_type(self, ce_type: str) -> list[UpstreamCall]:
        return [c for c in self.calls if c.ce_type == ce_type]


@dataclass
class RunningHub:
    state: HubState
    receiver: Receiver
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    loop: asyncio.AbstractEventLoop

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def connection_string(self, key: str = DEV_WEBPUBSUB_KEY) -> str:
        return f"Endpoint={self.endpoint};AccessKey={key};Version=1.0;"

    def call(self, make: Callable[[], Any], timeout: float = 10) -> Any:
        """Runs make() on the hub's loop (make may return a coroutine) and returns its result."""

        async def run() -> Any:
            result = make()
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def start_hub(*, upstream: bool = False, upstream_path: str = "/upstream", reconnect_window_seconds: float = 60.0,
              user_event_pattern: str = "*",
              system_events: tuple[str, ...] = ("connect", "connected", "disconnected")) -> RunningHub:
    """upstream=True sends events to upstream_path on the same server (the Receiver serves /upstream)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    state = HubState(reconnect_window_seconds=reconnect_window_seconds)
    receiver = Receiver()
    settings = Settings(webpubsub_connection_string=f"Endpoint=http://127.0.0.1:{port};AccessKey={DEV_WEBPUBSUB_KEY};"
                                                    "Version=1.0;",
                        public_base_url=f"http://127.0.0.1:{port}")
    upstream_url = f"http://127.0.0.1:{port}{upstream_path}" if upstream else None
    loops: list[asyncio.AbstractEventLoop] = []

    @contextlib.asynccontextmanager
    async def lifespan(app):
        loops.append(asyncio.get_running_loop())
        yield
        await state.close()

    routes = [*hub_routes(state, settings, upstream_url=upstream_url, user_event_pattern=user_event_pattern,
                          system_events=system_events),
              Route("/upstream", receiver.handle, methods=["POST", "OPTIONS"])]
    app = Starlette(routes=routes, lifespan=lifespan)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not (server.started and loops):
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the hub did not start")
        time.sleep(0.02)
    return RunningHub(state, receiver, port, server, thread, loops[0])


async def eventually(check: Callable[[], Any], timeout: float = 10, interval: float = 0.02) -> Any:
    """Polls check() until it returns something truthy; fails with the last value after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


RELIABLE = "json.reliable.webpubsub.azure.v1"
JSON = "json.webpubsub.azure.v1"


class RawClient:
    """A bare WebSocket speaking the JSON subprotocols by hand, to check frames exactly."""

    def __init__(self, ws: Any, connected: dict[str, Any] | None):
        self.ws = ws
        self.connected = connected

    @property
    def connection_id(self) -> str:
        return self.connected["connectionId"]

    async def next(self, timeout: float = 5) -> Any:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        return json.loads(frame) if isinstance(frame, str) and self.ws.subprotocol else frame

    async def send(self, **message: Any) -> None:
        await self.ws.send(json.dumps(message))

    async def nothing_within(self, seconds: float) -> bool:
        try:
            frame = await asyncio.wait_for(self.ws.recv(), seconds)
        except TimeoutError:
            return True
        raise AssertionError(f"expected no frame, got {frame!r}")

    async def close(self) -> None:
        await self.ws.close()


async def connect_raw(url: str, protocol: str | None = RELIABLE, *, expect_connected: bool = True,
                      **kwargs: Any) -> RawClient:
    """Opens a socket; for PubSub protocols also reads the `connected` system message first."""
    from websockets.asyncio.client import connect

    ws = await connect(url, subprotocols=[protocol] if protocol else None, open_timeout=5, **kwargs)
    connected = None
    if protocol and expect_connected:
        connected = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert connected["type"] == "system" and connected["event"] == "connected", connected
    return RawClient(ws, connected)
