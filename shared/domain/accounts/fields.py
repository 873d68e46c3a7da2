"""Field-level errors raised by the domain, shaped like the ones pydantic parsing produces."""

from __future__ import annotations

from shared import errors


def invalid(field: str, message: str, *, code: str = "validation_error",
            reason: str = "invalid") -> errors.ValidationFailed:
    """422 naming the field (e.g. "body.password"), as the HTTP layer does for parsing errors."""
    return errors.ValidationFailed(message, code=code, details=[{"field": field, "code": reason, "message": message}])
