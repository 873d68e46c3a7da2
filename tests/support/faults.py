"""Dependencies made to fail inside a running dev host, the way they fail in production.

    with queue_down(host) as queue:        # every send raises QueueUnavailable, as after the SDK's retries
    with cache_down(host):                 # the real Redis adapter, on a server that does not answer
    with hub_down(host):                   # the real Web PubSub adapter, on an endpoint that refuses connections
    with store_throttled(host, "patch", "posts") as throttle:   # 429s with x-ms-retry-after-ms

Each installs its failing port with `wiring.override` inside the host (through `host.run`, so clients are built
on the host's loop) and puts the working one back at the end. The cache and the hub use their real adapters
pointed at a closed port (the azure stack's Redis) or a fake server that is disconnected (fakeredis on the
embedded stack). Throttling on the azure stack goes through an azure-core transport under the Cosmos SDK, so the
SDK's own throttling retry runs and honours the header; on the embedded stack a wrapper raises what the Cosmos
adapter raises once that budget is spent.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from devhost.standins.processes import free_port
from shared import wiring
from shared.settings import DEV_WEBPUBSUB_KEY


class BrokenQueue:
    """A TaskQueue that refuses every send while `down`, and passes them to the real one otherwise."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.down = True
        self.refused: Counter[str] = Counter()
        self.sent: Counter[str] = Counter()

    async def send(self, queue: str, body: dict[str, Any], *, message_id: str | None = None,
                   scheduled_at: datetime | None = None, application_properties: dict[str, Any] | None = None) -> None:
        from shared.adapters.queue_message import QueueUnavailable

        if self.down:
            self.refused[queue] += 1
            raise QueueUnavailable()
        await self.inner.send(queue, body, message_id=message_id, scheduled_at=scheduled_at,
                              application_properties=application_properties)
        self.sent[queue] += 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def queue_down(host) -> Iterator[BrokenQueue]:
    """The task queue refuses sends inside the block; after it, sends go through (the same wrapper keeps counting)."""

    async def install() -> BrokenQueue:
        broken = BrokenQueue(wiring.queue())
        wiring.override("queue", broken)
        return broken

    broken = host.run(install)
    try:
        yield broken
    finally:
        broken.down = False


def restore_queue(host, broken: BrokenQueue) -> None:
    async def restore() -> None:
        wiring.override("queue", broken.inner)

    host.run(restore)


def _closed_port_url() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


@contextmanager
def cache_down(host) -> Iterator[None]:
    """Sessions, rate limits and idempotency keys live in a Redis that does not answer."""
    from shared.adapters import kv_redis
    from shared.domain.platform import health

    async def install() -> tuple[Any, Any]:
        from shared.domain.accounts.sessions import SessionStore

        working = wiring.kv(), wiring.sessions()
        if host.env.get("APP_STACK") == "azure":
            url = _closed_port_url()
            dead = kv_redis.RedisKeyValue(prefix=working[0].prefix, factory=lambda: kv_redis._real_client(url))
        else:
            import fakeredis

            server = fakeredis.FakeServer()
            server.connected = False  # fakeredis then fails every command with redis.ConnectionError
            dead = kv_redis.RedisKeyValue(prefix=working[0].prefix, factory=lambda: kv_redis._fake_client(server))
        wiring.override("kv", dead)
        wiring.override("sessions", SessionStore(dead, idle_seconds=working[1].idle,
                                                 absolute_seconds=working[1].absolute))
        health._last_report = None
        return working

    kv, sessions = host.run(install)
    try:
        yield
    finally:
        async def restore() -> None:
            wiring.override("kv", kv)
            wiring.override("sessions", sessions)
            health._last_report = None

        host.run(restore)


@contextmanager
def hub_down(host) -> Iterator[None]:
    """The realtime port speaks to a Web PubSub endpoint where nothing listens."""
    from shared.adapters.realtime_webpubsub import WebPubSubRealtime

    async def install() -> Any:
        working = wiring.realtime()
        dead = WebPubSubRealtime.from_connection_string(
            f"Endpoint=http://127.0.0.1:{free_port()};AccessKey={DEV_WEBPUBSUB_KEY};Version=1.0;", hub="topicsflow")
        wiring.override("realtime", dead)
        return working, dead

    working, dead = host.run(install)
    try:
        yield
    finally:
        async def restore() -> None:
            wiring.override("realtime", working)
            await dead.close()

        host.run(restore)


# ---------------------------------------------------------------------------------------------------------
# document store throttling


class Throttle:
    """Which calls are throttled (a documents-port method on a container) and how many times it happened."""

    def __init__(self, method: str, container: str, retry_after_ms: int):
        self.method = method
        self.container = container
        self.retry_after_ms = retry_after_ms
        self.active = True
        self.throttled = 0  # answers with 429 (azure: each SDK attempt; embedded: each call)

    def matches(self, method: str, container: str) -> bool:
        return self.active and method == self.method and container == self.container


class FaultyDocuments:
    """Embedded stack: raises what the Cosmos adapter raises once its throttling budget is spent."""

    def __init__(self, inner: Any, throttle: Throttle):
        self.inner = inner
        self.throttle = throttle

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if name not in ("create", "read", "read_many", "upsert", "replace", "delete", "patch", "query", "count",
                        "batch"):
            return attribute

        async def call(container: str, *args: Any, **kwargs: Any) -> Any:
            if self.throttle.matches(name, container):
                from shared.errors import DependencyUnavailable

                self.throttle.throttled += 1
                raise DependencyUnavailable("documents", retry_after=self.throttle.retry_after_ms / 1000,
                                            reason="throttled")
            return await attribute(container, *args, **kwargs)

        return call


def _cosmos_call(request: Any) -> tuple[str, str] | None:
    """(documents-port method, container) of a Cosmos REST request, for the calls the tests throttle."""
    from urllib.parse import urlsplit

    parts = urlsplit(request.url).path.strip("/").split("/")
    if len(parts) < 4 or parts[2] != "colls":
        return None
    container = parts[3]
    method = request.method.upper()
    headers = {k.lower(): v for k, v in request.headers.items()}
    if method == "POST" and len(parts) == 5 and parts[4] == "docs":
        if headers.get("x-ms-cosmos-is-batch-request", "").lower() == "true":
            return "batch", container
        if headers.get("x-ms-documentdb-isquery", "").lower() == "true":
            return "query", container
        return "create", container
    if len(parts) == 6 and parts[4] == "docs":
        return {"PATCH": "patch", "PUT": "replace", "DELETE": "delete", "GET": "read"}.get(method, ""), container
    return None


def throttling_transport(throttle: Throttle) -> Any:
    """An azure-core transport that answers the throttled calls itself with 429 + x-ms-retry-after-ms (as Cosmos
    does when a partition is over its throughput) and sends everything else to the real service."""
    from azure.core.pipeline.transport import AioHttpTransport, AsyncHttpResponse
    from azure.core.utils import case_insensitive_dict

    class Throttled(AsyncHttpResponse):
        def __init__(self, request: Any):
            super().__init__(request, None)
            self.status_code = 429
            self.reason = "Too Many Requests"
            self.content_type = "application/json"
            self.headers = case_insensitive_dict({
                "Content-Type": "application/json", "x-ms-retry-after-ms": str(throttle.retry_after_ms),
                "x-ms-substatus": "3200", "x-ms-activity-id": "00000000-0000-0000-0000-000000000000"})
            self._body = json.dumps({"code": "TooManyRequests", "message": "Request rate is large."}).encode()

        def body(self) -> bytes:
            return self._body

        async def load_body(self) -> None:
            return None

        def stream_download(self, pipeline: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

    class ThrottlingTransport(AioHttpTransport):
        async def send(self, request: Any, **kwargs: Any) -> Any:
            call = _cosmos_call(request)
            if call is not None and throttle.matches(*call):
                throttle.throttled += 1
                return Throttled(request)
            return await super().send(request, **kwargs)

    return ThrottlingTransport()


@contextmanager
def store_throttled(host, method: str, container: str, *, retry_after_ms: int = 30, attempts: int = 3,
                    max_wait_seconds: float = 1.0) -> Iterator[Throttle]:
    """Calls of `method` on `container` are throttled inside the block. On the azure stack a fresh Cosmos adapter
    with this retry budget (`attempts`, `max_wait_seconds`) and the throttling transport replaces the port."""
    throttle = Throttle(method, container, retry_after_ms)

    async def install() -> tuple[Any, Any]:
        working = wiring.documents()
        if host.env.get("APP_STACK") == "azure":
            from shared.adapters.documents_cosmos import CosmosDocuments

            throttled: Any = CosmosDocuments(working.endpoint, working.key, working.database_name,
                                             throttle_retry_attempts=attempts,
                                             throttle_max_wait_seconds=max_wait_seconds,
                                             client_options={"transport": throttling_transport(throttle)})
        else:
            throttled = FaultyDocuments(working, throttle)
        wiring.override("documents", throttled)
        return working, throttled

    working, throttled = host.run(install)
    try:
        yield throttle
    finally:
        throttle.active = False

        async def restore() -> None:
            wiring.override("documents", working)
            if throttled is not working and hasattr(throttled, "close") and not isinstance(throttled,
                                                                                          FaultyDocuments):
                await throttled.close()

        host.run(restore)
