"""The models of membership (shared/domain/communities/membership.py): what clients send and get back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.communities.access import (
    Permission,
    Role,
)
from shared.domain.communities.people_models import UserRef

MAX_PAGE = 100


class UserTarget(BaseModel):
    user_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class ModeratorAdd(UserTarget):
    permissions: list[Permission] | None = Field(
        default=None, description="Granted permissions; all of them when left out.")


class ModeratorUpdate(BaseModel):
    permissions: list[Permission]


class JoinResult(BaseModel):
    topic_id: str
    status: Literal["joined", "already_member", "requested"]
    member_count: int | None = None


class LeaveResult(BaseModel):
    topic_id: str
    status: Literal["left", "not_member"]
    member_count: int | None = None


class MemberPublic(BaseModel):
    user: UserRef
    role: Role
    permissions: list[Permission] = Field(default_factory=list)
    joined_at: str


class MemberPage(BaseModel):
    items: list[MemberPublic]
    next_cursor: str | None


class ListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=2000)


class OwnershipResult(BaseModel):
    topic_id: str
    owner: UserRef
