"""Typed containers: the documents port's `dict[str, Any]` as each area's own document types.

Each area describes what it stores as TypedDicts in its `documents.py` (topics, posts, users, models, ...) and
reads and writes a container through a `Container[Doc]` declared there. The port stays untyped (it stores any
JSON); the `cast` below is the one place where a stored document becomes the area's type, which holds because
only the area writes that container. Documents come back with the adapters' `_etag` and `_ts` (declared in
`Stored`), so the TypedDicts that describe them inherit from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NotRequired, TypedDict, TypeVar, cast

from shared import wiring
from shared.errors import NotFound
from shared.ports import BatchKind, BatchOp, Patch, Query, Where

D = TypeVar("D")


class Stored(TypedDict):
    """What every stored document has: its id and partition key, and the adapters' system fields once read."""

    id: str
    pk: str
    _etag: NotRequired[str]
    _ts: NotRequired[int]


@dataclass(frozen=True)
class DocPage(Generic[D]):
    items: list[D]
    continuation: str | None


class Container(Generic[D]):
    """One container of the documents port whose documents are all `D` (a TypedDict, or a union of them)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    async def create(self, doc: D) -> D:
        return cast(D, await wiring.documents().create(self.name, _raw(doc)))

    async def read(self, pk: str, id: str) -> D:
        return cast(D, await wiring.documents().read(self.name, pk, id))

    async def find(self, pk: str, id: str) -> D | None:
        """The document, or None when it is absent."""
        try:
            return await self.read(pk, id)
        except NotFound:
            return None

    async def read_many(self, keys: Sequence[tuple[str, str]]) -> list[D]:
        return cast(list[D], await wiring.documents().read_many(self.name, keys))

    async def upsert(self, doc: D, *, if_match: str | None = None) -> D:
        return cast(D, await wiring.documents().upsert(self.name, _raw(doc), if_match=if_match))

    async def replace(self, doc: D, *, if_match: str | None = None) -> D:
        return cast(D, await wiring.documents().replace(self.name, _raw(doc), if_match=if_match))

    async def delete(self, pk: str, id: str, *, if_match: str | None = None) -> None:
        await wiring.documents().delete(self.name, pk, id, if_match=if_match)

    async def patch(self, pk: str, id: str, ops: Sequence[Patch], *, if_match: str | None = None,
                    condition: Sequence[Where] = ()) -> D:
        return cast(D, await wiring.documents().patch(self.name, pk, id, ops, if_match=if_match,
                                                      condition=condition))

    async def query(self, query: Query = Query(), *, pk: str | None = None, limit: int = 100,
                    continuation: str | None = None) -> DocPage[D]:
        page = await wiring.documents().query(self.name, query, pk=pk, limit=limit, continuation=continuation)
        return DocPage(items=cast(list[D], page.items), continuation=page.continuation)

    async def count(self, where: Sequence[Where] = (), *, pk: str | None = None) -> int:
        return await wiring.documents().count(self.name, where, pk=pk)

    async def batch(self, pk: str, ops: Sequence[BatchOp]) -> list[D | None]:
        return cast(list[D | None], await wiring.documents().batch(self.name, pk, ops))

    def op(self, kind: BatchKind, doc: D, *, if_match: str | None = None) -> BatchOp:
        """A batch operation that writes `doc`."""
        return BatchOp(kind, doc=_raw(doc), if_match=if_match)

    def __repr__(self) -> str:
        return f"Container({self.name!r})"


def without_system_fields(doc: D) -> D:
    """A copy of a document read from the store without the adapters' `_etag` and `_ts`, to write it back."""
    return cast(D, {k: v for k, v in cast(Mapping[str, Any], doc).items() if not k.startswith("_")})


def _raw(doc: Any) -> dict[str, Any]:
    """A TypedDict is a plain dict at run time: what the port takes."""
    return doc
