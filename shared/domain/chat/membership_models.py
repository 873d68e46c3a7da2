"""The models of room membership (membership.py): joins, members, moderators, bans and invitations."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.domain.communities.people_models import UserRef
from shared.domain.schema_hints import at_least_one_of

MAX_PAGE = 100
USER_ID = r"^[A-Za-z0-9_-]{1,64}$"


class RoomUserTarget(BaseModel):
    user_id: str = Field(pattern=USER_ID)


class RoomInviteBody(BaseModel):
    model_config = ConfigDict(json_schema_extra=at_least_one_of("user_id", "username"))

    user_id: str | None = Field(default=None, pattern=USER_ID)
    username: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _someone(self) -> RoomInviteBody:
        if self.user_id is None and self.username is None:
            raise ValueError("name the user to invite: user_id or username")
        return self


class RoomBanBody(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class RoomMemberQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=2000)


class RoomJoinResult(BaseModel):
    room_id: str
    status: Literal["joined", "already_member"]
    member_count: int


class RoomLeaveResult(BaseModel):
    room_id: str
    status: Literal["left", "not_member"]
    member_count: int


class RoomMemberPublic(BaseModel):
    user: UserRef
    role: Literal["member", "moderator", "owner"]
    joined_at: str


class RoomMemberPage(BaseModel):
    items: list[RoomMemberPublic]
    next_cursor: str | None


class RoomActionResult(BaseModel):
    room_id: str
    user_id: str
    status: Literal["banned", "unbanned", "kicked", "moderator_added", "moderator_removed", "ownership_transferred"]


class RoomInvitationPublic(BaseModel):
    id: str
    room_id: str
    room_name: str
    topic_id: str | None
    inviter: UserRef
    status: Literal["pending", "accepted", "declined"]
    created_at: str


class RoomInvitationPage(BaseModel):
    items: list[RoomInvitationPublic]
    next_cursor: str | None
