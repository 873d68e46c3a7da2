"""JWT checks, as the service does them: HS256 signed with an access key, an audience, an expiry.

Client tokens carry aud = the http form of the client URL (`http://host/client/hubs/<hub>`), REST tokens carry
aud = the full request URL including its query string. The raw AccessKey string is the HS256 secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt


class TokenError(Exception):
    pass


def decode(token: str, keys: Sequence[str]) -> dict[str, Any]:
    """Claims of a token signed by one of the keys; TokenError when none verifies or it has expired."""
    if not token:
        raise TokenError("no access token")
    last: Exception | None = None
    for key in keys:
        try:
            return jwt.decode(token, key, algorithms=["HS256"], options={"verify_aud": False, "require": ["exp"]})
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("the access token has expired") from exc
        except jwt.InvalidSignatureError as exc:
            last = exc
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid access token: {exc}") from exc
    raise TokenError("the access token is not signed with this service's access key") from last


def _url_parts(url: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    path = unquote(parts.path).rstrip("/").lower()
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return scheme, parts.netloc.lower(), path, query


def same_url(audience: Any, url: str, *, compare_query: bool) -> bool:
    """Audience check that ignores what URL encoding and the SDK's lower-casing may change."""
    if not isinstance(audience, str):
        return False
    a, b = _url_parts(audience), _url_parts(url)
    if compare_query:
        return a == b
    return a[:3] == b[:3]


def claim_list(claims: dict[str, Any], name: str) -> list[str]:
    """A claim that may hold one value or several."""
    value = claims.get(name)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]
