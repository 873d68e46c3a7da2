"""Readiness: each dependency answers a cheap call within a short timeout, all at once; and what this worker
could not do on its own since it started: realtime events dropped (the hub was unreachable) and outbox relays
that failed (left to the relay timer). The counters are per worker instance, like the logs they mirror."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Literal, TypedDict

from shared import wiring
from shared.domain.platform.models import DependencyStatus, WorkerCounters
from shared.errors import NotFound
from shared.ports import Query
from shared.settings import get_settings

PROBE_TIMEOUT_SECONDS = 3.0
# Load balancers and orchestrators poll health often; one probe round per interval protects the dependencies.
REPORT_TTL_SECONDS = 2.0


class HealthReport(TypedDict):
    """The readiness answer (functions/platform's HealthPublic)."""

    status: Literal["ok", "degraded"]
    stack: str
    version: str
    dependencies: dict[str, DependencyStatus]


class HealthWithCounters(HealthReport):
    counters: WorkerCounters


_last_report: tuple[float, int, HealthReport] | None = None


def worker_counters() -> WorkerCounters:
    from shared.domain import events, outbox

    return WorkerCounters(dropped_events=dict(events.dropped_events), outbox_relayed=dict(outbox.relayed),
                          outbox_failed_attempts=dict(outbox.relay_failures))


async def _documents() -> str:
    store = wiring.documents()
    try:
        await store.query("health", Query(), pk="probe", limit=1)
    except NotFound:
        pass
    return type(store).__name__


async def _blobs() -> str:
    store = wiring.blobs()
    await store.list("health", prefix="probe")
    return type(store).__name__


async def _kv() -> str:
    store = wiring.kv()
    if not await store.ping():
        raise ConnectionError("no PONG")
    return type(store).__name__


async def _ready(port: Callable[[], object]) -> str:
    adapter = port()
    ready = getattr(adapter, "ready", None)
    if ready is not None and not await ready():
        raise ConnectionError("not ready")
    return type(adapter).__name__


PROBES: dict[str, Callable[[], Awaitable[str]]] = {
    "documents": _documents,
    "blobs": _blobs,
    "cache": _kv,
    "queue": lambda: _ready(wiring.queue),
    "realtime": lambda: _ready(wiring.realtime),
    "mail": lambda: _ready(wiring.mailer),
}


async def _probe(name: str, probe: Callable[[], Awaitable[str]]) -> tuple[str, DependencyStatus]:
    started = time.perf_counter()
    try:
        adapter = await asyncio.wait_for(probe(), PROBE_TIMEOUT_SECONDS)
        status = "ok"
    except Exception:
        adapter, status = "", "unavailable"
    return name, DependencyStatus(status=status, adapter=adapter,
                                  latency_ms=round((time.perf_counter() - started) * 1000, 2))


async def check_dependencies() -> HealthWithCounters:
    global _last_report
    settings_id = id(get_settings())  # a new settings object (tests switching hosts) starts afresh
    if _last_report and _last_report[1] == settings_id and time.monotonic() - _last_report[0] < REPORT_TTL_SECONDS:
        report = _last_report[2]
    else:
        report = await _probe_all()
        _last_report = (time.monotonic(), settings_id, report)
    return {**report, "counters": worker_counters()}


async def _probe_all() -> HealthReport:
    settings = get_settings()
    results = dict(await asyncio.gather(*(_probe(name, probe) for name, probe in PROBES.items())))
    overall = "ok" if all(r.status == "ok" for r in results.values()) else "degraded"
    return {"status": overall, "stack": settings.app_stack, "version": settings.app_version, "dependencies": results}
