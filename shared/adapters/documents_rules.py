"""Rules both documents adapters share, so SQLite cannot accept what Cosmos would refuse.

Document shape, id and field-path checks, the patch limits, the batch limit and the continuation-token wrapper
live here; the query semantics themselves are each adapter's job (and the contract suite checks they agree).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from shared.errors import BadRequest
from shared.ports import Patch, Query, Where

SYSTEM_FIELDS = frozenset({"_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"})
MAX_BATCH_OPS = 100  # Cosmos transactional batch limit
MAX_PATCH_OPS = 10  # Cosmos patch limit
MAX_PAGE_SIZE = 1000

_CONTAINER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_ID_FORBIDDEN = re.compile(r"[/\\?#]")  # Cosmos refuses these in ids
_VALUE_OPS = {"=", "!=", "<", "<=", ">", ">=", "in", "array_contains", "starts_with"}
_RANGE_OPS = {"<", "<=", ">", ">="}


def check_container(name: str) -> str:
    if not isinstance(name, str) or not _CONTAINER.match(name):
        raise ValueError(f"invalid container name {name!r}")
    return name


def check_key(pk: Any, id: Any) -> None:
    if not isinstance(pk, str) or not pk:
        raise BadRequest("A document needs a non-empty string partition key.", code="invalid_document")
    if not isinstance(id, str) or not id or len(id) > 255 or _ID_FORBIDDEN.search(id):
        raise BadRequest("A document id must be 1-255 characters without / \\ ? #.", code="invalid_document")


def storable_key(pk: Any, id: Any) -> bool:
    """False for a key no document can have: such reads, deletes and patches are simply NotFound."""
    return (isinstance(pk, str) and bool(pk) and isinstance(id, str) and 0 < len(id) <= 255
            and not _ID_FORBIDDEN.search(id))


def clean_document(doc: dict[str, Any]) -> dict[str, Any]:
    """A deep copy without system fields, after checking id and pk."""
    if not isinstance(doc, dict):
        raise BadRequest("A document must be a JSON object.", code="invalid_document")
    check_key(doc.get("pk"), doc.get("id"))
    return {k: copy.deepcopy(v) for k, v in doc.items() if k not in SYSTEM_FIELDS}


def check_field(field: str) -> list[str]:
    """A dotted field path as its parts; only plain identifiers, so no adapter has to quote anything."""
    if not isinstance(field, str) or not _FIELD.match(field):
        raise ValueError(f"invalid field path {field!r}")
    return field.split(".")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def check_where(where: Sequence[Where]) -> None:
    for w in where:
        check_field(w.field)
        if w.op in _RANGE_OPS:
            if isinstance(w.value, bool) or not isinstance(w.value, int | float | str):
                raise ValueError(f"{w.op} needs a number or a string, got {w.value!r}")
        elif w.op == "in":
            if not isinstance(w.value, list | tuple) or not all(_is_scalar(v) for v in w.value):
                raise ValueError("'in' needs a list of scalar values")
        elif w.op == "starts_with":
            if not isinstance(w.value, str):
                raise ValueError("starts_with needs a string")
        elif w.op in ("=", "!="):
            if not _is_scalar(w.value):
                raise ValueError(f"{w.op} compares scalar values only")
        elif w.op == "array_contains":
            pass  # any JSON value
        elif w.op not in ("defined", "undefined"):
            raise ValueError(f"unknown operator {w.op!r}")


def check_query(query: Query, limit: int) -> None:
    check_where(query.where)
    for field, direction in query.order_by:
        check_field(field)
        if direction not in ("asc", "desc"):
            raise ValueError(f"order direction must be asc or desc, not {direction!r}")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")


# ------------------------------------------------------------------------------------------------------------
# patch paths ("/a/b/0", "/tags/-"): JSON pointers


def pointer(path: str) -> list[str]:
    if not isinstance(path, str) or not path.startswith("/") or path == "/":
        raise BadRequest(f"Invalid patch path {path!r}.", code="invalid_patch")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]
    if parts[0] in ("id", "pk") or parts[0] in SYSTEM_FIELDS or any(p == "" for p in parts):
        raise BadRequest(f"The patch path {path!r} may not be changed.", code="invalid_patch")
    return parts


def check_patch(ops: Sequence[Patch]) -> None:
    if not ops or len(ops) > MAX_PATCH_OPS:
        raise BadRequest(f"A patch needs 1 to {MAX_PATCH_OPS} operations.", code="invalid_patch")
    for op in ops:
        if op.op not in ("set", "incr", "add", "remove"):
            raise BadRequest(f"Unknown patch operation {op.op!r}.", code="invalid_patch")
        parts = pointer(op.path)
        if parts[-1] == "-" and op.op != "add":
            raise BadRequest("Only 'add' may append with '/-'.", code="invalid_patch")
        if op.op == "incr" and (isinstance(op.value, bool) or not isinstance(op.value, int | float)):
            raise BadRequest("'incr' needs a number.", code="invalid_patch")


def _bad(path: str, why: str) -> BadRequest:
    return BadRequest(f"Patch path {path!r}: {why}.", code="invalid_patch")


def _index(token: str, size: int, path: str, *, inserting: bool) -> int:
    if not token.isdigit():
        raise _bad(path, "not an array index")
    index = int(token)
    if index > size or (index == size and not inserting):
        raise _bad(path, "array index out of range")
    return index


def apply_patch(doc: dict[str, Any], ops: Sequence[Patch]) -> dict[str, Any]:
    """Cosmos partial-update semantics on a copy: the parent must exist; set/add/incr create a missing member;
    add inserts into arrays (and appends with "-"); set replaces an array element; remove needs the target."""
    result = copy.deepcopy(doc)
    for op in ops:
        parts = pointer(op.path)
        parent: Any = result
        for token in parts[:-1]:
            if isinstance(parent, dict) and token in parent:
                parent = parent[token]
            elif isinstance(parent, list) and token.isdigit() and int(token) < len(parent):
                parent = parent[int(token)]
            else:
                raise _bad(op.path, "the parent does not exist")
        last = parts[-1]
        value = copy.deepcopy(op.value)
        if isinstance(parent, dict):
            if op.op == "remove":
                if last not in parent:
                    raise _bad(op.path, "nothing to remove")
                del parent[last]
            elif op.op == "incr":
                current = parent.get(last, 0)
                if isinstance(current, bool) or not isinstance(current, int | float):
                    raise _bad(op.path, "not a number")
                parent[last] = current + value
            else:
                parent[last] = value
        elif isinstance(parent, list):
            if op.op == "add":
                where = len(parent) if last == "-" else _index(last, len(parent), op.path, inserting=True)
                parent.insert(where, value)
            else:
                i = _index(last, len(parent), op.path, inserting=False)
                if op.op == "remove":
                    del parent[i]
                elif op.op == "set":
                    parent[i] = value
                else:
                    if isinstance(parent[i], bool) or not isinstance(parent[i], int | float):
                        raise _bad(op.path, "not a number")
                    parent[i] = parent[i] + value
        else:
            raise _bad(op.path, "the parent is not an object or array")
    return result


# ------------------------------------------------------------------------------------------------------------
# continuation tokens: opaque to callers, bound to the query they came from


def query_fingerprint(container: str, query: Query, pk: str | None) -> str:
    shape = json.dumps([container, pk, [[w.field, w.op, w.value] for w in query.where],
                        [list(o) for o in query.order_by]], sort_keys=True, default=str)
    return hashlib.sha256(shape.encode()).hexdigest()[:16]


def encode_token(fingerprint: str, state: Any) -> str:
    raw = json.dumps({"f": fingerprint, "s": state}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(fingerprint: str, token: str) -> Any:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict) or data.get("f") != fingerprint or "s" not in data:
            raise ValueError("foreign token")
        return data["s"]
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise BadRequest("The cursor is invalid or belongs to another query.", code="invalid_cursor") from exc


def check_batch(pk: str, ops: Sequence[Any]) -> None:
    if not ops or len(ops) > MAX_BATCH_OPS:
        raise BadRequest(f"A batch needs 1 to {MAX_BATCH_OPS} operations.", code="invalid_batch")
    for op in ops:
        if op.op in ("create", "upsert", "replace"):
            if op.doc is None:
                raise BadRequest(f"Batch {op.op} needs a document.", code="invalid_batch")
            if op.doc.get("pk") != pk:
                raise BadRequest("Every document in a batch must be in the batch's partition.", code="invalid_batch")
        elif op.op in ("delete", "read"):
            if not op.id:
                raise BadRequest(f"Batch {op.op} needs an id.", code="invalid_batch")
        else:
            raise BadRequest(f"Unknown batch operation {op.op!r}.", code="invalid_batch")
