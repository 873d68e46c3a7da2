"""Documents port on Azure Cosmos DB (NoSQL API) through the async azure-cosmos SDK (the azure stack).

Every container is partitioned on /pk. The SDK is imported inside methods so that importing this module (and the
function app) stays cheap. Queries always carry `c.pk = @pk` in the SQL when a partition is given: real Cosmos uses
it to route, and the local stand-in ignores the partition-key header. Comparisons carry a type check
(IS_NUMBER(x) AND x > @v): on Cosmos that changes nothing (a comparison across types is undefined anyway), and it
makes the stand-in, which compares like JavaScript, agree.

Throttling (429, "request rate is large") is retried by the SDK itself, which waits the `x-ms-retry-after-ms` each
answer names, within the budget from settings (`COSMOS_THROTTLE_RETRY_ATTEMPTS`, `COSMOS_THROTTLE_MAX_WAIT_SECONDS`).
Past the budget, or when the account cannot be reached at all, a call raises DependencyUnavailable("documents"):
a 503 with Retry-After. A throttled transactional batch applies none of its operations.

With a key (the emulator, or a key-based account) the adapter creates the database and containers on first use
and adds composite indexes that multi-field ORDER BY needs. With managed identity (no key) the data plane cannot
create resources: the database, the containers and their indexes must come from infra (Bicep).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.adapters import documents_rules as rules
from shared.errors import BadRequest, Conflict, DependencyUnavailable, NotFound, PreconditionFailed
from shared.ports import BatchOp, Page, Patch, Query, Where

_STRIPPED = ("_rid", "_self", "_attachments", "_lsn")


def _strip(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _STRIPPED}


def _ref(field_path: str) -> str:
    # Bracket notation: property names like "value" or "order" are reserved words in Cosmos SQL.
    return "c" + "".join(f'["{part}"]' for part in rules.check_field(field_path))


def _type_check(ref: str, value: Any) -> str:
    if value is None:
        return f"IS_NULL({ref})"
    if isinstance(value, bool):
        return f"IS_BOOL({ref})"
    if isinstance(value, int | float):
        return f"IS_NUMBER({ref})"
    if isinstance(value, str):
        return f"IS_STRING({ref})"
    return f"(IS_ARRAY({ref}) OR IS_OBJECT({ref}))"


def _same_kind(values: Sequence[Any]) -> bool:
    kinds = {_type_check("x", v) for v in values}
    return len(kinds) == 1 and values[0] is not None


def compile_where(where: Sequence[Where], bind: Callable[[Any], str]) -> list[str]:
    """Cosmos SQL conditions; bind(value) returns a parameter name or a literal."""
    out = []
    for w in where:
        ref = _ref(w.field)
        if w.op == "defined":
            out.append(f"IS_DEFINED({ref})")
        elif w.op == "undefined":
            out.append(f"NOT IS_DEFINED({ref})")
        elif w.op == "=":
            out.append(f"IS_NULL({ref})" if w.value is None
                       else f"({_type_check(ref, w.value)} AND {ref} = {bind(w.value)})")
        elif w.op == "!=":
            out.append("false" if w.value is None
                       else f"({_type_check(ref, w.value)} AND {ref} != {bind(w.value)})")
        elif w.op in ("<", "<=", ">", ">="):
            out.append(f"({_type_check(ref, w.value)} AND {ref} {w.op} {bind(w.value)})")
        elif w.op == "in":
            values = list(w.value)
            if not values:
                out.append("false")
            elif _same_kind(values):
                out.append(f"({_type_check(ref, values[0])} AND {ref} IN ({', '.join(bind(v) for v in values)}))")
            else:
                parts = [f"IS_NULL({ref})" if v is None else f"({_type_check(ref, v)} AND {ref} = {bind(v)})"
                         for v in values]
                out.append("(" + " OR ".join(parts) + ")")
        elif w.op == "array_contains":
            out.append(f"(IS_ARRAY({ref}) AND ARRAY_CONTAINS({ref}, {bind(w.value)}))")
        elif w.op == "starts_with":
            out.append(f"(IS_STRING({ref}) AND STARTSWITH({ref}, {bind(w.value)}))")
        else:
            raise ValueError(f"unknown operator {w.op!r}")
    return out


class _Parameters:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def bind(self, value: Any) -> str:
        name = f"@p{len(self.items)}"
        self.items.append({"name": name, "value": value})
        return name


def _literal(value: Any) -> str:
    """A Cosmos SQL literal (filter predicates take no parameters); JSON literals are valid Cosmos SQL."""
    return json.dumps(value, ensure_ascii=True, allow_nan=False)


def _select(container_where: list[str], order_by: Sequence[tuple[str, str]] = (), head: str = "SELECT *") -> str:
    sql = f"{head} FROM c"
    if container_where:
        sql += " WHERE " + " AND ".join(container_where)
    if order_by:
        sql += " ORDER BY " + ", ".join(f"{_ref(f)} {d.upper()}" for f, d in order_by)
    return sql


@dataclass
class _LoopState:
    """SDK clients belong to the event loop that made them (aiohttp sessions), so they are kept per loop."""

    loop: asyncio.AbstractEventLoop
    client: Any
    credential: Any
    database: Any = None
    containers: dict[str, Any] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


DEFAULT_THROTTLE_RETRY_ATTEMPTS = 6
DEFAULT_THROTTLE_MAX_WAIT_SECONDS = 8.0


def _retry_after_seconds(exc: Exception, fallback: float = 1.0) -> float:
    headers = getattr(exc, "headers", None) or getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return max(fallback, float(str(headers.get("x-ms-retry-after-ms"))) / 1000)
    except ValueError:  # absent ("None") or not a number
        return fallback


def _unreachable(exc: Exception) -> bool:
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    return isinstance(exc, ServiceRequestError | ServiceResponseError | OSError | asyncio.TimeoutError)


class CosmosDocuments:
    def __init__(self, endpoint: str, key: str = "", database: str = "topicsflow", *,
                 credential_factory: Callable[[], Any] | None = None,
                 throttle_retry_attempts: int = DEFAULT_THROTTLE_RETRY_ATTEMPTS,
                 throttle_max_wait_seconds: float = DEFAULT_THROTTLE_MAX_WAIT_SECONDS,
                 client_options: dict[str, Any] | None = None):
        """`client_options` go to the SDK's CosmosClient as they are (tests pass a `transport` there)."""
        if not endpoint:
            raise ValueError("cosmos_endpoint is not set")
        if throttle_retry_attempts < 1 or throttle_max_wait_seconds <= 0:
            raise ValueError("the throttling budget needs at least one attempt and a positive wait")
        self.endpoint = endpoint
        self.key = key
        self.database_name = database
        self._credential_factory = credential_factory
        # The SDK's own throttling retry: it honours each 429's x-ms-retry-after-ms until either bound is reached.
        self._client_options = {"retry_throttle_total": throttle_retry_attempts,
                                "retry_throttle_backoff_max": throttle_max_wait_seconds, **(client_options or {})}
        self._state: _LoopState | None = None

    @classmethod
    def from_settings(cls, s: Any) -> CosmosDocuments:
        factory: Callable[[], Any] | None = None
        if not s.cosmos_key:
            def identity() -> Any:
                from azure.identity.aio import DefaultAzureCredential

                return DefaultAzureCredential()

            factory = identity
        return cls(s.cosmos_endpoint, s.cosmos_key, s.cosmos_database, credential_factory=factory,
                   throttle_retry_attempts=s.cosmos_throttle_retry_attempts,
                   throttle_max_wait_seconds=s.cosmos_throttle_max_wait_seconds)

    @property
    def manages_resources(self) -> bool:
        """With a key the adapter may create databases, containers and indexes; with an identity it may not."""
        return bool(self.key)

    # -- clients -------------------------------------------------------------------------------------------

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop or self._state.loop.is_closed():
            from azure.cosmos.aio import CosmosClient

            if self.key:
                credential: Any = self.key
            elif self._credential_factory is not None:
                credential = self._credential_factory()
            else:
                raise ValueError("set cosmos_key, or give a credential factory for an Entra ID identity")
            client = CosmosClient(self.endpoint, credential=credential, **self._client_options)
            self._state = _LoopState(loop=loop, client=client, credential=None if self.key else credential)
        return self._state

    async def _database(self, state: _LoopState) -> Any:
        if state.database is None:
            if self.manages_resources:
                state.database = await state.client.create_database_if_not_exists(self.database_name)
            else:
                state.database = state.client.get_database_client(self.database_name)
        return state.database

    async def _container(self, name: str) -> Any:
        rules.check_container(name)
        state = self._loop_state()
        found = state.containers.get(name)
        if found is not None:
            return found
        async with state.lock:
            if name not in state.containers:
                database = await self._database(state)
                if self.manages_resources:
                    from azure.cosmos import PartitionKey

                    container = await database.create_container_if_not_exists(
                        id=name, partition_key=PartitionKey(path="/pk"))
                else:
                    container = database.get_container_client(name)
                state.containers[name] = container
            return state.containers[name]

    async def close(self) -> None:
        state, self._state = self._state, None
        if state is not None and not state.loop.is_closed():
            await state.client.close()
            if state.credential is not None:
                await state.credential.close()

    async def drop_database(self) -> None:
        """Tests only: remove the whole database."""
        state = self._loop_state()
        from azure.cosmos.exceptions import CosmosResourceNotFoundError

        try:
            await state.client.delete_database(self.database_name)
        except CosmosResourceNotFoundError:
            pass
        state.database, state.containers = None, {}

    # -- errors ---------------------------------------------------------------------------------------------

    @staticmethod
    def _translate(exc: Exception, *, precondition_code: str = "document_changed",
                   bad_code: str = "invalid_request") -> Exception:
        from azure.cosmos import exceptions as cx

        if isinstance(exc, cx.CosmosResourceNotFoundError):
            return NotFound("Document not found.", code="document_not_found")
        if isinstance(exc, cx.CosmosResourceExistsError):
            return Conflict("A document with this id already exists.", code="document_exists")
        if isinstance(exc, cx.CosmosAccessConditionFailedError):
            return PreconditionFailed("The document changed since it was read.", code=precondition_code)
        status = getattr(exc, "status_code", None)
        if status == 429:  # still throttled after the SDK's retry budget
            return DependencyUnavailable("documents", retry_after=_retry_after_seconds(exc), reason="throttled")
        if status in (503, 504):
            return DependencyUnavailable("documents", retry_after=_retry_after_seconds(exc))
        if status == 404:
            return NotFound("Document not found.", code="document_not_found")
        if status == 409:
            return Conflict("A document with this id already exists.", code="document_exists")
        if status == 412:
            return PreconditionFailed("The document changed since it was read.", code=precondition_code)
        if status == 400:
            return BadRequest("The store refused the request.", code=bad_code)
        return exc

    async def _call(self, coro_factory: Callable[[], Any], **translate: str) -> Any:
        from azure.cosmos.exceptions import CosmosHttpResponseError

        try:
            return await coro_factory()
        except CosmosHttpResponseError as exc:
            mapped = self._translate(exc, **translate)
            if mapped is exc:
                raise
            raise mapped from exc
        except Exception as exc:
            if _unreachable(exc):
                raise DependencyUnavailable("documents") from exc
            raise

    @staticmethod
    def _etag_kwargs(if_match: str | None) -> dict[str, Any]:
        if if_match is None:
            return {}
        from azure.core import MatchConditions

        return {"etag": if_match, "match_condition": MatchConditions.IfNotModified}

    # -- the port -------------------------------------------------------------------------------------------

    async def create(self, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        clean = rules.clean_document(doc)
        c = await self._container(container)
        return _strip(await self._call(lambda: c.create_item(body=clean)))

    @staticmethod
    def _check_key(pk: Any, id: Any) -> None:
        # An id with "/" would change the request URL; no stored document can have one anyway.
        if not rules.storable_key(pk, id):
            raise NotFound("Document not found.", code="document_not_found")

    async def read(self, container: str, pk: str, id: str) -> dict[str, Any]:
        self._check_key(pk, id)
        c = await self._container(container)
        return _strip(await self._call(lambda: c.read_item(item=id, partition_key=pk)))

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        wanted = list(dict.fromkeys((pk, id) for pk, id in keys if rules.storable_key(pk, id)))
        if not wanted:
            return []
        c = await self._container(container)
        found = await self._call(lambda: c.read_items(items=[(id, pk) for pk, id in wanted]))
        by_key = {(d["pk"], d["id"]): _strip(d) for d in found}
        return [by_key[k] for k in wanted if k in by_key]

    async def upsert(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        clean = rules.clean_document(doc)
        c = await self._container(container)
        if if_match is None:
            return _strip(await self._call(lambda: c.upsert_item(body=clean)))
        try:
            # An upsert that expects a version is a replace: the document must still be the one read.
            return _strip(await self._call(lambda: c.replace_item(item=clean["id"], body=clean,
                                                                  **self._etag_kwargs(if_match))))
        except NotFound as exc:
            raise PreconditionFailed("The document changed since it was read.", code="document_changed") from exc

    async def replace(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        clean = rules.clean_document(doc)
        c = await self._container(container)
        return _strip(await self._call(lambda: c.replace_item(item=clean["id"], body=clean,
                                                              **self._etag_kwargs(if_match))))

    async def delete(self, container: str, pk: str, id: str, *, if_match: str | None = None) -> None:
        self._check_key(pk, id)
        c = await self._container(container)
        await self._call(lambda: c.delete_item(item=id, partition_key=pk, **self._etag_kwargs(if_match)))

    async def patch(self, container: str, pk: str, id: str, ops: Sequence[Patch], *,
                    if_match: str | None = None, condition: Sequence[Where] = ()) -> dict[str, Any]:
        rules.check_patch(ops)
        rules.check_where(condition)
        self._check_key(pk, id)
        operations = [{"op": op.op, "path": op.path} if op.op == "remove"
                      else {"op": op.op, "path": op.path, "value": op.value} for op in ops]
        kwargs = self._etag_kwargs(if_match)
        if condition:
            kwargs["filter_predicate"] = "FROM c WHERE " + " AND ".join(compile_where(condition, _literal))
        code = "condition_failed" if condition and if_match is None else "document_changed"
        c = await self._container(container)
        return _strip(await self._call(
            lambda: c.patch_item(item=id, partition_key=pk, patch_operations=operations, **kwargs),
            precondition_code=code, bad_code="invalid_patch"))

    async def query(self, container: str, query: Query = Query(), *, pk: str | None = None,
                    limit: int = 100, continuation: str | None = None) -> Page:
        rules.check_query(query, limit)
        fingerprint = rules.query_fingerprint(container, query, pk)
        token = rules.decode_token(fingerprint, continuation) if continuation else None
        if continuation and (not isinstance(token, str) or not token):
            raise BadRequest("The cursor is invalid or belongs to another query.", code="invalid_cursor")
        params = _Parameters()
        where = [f"c.pk = {params.bind(pk)}"] if pk is not None else []
        where += compile_where(query.where, params.bind)
        sql = _select(where, query.order_by)
        c = await self._container(container)

        items: list[dict[str, Any]] = []
        while True:
            # Resume from the SDK's token for as many items as the page still lacks: Cosmos may answer short pages.
            want = limit - len(items)
            page_items, token = await self._page(c, sql, params.items, pk, want, token, query.order_by)
            items += [_strip(d) for d in page_items]
            if not token or len(items) >= limit:
                break
        return Page(items=items, continuation=rules.encode_token(fingerprint, token) if token else None)

    async def _page(self, c: Any, sql: str, parameters: list[dict[str, Any]], pk: str | None, want: int,
                    token: str | None, order_by: Sequence[tuple[str, str]]) -> tuple[list[dict[str, Any]], str | None]:
        from azure.cosmos.exceptions import CosmosHttpResponseError

        kwargs: dict[str, Any] = {"query": sql, "parameters": parameters, "max_item_count": want}
        if pk is not None:
            kwargs["partition_key"] = pk
        for attempt in (1, 2):
            try:
                pager = c.query_items(**kwargs).by_page(token)
                page = await pager.__anext__()
                return [d async for d in page], pager.continuation_token
            except StopAsyncIteration:
                return [], None
            except CosmosHttpResponseError as exc:
                if (attempt == 1 and exc.status_code == 400 and len(order_by) > 1 and self.manages_resources
                        and "composite" in str(exc).lower()):
                    await self._add_composite_index(c, order_by)
                    continue
                if exc.status_code == 400 and token is not None:
                    raise BadRequest("The cursor is invalid or belongs to another query.",
                                     code="invalid_cursor") from exc
                mapped = self._translate(exc, bad_code="invalid_query")
                if mapped is exc:
                    raise
                raise mapped from exc
            except Exception as exc:
                if _unreachable(exc):
                    raise DependencyUnavailable("documents") from exc
                raise
        raise AssertionError("unreachable")

    async def _add_composite_index(self, c: Any, order_by: Sequence[tuple[str, str]]) -> None:
        """Multi-field ORDER BY needs a composite index; add it (and its mirror) to the container's policy."""
        from azure.cosmos import PartitionKey

        props = await c.read()
        policy = props.get("indexingPolicy") or {"indexingMode": "consistent", "includedPaths": [{"path": "/*"}]}
        wanted = [{"path": "/" + f.replace(".", "/"), "order": "ascending" if d == "asc" else "descending"}
                  for f, d in order_by]
        mirror = [{**p, "order": "descending" if p["order"] == "ascending" else "ascending"} for p in wanted]
        composites = policy.setdefault("compositeIndexes", [])
        for index in (wanted, mirror):
            if index not in composites:
                composites.append(index)
        database = await self._database(self._loop_state())
        await database.replace_container(c, partition_key=PartitionKey(path="/pk"), indexing_policy=policy)

    async def count(self, container: str, where: Sequence[Where] = (), *, pk: str | None = None) -> int:
        rules.check_where(where)
        params = _Parameters()
        conditions = [f"c.pk = {params.bind(pk)}"] if pk is not None else []
        conditions += compile_where(where, params.bind)
        sql = _select(conditions, head="SELECT VALUE COUNT(1)")
        c = await self._container(container)
        kwargs: dict[str, Any] = {"query": sql, "parameters": params.items}
        if pk is not None:
            kwargs["partition_key"] = pk

        async def run() -> int:
            return sum([n async for n in c.query_items(**kwargs)])

        return await self._call(run, bad_code="invalid_query")

    async def batch(self, container: str, pk: str, ops: Sequence[BatchOp]) -> list[dict[str, Any] | None]:
        from azure.cosmos.exceptions import CosmosBatchOperationError

        rules.check_batch(pk, ops)
        operations: list[tuple] = []
        for op in ops:
            etag = {"if_match_etag": op.if_match} if op.if_match is not None else {}
            if op.op in ("create", "upsert", "replace"):
                assert op.doc is not None  # rules.check_batch refused an operation without its document
                doc = rules.clean_document(op.doc)
                if op.op == "create":
                    operations.append(("create", (doc,)))
                elif op.op == "upsert" and op.if_match is None:
                    operations.append(("upsert", (doc,)))
                else:  # replace, or an upsert that expects a version (see upsert)
                    operations.append(("replace", (doc["id"], doc), etag))
            elif op.op == "delete":
                operations.append(("delete", (op.id,), etag))
            else:
                operations.append(("read", (op.id,)))
        c = await self._container(container)
        try:
            results = await c.execute_item_batch(batch_operations=operations, partition_key=pk)
        except CosmosBatchOperationError as exc:
            failing = ops[exc.error_index] if exc.error_index is not None and exc.error_index < len(ops) else None
            status = exc.status_code
            if status == 404 and failing is not None and failing.op == "upsert":
                status = 412
            if status == 429:
                raise DependencyUnavailable("documents", retry_after=_retry_after_seconds(exc),
                                            reason="throttled") from exc
            raise self._batch_error(status) from exc
        except Exception as exc:
            from azure.cosmos.exceptions import CosmosHttpResponseError

            if isinstance(exc, CosmosHttpResponseError):
                mapped = self._translate(exc, bad_code="invalid_batch")
                if mapped is not exc:
                    raise mapped from exc
            elif _unreachable(exc):
                raise DependencyUnavailable("documents") from exc
            raise
        out: list[dict[str, Any] | None] = []
        for op, result in zip(ops, results, strict=True):
            body = result.get("resourceBody") if isinstance(result, dict) else None
            out.append(None if op.op == "delete" or body is None else _strip(body))
        return out

    @staticmethod
    def _batch_error(status: int | None) -> Exception:
        if status == 404:
            return NotFound("Document not found.", code="document_not_found")
        if status == 409:
            return Conflict("A document with this id already exists.", code="document_exists")
        if status == 412:
            return PreconditionFailed("The document changed since it was read.", code="document_changed")
        return BadRequest("The store refused the batch.", code="invalid_batch")
