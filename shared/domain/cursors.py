"""Opaque, signed page cursors: every cursor a client sends back to any list of this API.

A cursor names the listing it belongs to (`scope`, e.g. "posts:<topic>:hot", or `scope("topics", caller, filters)`)
and carries the store's continuation token, an offset or a keyset position. It is signed with the app secret, so a
client can neither forge a position nor replay a cursor on another listing (another filter, another topic, another
caller): anything that does not verify answers 400 `invalid_cursor` instead of reaching the store.

Most lists page with the store's continuation: `continuation(scope, cursor)` gives the token to pass to the query
(None on the first page) and `next_cursor(scope, page.continuation)` wraps the next one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from shared.errors import BadRequest
from shared.settings import get_settings

_SIG_BYTES = 12


def _key() -> bytes:
    return hashlib.sha256(b"cursor:" + get_settings().secret_key.encode()).digest()


def _sign(scope: str, body: bytes) -> bytes:
    return hmac.new(_key(), scope.encode() + b"\0" + body, hashlib.sha256).digest()[:_SIG_BYTES]


def scope(kind: str, *parts: Any) -> str:
    """A scope for a listing defined by several values (the caller, filters, sort): `kind` plus a digest of them,
    so a cursor stays short however long the filters are."""
    digest = hashlib.sha256(json.dumps(parts, default=str, sort_keys=True, separators=(",", ":")).encode())
    return f"{kind}:{digest.hexdigest()[:32]}"


def encode(scope: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(_sign(scope, body) + body).decode().rstrip("=")


def decode(scope: str, cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise invalid_cursor() from None
    signature, body = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
    if len(signature) != _SIG_BYTES or not hmac.compare_digest(signature, _sign(scope, body)):
        raise invalid_cursor()
    try:
        payload = json.loads(body)
    except ValueError:
        raise invalid_cursor() from None
    if not isinstance(payload, dict):
        raise invalid_cursor()
    return payload


def continuation(scope: str, cursor: str | None) -> str | None:
    """The store continuation a cursor of this listing carries; None without a cursor (the first page)."""
    if not cursor:
        return None
    token = decode(scope, cursor).get("c")
    if not isinstance(token, str) or not token:
        raise invalid_cursor()
    return token


def next_cursor(scope: str, continuation: str | None) -> str | None:
    """The cursor of the next page, or None when the store has no more."""
    return encode(scope, {"c": continuation}) if continuation else None


def invalid_cursor() -> BadRequest:
    return BadRequest("This cursor is not valid for this list; start again without it.", code="invalid_cursor")


__all__ = ["continuation", "decode", "encode", "invalid_cursor", "next_cursor", "scope"]
