"""A dev host with small model limits, so they can be reached in a test, that delivers queue messages only when
a test drains the queue. Users come from the real sign-up flow; as sign-up drains the queues (for its mail),
tests make their users before they queue jobs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import stack_env
from tests.support.devhost import DevHostHandle

MODELS_ENV = {
    "QUEUE_MAX_DELIVERY_COUNT": "3",
    "MODELS_JOB_HEARTBEAT_SECONDS": "0.05",
    "MODELS_MAX_PER_USER": "50",
    "MODELS_INLINE_MAX_ROWS": "600",
    "MODELS_PREDICT_MAX_ROWS": "40",
    "MODELS_UPLOAD_MAX_BYTES": "200000",
}


@pytest.fixture(scope="module")
def host(request, tmp_path_factory, stand_ins) -> Iterator[DevHostHandle]:
    """A test module may set MODELS_ENV_OVERRIDES (e.g. tighter quotas) for its own host."""
    env = {**stack_env(stand_ins), **MODELS_ENV, **getattr(request.module, "MODELS_ENV_OVERRIDES", {})}
    handle = DevHostHandle(Path(tmp_path_factory.mktemp("devhost")), env).start()
    # Messages are delivered only by host.drain() here, never by the background poller, so a test decides
    # exactly when a job runs (and a queued job stays queued until then).
    handle.run(lambda: handle.devhost.queue_runner.stop())
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(autouse=True)
def no_installed_faults(host) -> Iterator[None]:
    yield
    from shared.domain.models import faults

    async def clear() -> None:
        faults.clear()

    host.run(clear)
