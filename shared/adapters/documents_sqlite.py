"""Documents port on one SQLite file (the embedded stack).

Every container shares one table; a document is its JSON text plus (container, pk, id, etag). All work runs on
one dedicated thread with one connection, so coroutines never share a connection between threads and every
read-modify-write (patch, if-match checks, batch) is a single serialised transaction. Other processes on the
same file are kept out by BEGIN IMMEDIATE plus a busy timeout (WAL lets their readers carry on).

Filters follow Cosmos semantics: a comparison between different JSON types, or with a missing field, is
undefined and excludes the document; booleans are not numbers. Paging is keyset paging on (order keys, row
sequence), so inserts and deletes between pages never make a page skip or repeat an unchanged document.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from shared.adapters import documents_rules as rules
from shared.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from shared.ports import BatchOp, Page, Patch, Query, Where

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY,
    container TEXT NOT NULL,
    pk TEXT NOT NULL,
    id TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (container, pk, id)
);
"""

# Cosmos orders undefined < null < false < true < numbers < strings; arrays and objects come last here.
_TYPE_RANK = ("CASE json_type(body, {p}) WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 3 "
              "WHEN 'integer' THEN 4 WHEN 'real' THEN 4 WHEN 'text' THEN 5 WHEN 'array' THEN 6 "
              "WHEN 'object' THEN 7 ELSE 0 END")
_SQL_OP = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


class _Params:
    """Named SQL parameters, so one value (a JSON path) can be used several times."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"


def _json_path(field: str) -> str:
    return "$." + ".".join(rules.check_field(field))


def _typed_equal(kind: str, val: str, value: Any, params: _Params) -> str:
    """SQL true when the JSON value described by (kind = json type, val = extracted value) equals value."""
    if value is None:
        return f"{kind} = 'null'"
    if isinstance(value, bool):
        return f"{kind} = '{'true' if value else 'false'}'"
    if isinstance(value, int | float):
        return f"({kind} IN ('integer', 'real') AND {val} = {params.add(value)})"
    if isinstance(value, str):
        return f"({kind} = 'text' AND {val} = {params.add(value)})"
    return f"({kind} IN ('array', 'object') AND {val} = json({params.add(json.dumps(value))}))"


def _type_guard(kind: str, value: Any) -> str:
    if value is None:
        return f"{kind} = 'null'"
    if isinstance(value, bool):
        return f"{kind} IN ('true', 'false')"
    if isinstance(value, int | float):
        return f"{kind} IN ('integer', 'real')"
    return f"{kind} = 'text'"


def _condition(w: Where, params: _Params) -> str:
    path = params.add(_json_path(w.field))
    kind, val = f"json_type(body, {path})", f"json_extract(body, {path})"
    if w.op == "defined":
        return f"{kind} IS NOT NULL"
    if w.op == "undefined":
        return f"{kind} IS NULL"
    if w.op == "=":
        return _typed_equal(kind, val, w.value, params)
    if w.op == "!=":
        if w.value is None:
            return "0"  # null != null is false; null against any other type is undefined
        return f"({_type_guard(kind, w.value)} AND {val} != {params.add(w.value)})"
    if w.op in _SQL_OP:
        return f"({_type_guard(kind, w.value)} AND {val} {_SQL_OP[w.op]} {params.add(w.value)})"
    if w.op == "in":
        options = [_typed_equal(kind, val, v, params) for v in w.value]
        return "(" + " OR ".join(options) + ")" if options else "0"
    if w.op == "array_contains":
        inner = _typed_equal("je.type", "je.value", w.value, params)
        return f"({kind} = 'array' AND EXISTS (SELECT 1 FROM json_each(body, {path}) AS je WHERE {inner}))"  # noqa: S608
    if w.op == "starts_with":
        prefix = params.add(w.value)
        return f"({kind} = 'text' AND substr({val}, 1, length({prefix})) = {prefix})"
    raise ValueError(f"unknown operator {w.op!r}")


def _where_sql(container: str, pk: str | None, where: Sequence[Where], params: _Params) -> str:
    clauses = [f"container = {params.add(container)}"]
    if pk is not None:
        clauses.append(f"pk = {params.add(pk)}")
    clauses += [_condition(w, params) for w in where]
    return " AND ".join(clauses)


def _with_system_fields(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    etag = str(uuid.uuid4())
    return {**body, "_etag": etag, "_ts": int(time.time())}, etag


class SqliteDocuments:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="documents-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = threading.Event()

    @classmethod
    def from_settings(cls, s: Any) -> SqliteDocuments:
        return cls(Path(s.data_dir) / "documents.sqlite3")

    # -- plumbing ------------------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    async def _run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool) -> T:
        if self._closed.is_set():
            raise RuntimeError("the documents store is closed")

        def job() -> T:
            conn = self._connection()
            if not write:
                return fn(conn)
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

        return await asyncio.get_running_loop().run_in_executor(self._executor, job)

    async def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()

        def shut() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        await asyncio.get_running_loop().run_in_executor(self._executor, shut)
        self._executor.shutdown(wait=True)

    # -- single-document steps, run inside a transaction on the worker thread --------------------------------

    @staticmethod
    def _current(conn: sqlite3.Connection, container: str, pk: str, id: str) -> tuple[dict[str, Any], str] | None:
        row = conn.execute("SELECT body, etag FROM documents WHERE container = ? AND pk = ? AND id = ?",
                           (container, pk, id)).fetchone()
        return (json.loads(row[0]), row[1]) if row else None

    @staticmethod
    def _insert(conn: sqlite3.Connection, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        stored, etag = _with_system_fields(doc)
        try:
            conn.execute("INSERT INTO documents (container, pk, id, etag, body) VALUES (?, ?, ?, ?, ?)",
                         (container, doc["pk"], doc["id"], etag, json.dumps(stored)))
        except sqlite3.IntegrityError as exc:
            raise Conflict("A document with this id already exists.", code="document_exists") from exc
        return stored

    @staticmethod
    def _update(conn: sqlite3.Connection, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        stored, etag = _with_system_fields(doc)
        conn.execute("UPDATE documents SET etag = ?, body = ? WHERE container = ? AND pk = ? AND id = ?",
                     (etag, json.dumps(stored), container, doc["pk"], doc["id"]))
        return stored

    def _do_create(self, conn: sqlite3.Connection, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        return self._insert(conn, container, doc)

    def _do_read(self, conn: sqlite3.Connection, container: str, pk: str, id: str) -> dict[str, Any]:
        found = self._current(conn, container, pk, id)
        if found is None:
            raise NotFound("Document not found.", code="document_not_found")
        return found[0]

    def _do_upsert(self, conn: sqlite3.Connection, container: str, doc: dict[str, Any],
                   if_match: str | None) -> dict[str, Any]:
        found = self._current(conn, container, doc["pk"], doc["id"])
        if if_match is not None and (found is None or found[1] != if_match):
            # An expected version that is gone or different is the same failure: the caller's copy is stale.
            raise PreconditionFailed("The document changed since it was read.", code="document_changed")
        if found is None:
            return self._insert(conn, container, doc)
        return self._update(conn, container, doc)

    def _do_replace(self, conn: sqlite3.Connection, container: str, doc: dict[str, Any],
                    if_match: str | None) -> dict[str, Any]:
        found = self._current(conn, container, doc["pk"], doc["id"])
        if found is None:
            raise NotFound("Document not found.", code="document_not_found")
        if if_match is not None and found[1] != if_match:
            raise PreconditionFailed("The document changed since it was read.", code="document_changed")
        return self._update(conn, container, doc)

    def _do_delete(self, conn: sqlite3.Connection, container: str, pk: str, id: str, if_match: str | None) -> None:
        found = self._current(conn, container, pk, id)
        if found is None:
            raise NotFound("Document not found.", code="document_not_found")
        if if_match is not None and found[1] != if_match:
            raise PreconditionFailed("The document changed since it was read.", code="document_changed")
        conn.execute("DELETE FROM documents WHERE container = ? AND pk = ? AND id = ?", (container, pk, id))

    # -- the port --------------------------------------------------------------------------------------------

    async def create(self, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        rules.check_container(container)
        clean = rules.clean_document(doc)
        return await self._run(lambda c: self._do_create(c, container, clean), write=True)

    async def read(self, container: str, pk: str, id: str) -> dict[str, Any]:
        rules.check_container(container)
        return await self._run(lambda c: self._do_read(c, container, pk, id), write=False)

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        rules.check_container(container)
        wanted = list(dict.fromkeys((pk, id) for pk, id in keys))

        def work(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            out = []
            for pk, id in wanted:
                found = self._current(conn, container, pk, id)
                if found is not None:
                    out.append(found[0])
            return out

        return await self._run(work, write=False) if wanted else []

    async def upsert(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        rules.check_container(container)
        clean = rules.clean_document(doc)
        return await self._run(lambda c: self._do_upsert(c, container, clean, if_match), write=True)

    async def replace(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        rules.check_container(container)
        clean = rules.clean_document(doc)
        return await self._run(lambda c: self._do_replace(c, container, clean, if_match), write=True)

    async def delete(self, container: str, pk: str, id: str, *, if_match: str | None = None) -> None:
        rules.check_container(container)
        await self._run(lambda c: self._do_delete(c, container, pk, id, if_match), write=True)

    async def patch(self, container: str, pk: str, id: str, ops: Sequence[Patch], *,
                    if_match: str | None = None, condition: Sequence[Where] = ()) -> dict[str, Any]:
        rules.check_container(container)
        rules.check_patch(ops)
        rules.check_where(condition)

        def work(conn: sqlite3.Connection) -> dict[str, Any]:
            found = self._current(conn, container, pk, id)
            if found is None:
                raise NotFound("Document not found.", code="document_not_found")
            body, etag = found
            if if_match is not None and etag != if_match:
                raise PreconditionFailed("The document changed since it was read.", code="document_changed")
            if condition:
                params = _Params()
                sql = _where_sql(container, pk, condition, params)
                params.values["the_id"] = id
                if conn.execute(f"SELECT 1 FROM documents WHERE {sql} AND id = :the_id",  # noqa: S608 - built from checked parts
                                params.values).fetchone() is None:
                    raise PreconditionFailed("The document does not meet the condition.", code="condition_failed")
            patched = rules.apply_patch({k: v for k, v in body.items() if k not in rules.SYSTEM_FIELDS}, ops)
            return self._update(conn, container, patched)

        return await self._run(work, write=True)

    async def query(self, container: str, query: Query = Query(), *, pk: str | None = None,
                    limit: int = 100, continuation: str | None = None) -> Page:
        rules.check_container(container)
        rules.check_query(query, limit)
        fingerprint = rules.query_fingerprint(container, query, pk)
        after = rules.decode_token(fingerprint, continuation) if continuation else None
        if after is not None and (not isinstance(after, list) or len(after) != 2 * len(query.order_by) + 1):
            raise BadRequest("The cursor is invalid or belongs to another query.", code="invalid_cursor")

        params = _Params()
        where = _where_sql(container, pk, query.where, params)
        keys: list[tuple[str, str]] = []  # (column, direction): rank and value per order field, then seq
        columns = []
        for i, (field, direction) in enumerate(query.order_by):
            path = params.add(_json_path(field))
            columns += [f"{_TYPE_RANK.format(p=path)} AS r{i}", f"coalesce(json_extract(body, {path}), 0) AS v{i}"]
            keys += [(f"r{i}", direction), (f"v{i}", direction)]
        keys.append(("seq", "asc"))
        outer = ""
        if after is not None:
            # Lexicographic "comes after the last row" over keys with per-key direction.
            ors = []
            for n, (col, direction) in enumerate(keys):
                equal = [f"{keys[m][0]} = {params.add(after[m])}" for m in range(n)]
                cmp = ">" if direction == "asc" else "<"
                ors.append("(" + " AND ".join([*equal, f"{col} {cmp} {params.add(after[n])}"]) + ")")
            outer = "WHERE " + " OR ".join(ors)
        order = ", ".join(f"{col} {direction.upper()}" for col, direction in keys)
        key_cols = ", ".join(col for col, _ in keys)
        sql = (f"SELECT body, {key_cols} FROM (SELECT seq, body{''.join(', ' + c for c in columns)} "  # noqa: S608
               f"FROM documents WHERE {where}) {outer} ORDER BY {order} LIMIT {params.add(limit + 1)}")

        def work(conn: sqlite3.Connection) -> Page:
            rows = conn.execute(sql, params.values).fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            token = rules.encode_token(fingerprint, list(rows[-1][1:])) if more else None
            return Page(items=[json.loads(r[0]) for r in rows], continuation=token)

        return await self._run(work, write=False)

    async def count(self, container: str, where: Sequence[Where] = (), *, pk: str | None = None) -> int:
        rules.check_container(container)
        rules.check_where(where)
        params = _Params()
        sql = f"SELECT COUNT(*) FROM documents WHERE {_where_sql(container, pk, where, params)}"  # noqa: S608
        return await self._run(lambda c: c.execute(sql, params.values).fetchone()[0], write=False)

    async def batch(self, container: str, pk: str, ops: Sequence[BatchOp]) -> list[dict[str, Any] | None]:
        rules.check_container(container)
        rules.check_batch(pk, ops)
        docs = [rules.clean_document(op.doc) if op.doc is not None else None for op in ops]

        def work(conn: sqlite3.Connection) -> list[dict[str, Any] | None]:
            results: list[dict[str, Any] | None] = []
            for op, doc in zip(ops, docs, strict=True):
                # rules.check_batch refused any operation without the document or id it needs
                if op.op in ("create", "upsert", "replace"):
                    assert doc is not None
                    if op.op == "create":
                        results.append(self._do_create(conn, container, doc))
                    elif op.op == "upsert":
                        results.append(self._do_upsert(conn, container, doc, op.if_match))
                    else:
                        results.append(self._do_replace(conn, container, doc, op.if_match))
                    continue
                assert op.id is not None
                if op.op == "delete":
                    self._do_delete(conn, container, pk, op.id, op.if_match)
                    results.append(None)
                else:
                    results.append(self._do_read(conn, container, pk, op.id))
            return results

        return await self._run(work, write=True)
