"""Counting store calls: a wrapper around the documents port that counts every call, per method and container.

Shared by the communities suites (topics, posts, comments, notifications): written by F1, used by F2 too.
It is the real adapter underneath (SQLite or Cosmos), only counted, so the numbers are what production pays.

    with count_store_calls(host) as calls:
        api.get("/api/topics", params={"limit": 5})
    assert calls.total == 3, calls.summary()

`count_store_calls(host)` installs the wrapper inside the running dev host (through `host.run`) and puts the
plain adapter back at the end. Calls made by timers firing on their schedule meanwhile are not counted (a timer
run on purpose with `host.run_timer` is). `CountingDocuments(inner)` can also wrap an adapter directly in domain tests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from shared import wiring
from shared.ports import BatchOp, Documents, Page, Patch, Query, Where


class CountingDocuments:
    """Implements the Documents port by delegating to `inner`, counting each call."""

    def __init__(self, inner: Documents):
        self.inner = inner
        self.by_method: Counter[str] = Counter()
        self.by_container: Counter[str] = Counter()
        self.log: list[tuple[str, str]] = []

    @property
    def total(self) -> int:
        return sum(self.by_method.values())

    def reset(self) -> None:
        self.by_method.clear()
        self.by_container.clear()
        self.log.clear()

    def summary(self) -> str:
        return ", ".join(f"{method} {container}" for method, container in self.log) or "no store calls"

    def _hit(self, method: str, container: str) -> None:
        from devhost.timers import scheduled_timer

        if scheduled_timer.get() is not None:  # a timer firing in the background is not what is being measured
            return
        self.by_method[method] += 1
        self.by_container[container] += 1
        self.log.append((method, container))

    async def create(self, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        self._hit("create", container)
        return await self.inner.create(container, doc)

    async def read(self, container: str, pk: str, id: str) -> dict[str, Any]:
        self._hit("read", container)
        return await self.inner.read(container, pk, id)

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        self._hit("read_many", container)
        return await self.inner.read_many(container, keys)

    async def upsert(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        self._hit("upsert", container)
        return await self.inner.upsert(container, doc, if_match=if_match)

    async def replace(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        self._hit("replace", container)
        return await self.inner.replace(container, doc, if_match=if_match)

    async def delete(self, container: str, pk: str, id: str, *, if_match: str | None = None) -> None:
        self._hit("delete", container)
        return await self.inner.delete(container, pk, id, if_match=if_match)

    async def patch(self, container: str, pk: str, id: str, ops: Sequence[Patch], *, if_match: str | None = None,
                    condition: Sequence[Where] = ()) -> dict[str, Any]:
        self._hit("patch", container)
        return await self.inner.patch(container, pk, id, ops, if_match=if_match, condition=condition)

    async def query(self, container: str, query: Query = Query(), *, pk: str | None = None, limit: int = 100,
                    continuation: str | None = None) -> Page:
        self._hit("query", container)
        return await self.inner.query(container, query, pk=pk, limit=limit, continuation=continuation)

    async def count(self, container: str, where: Sequence[Where] = (), *, pk: str | None = None) -> int:
        self._hit("count", container)
        return await self.inner.count(container, where, pk=pk)

    async def batch(self, container: str, pk: str, ops: Sequence[BatchOp]) -> list[dict[str, Any] | None]:
        self._hit("batch", container)
        return await self.inner.batch(container, pk, ops)

    def __getattr__(self, name: str) -> Any:  # close() and anything adapter-specific
        return getattr(self.inner, name)


@contextmanager
def count_store_calls(host: Any) -> Iterator[CountingDocuments]:
    """Counts the documents calls the dev host makes inside the block (all requests, so keep it to one)."""

    async def install() -> CountingDocuments:
        counter = CountingDocuments(wiring.documents())
        wiring.override("documents", counter)
        return counter

    counter = host.run(install)
    try:
        yield counter
    finally:
        async def uninstall() -> None:
            wiring.override("documents", counter.inner)

        host.run(uninstall)
