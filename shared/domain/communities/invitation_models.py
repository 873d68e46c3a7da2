"""The models of invitations and join requests (shared/domain/communities/invitations.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.communities.people_models import UserRef


class TopicSummary(BaseModel):
    id: str
    title: str
    description: str
    member_count: int


class InvitationPublic(BaseModel):
    id: str
    topic: TopicSummary
    inviter: UserRef | None
    status: Literal["pending", "accepted", "declined"]
    created_at: str


class InvitationPage(BaseModel):
    items: list[InvitationPublic]
    next_cursor: str | None


class InvitationCreated(BaseModel):
    topic_id: str
    invitee: UserRef
    status: Literal["pending"]


class JoinRequestPublic(BaseModel):
    user: UserRef
    created_at: str


class JoinRequestPage(BaseModel):
    items: list[JoinRequestPublic]
    next_cursor: str | None


class InvitationPath(BaseModel):
    invitation_id: str = Field(min_length=1, max_length=200, pattern=r"^inv_[A-Za-z0-9_-]+$")
