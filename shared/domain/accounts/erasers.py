"""The registry of account erasers; erasure.py has the job that runs them.

Apart from erasure.py, and importing nothing of the app, because `function_app` registers every area's eraser
while it loads: each is named by dotted path and imported only when an erasure job runs.

    register_eraser("models", "shared.domain.models.erasure:erase_user_models")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shared.lazy import import_target

Eraser = Callable[[str], Awaitable[None]]
_erasers: dict[str, Eraser | str] = {}


def register_eraser(name: str, fn: Eraser | str) -> None:
    """Adds (or replaces, for re-imports) the eraser called `name`: an async function of the user id, or the
    "package.module:function" path of one."""
    _erasers[name] = fn


def registered_erasers() -> dict[str, Eraser]:
    """Every eraser in registration order, those given by path imported now."""
    return {name: import_target(fn) for name, fn in _erasers.items()}
