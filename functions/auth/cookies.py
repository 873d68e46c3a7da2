"""The cookies /api/auth sets: the session cookie (shared.http.auth) and the device cookie that gives a browser
its own failed-login budget (shared/domain/accounts/limits.py)."""

from __future__ import annotations

from shared.http.auth import clear_session_cookie, cookie_value, session_cookie
from shared.settings import get_settings

DEVICE_COOKIE_SECONDS = 180 * 24 * 3600


def device_cookie_name() -> str:
    return "__Host-device" if get_settings().secure_cookies else "device"


def device_cookie(token: str) -> str:
    attrs = [f"{device_cookie_name()}={token}", "Path=/", "HttpOnly", "SameSite=Strict",
             f"Max-Age={DEVICE_COOKIE_SECONDS}"]
    if get_settings().secure_cookies:
        attrs.append("Secure")
    return "; ".join(attrs)


def presented_device_token(headers) -> str | None:
    """From the X-Device-Token header (API clients) or the device cookie (browsers)."""
    header = headers.get("x-device-token")
    if header:
        return header.strip()
    return cookie_value(headers, device_cookie_name())


__all__ = ["clear_session_cookie", "device_cookie", "presented_device_token", "session_cookie"]
