"""Named checkpoints inside a job where tests install behaviour (raise, wait, count) in the running host.

This is the failure-injection seam: production code calls `checkpoint(...)` at fixed points and nothing is
installed, so each call is a dictionary lookup. Tests install hooks in the host process (via `host.run`), which
exercises the real worker, queue and stores rather than a mock of them.

Points: "loaded" (input parsed, before fitting), "fitting" (inside the worker thread, just before the fit; its
hooks must be synchronous), "fitted" (before the artifact is written), "version_written" (version document
stored, before the model and job are updated), "predicted" (batch predictions computed).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from shared.domain.models.documents import JobDoc

Hook = Callable[[JobDoc], Awaitable[None] | None]
_hooks: dict[str, list[Hook]] = {}


def install(point: str, hook: Hook) -> Callable[[], None]:
    _hooks.setdefault(point, []).append(hook)

    def remove() -> None:
        if hook in _hooks.get(point, []):
            _hooks[point].remove(hook)

    return remove


def clear() -> None:
    _hooks.clear()


async def checkpoint(point: str, job: JobDoc) -> None:
    for hook in list(_hooks.get(point, ())):
        result = hook(job)
        if inspect.isawaitable(result):
            await result


def checkpoint_in_thread(point: str, job: JobDoc) -> None:
    """For points inside worker threads, where there is no event loop to await on."""
    for hook in list(_hooks.get(point, ())):
        hook(job)
