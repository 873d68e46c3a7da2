"""Opaque, signed page cursors for posts, comments and notifications.

A cursor names the listing it belongs to (`scope`, e.g. "posts:<topic>:hot") and carries the store's
continuation token or a keyset position. It is signed with the app secret so a client can neither forge a
position nor replay a cursor on another listing: anything that does not verify answers 400 `invalid_cursor`
instead of reaching the store.
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


# A payload is each list's own position ({"c": continuation}, {"before", "seen"}, ...): signed JSON that the list
# checks when it reads it back, so it stays dict[str, Any] here.
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


def invalid_cursor() -> BadRequest:
    return BadRequest("This cursor is not valid for this list; start again without it.", code="invalid_cursor")
