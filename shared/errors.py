"""Errors with a stable machine-readable code. Domain code raises these; the HTTP layer renders them."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None, status: int | None = None,
                 details: Any = None, headers: dict[str, str] | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details
        self.headers = headers or {}


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "The request could not be processed."


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "Some fields are invalid."


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "Authentication required."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "You may not do this."


class NotFound(AppError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(AppError):
    status, code, message = 409, "conflict", "The resource is in a conflicting state."


class PreconditionFailed(AppError):
    status, code, message = 412, "precondition_failed", "The resource changed since you read it."


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "The request body is too large."


class RateLimited(AppError):
    status, code, message = 429, "rate_limited", "Too many requests; try again later."


class DependencyUnavailable(AppError):
    """A service the request needs (cache, document store, queue) is unreachable or throttling us past our retry
    budget. Nothing was half done on its account: the caller may retry after `Retry-After` seconds."""

    status, code, message = 503, "dependency_unavailable", "A service we depend on is unavailable; try again shortly."

    def __init__(self, dependency: str, *, retry_after: float = 1.0, message: str | None = None,
                 code: str | None = None, reason: str = "unavailable"):
        seconds = max(1, int(retry_after + 0.999))
        super().__init__(message, code=code, details={"dependency": dependency, "reason": reason,
                                                      "retry_after": seconds},
                         headers={"Retry-After": str(seconds)})
        self.dependency = dependency
        self.retry_after = seconds
