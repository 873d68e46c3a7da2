"""Awaiting several things at once, typed.

`gather_in_order(a, b)` runs both concurrently, waits for both, and raises the first failure *in argument
order*: callers put the access decision first, so a hidden thing answers 404 whatever the other lookups did,
and a lookup's outcome never leaks past a refusal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar, overload

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")


@overload
async def gather_in_order(a: Awaitable[A], b: Awaitable[B], /) -> tuple[A, B]: ...
@overload
async def gather_in_order(a: Awaitable[A], b: Awaitable[B], c: Awaitable[C], /) -> tuple[A, B, C]: ...


async def gather_in_order(*awaitables: Awaitable[Any]) -> tuple[Any, ...]:
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for outcome in results:
        if isinstance(outcome, BaseException):
            raise outcome
    return tuple(results)
