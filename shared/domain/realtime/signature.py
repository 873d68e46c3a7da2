"""Checks that an upstream CloudEvents request really comes from our Web PubSub service (or the dev hub).

The service signs every event with each of its access keys: `ce-signature: sha256=<hex>,sha256=<hex>` where
<hex> is HMAC-SHA256(access key, connection id). A request is genuine when any of those values matches one of
the keys we hold. No SDK is needed, so the event-handler function can check it before doing anything else.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def connection_signature(connection_id: str, access_key: str) -> str:
    digest = hmac.new(access_key.encode(), connection_id.encode(), hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_header(connection_id: str, access_keys: Iterable[str]) -> str:
    """The header value the service sends: one signature per access key (primary, secondary)."""
    return ",".join(connection_signature(connection_id, key) for key in access_keys)


def verify_signature(header: str | None, connection_id: str | None, access_keys: Iterable[str]) -> bool:
    if not header or not connection_id:
        return False
    offered = [part.strip() for part in header.split(",") if part.strip()]
    expected = [connection_signature(connection_id, key) for key in access_keys if key]
    # Compare every pair in constant time (as bytes: compare_digest refuses non-ASCII str); hex may be upper case.
    return any(hmac.compare_digest(o.lower().encode(), e.encode()) for o in offered for e in expected)


def access_keys_from_connection_string(connection_string: str) -> list[str]:
    """The AccessKey of a Web PubSub connection string ("Endpoint=...;AccessKey=...;Version=1.0;")."""
    keys = []
    for part in connection_string.split(";"):
        name, sep, value = part.partition("=")
        if sep and name.strip().lower() == "accesskey" and value.strip():
            keys.append(value.strip())
    return keys
