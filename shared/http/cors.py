"""CORS for the configured origins only, with credentials (the session cookie) allowed."""

from __future__ import annotations

from collections.abc import Sequence

ALLOWED_HEADERS = "Content-Type, Authorization, X-CSRF-Token, Idempotency-Key, If-Match, X-Correlation-Id"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
EXPOSED_HEADERS = ("ETag, Location, Retry-After, X-Correlation-Id, X-RateLimit-Limit, X-RateLimit-Remaining, "
                   "X-RateLimit-Reset")


def cors_headers(origin: str | None, allowed: Sequence[str]) -> dict[str, str]:
    if not origin or origin.rstrip("/") not in {o.rstrip("/") for o in allowed}:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true",
            "Access-Control-Expose-Headers": EXPOSED_HEADERS, "Vary": "Origin"}


def preflight_headers(origin: str | None, allowed: Sequence[str]) -> dict[str, str] | None:
    base = cors_headers(origin, allowed)
    if not base:
        return None
    return {**base, "Access-Control-Allow-Methods": ALLOWED_METHODS, "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "600"}
