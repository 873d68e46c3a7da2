"""Shapes of warnings (shared/domain/moderation/warnings.py); WarningPublic also rides on GET /api/auth/me."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.domain.moderation.audit_models import AuditPlace

WARNING_ID_PATTERN = r"^w_[0-9]{20}_[0-9a-f]{12}$"


class WarningPublic(BaseModel):
    id: str
    message: str
    place: AuditPlace
    created_at: str
    expires_at: str | None
    acknowledged_at: str | None
    active: bool = Field(description="Not acknowledged yet and not expired.")


class WarningPage(BaseModel):
    items: list[WarningPublic]
    next_cursor: str | None


class WarningListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=4000)
    active: bool | None = Field(default=None, description="true: only the active ones.")


class WarningPath(BaseModel):
    warning_id: str = Field(pattern=WARNING_ID_PATTERN)
