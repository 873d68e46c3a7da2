"""The models of topic bans, mutes and kicks (shared/domain/communities/moderation.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.communities.membership import UserTarget
from shared.domain.communities.people_models import UserRef

MAX_BAN_DAYS = 3650
MAX_MUTE_MINUTES = 60 * 24 * 365


class BanCreate(UserTarget):
    reason: str | None = Field(default=None, max_length=500)
    duration_days: float | None = Field(default=None, gt=0, le=MAX_BAN_DAYS,
                                        description="Left out: until lifted.")


class MuteCreate(UserTarget):
    reason: str | None = Field(default=None, max_length=500)
    duration_minutes: int | None = Field(default=None, gt=0, le=MAX_MUTE_MINUTES,
                                         description="Left out: until lifted.")


class RestrictionPublic(BaseModel):
    kind: Literal["ban", "mute"]
    topic_id: str
    user: UserRef
    reason: str | None = None
    created_at: str
    expires_at: str | None = None
    active: bool = True
    by: UserRef | None = None


class RestrictionPage(BaseModel):
    items: list[RestrictionPublic]
    next_cursor: str | None


class KickResult(BaseModel):
    topic_id: str
    user_id: str
    status: Literal["kicked"]
