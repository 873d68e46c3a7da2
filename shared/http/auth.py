"""Who is calling: a Bearer token (API clients) or the session cookie (browsers).

A cookie-authenticated write must also carry the session's CSRF token in X-CSRF-Token; a Bearer token is
never sent by a browser on its own, so it needs none.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie

import azure.functions as func

from shared.domain.identity import Principal
from shared.settings import get_settings

SECURE_COOKIE_NAME = "__Host-session"
PLAIN_COOKIE_NAME = "session"  # plain-http development only: browsers refuse __Host- without Secure


def session_cookie_name() -> str:
    return SECURE_COOKIE_NAME if get_settings().secure_cookies else PLAIN_COOKIE_NAME


def session_cookie(token: str, max_age: int) -> str:
    secure = get_settings().secure_cookies
    name = session_cookie_name()
    attrs = [f"{name}={token}", "Path=/", "HttpOnly", "SameSite=Lax", f"Max-Age={max_age}"]
    if secure:
        attrs.append("Secure")
    return "; ".join(attrs)


def clear_session_cookie() -> str:
    return session_cookie("", 0)


def cookie_value(headers, name: str) -> str | None:
    """One cookie's value from the request's Cookie header; None when absent, empty or unparseable."""
    raw = headers.get("cookie")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel and morsel.value else None


async def authenticate(req: func.HttpRequest) -> tuple[Principal | None, bool]:
    """Returns (principal, via_cookie)."""
    from shared.wiring import sessions

    header = req.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        token, via_cookie = header[7:].strip(), False
    else:
        token, via_cookie = cookie_value(req.headers, session_cookie_name()), True
    if not token:
        return None, False
    session = await sessions().resolve(token)
    if session is None:
        return None, False
    return Principal(user_id=session.user_id, username=session.username, is_admin=session.is_admin,
                     sid=session.sid, token_hash=session.token_hash, csrf=session.csrf), via_cookie


def csrf_ok(req: func.HttpRequest, principal: Principal) -> bool:
    presented = req.headers.get("x-csrf-token") or ""
    return bool(presented) and hmac.compare_digest(presented.encode(), principal.csrf.encode())
