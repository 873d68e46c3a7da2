"""The models of rooms (rooms.py): what clients send and get back."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.domain.communities.people_models import UserRef

MAX_PAGE = 100
NAME = Field(min_length=1, max_length=100, pattern=r"\S")
TAG = r"^[A-Za-z0-9_-]{1,30}$"
USER_ID = r"^[A-Za-z0-9_-]{1,64}$"


class TopicConversationCreate(BaseModel):
    name: str = NAME
    description: str = Field(default="", max_length=500)
    is_public: bool = True
    tags: list[str] = Field(default_factory=list, max_length=10)
    voip_enabled: bool = True


class GroupChatCreate(BaseModel):
    name: str = NAME
    description: str = Field(default="", max_length=500)
    invited_users: list[Annotated[str, StringConstraints(pattern=USER_ID)]] = Field(default_factory=list,
                                                                                    max_length=50)
    voip_enabled: bool = True


class RoomUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"\S")
    description: str | None = Field(default=None, max_length=500)
    tags: list[str] | None = Field(default=None, max_length=10)


class RoomSettingsUpdate(BaseModel):
    voip_enabled: bool


class RoomMuteRequest(BaseModel):
    minutes: int = Field(default=-1, ge=-1, le=525600, description="-1: for ever; 0: unmute")


class RoomListQuery(BaseModel):
    limit: int = Field(default=30, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=2000)


class RoomPublic(BaseModel):
    id: str
    kind: Literal["topic", "group"]
    topic_id: str | None
    built_in: bool
    name: str
    description: str
    tags: list[str]
    is_public: bool
    owner: UserRef | None
    voip_enabled: bool
    has_picture: bool = Field(description="GET /api/chat-rooms/{id}/picture gives its URL")
    has_background: bool
    member_count: int
    status: Literal["active", "pending_deletion"]
    created_at: str
    last_activity: str
    # the caller's standing
    role: Literal["none", "member", "moderator", "owner"]
    user_is_member: bool
    is_muted: bool
    unread_count: int
    mention_count: int


class RoomPage(BaseModel):
    items: list[RoomPublic]
    next_cursor: str | None


class RoomMuteState(BaseModel):
    room_id: str
    is_muted: bool
    muted_until: str | None


class RoomDeletion(BaseModel):
    room_id: str
    status: Literal["pending_deletion"]
    permanent_delete_at: str


class RoomImageBody(BaseModel):
    attachment_id: str = Field(pattern=r"^[0-9a-f]{32}$",
                               description="From POST /api/attachments/upload-url; a PNG, JPEG, GIF or WebP.")


class RoomImage(BaseModel):
    room_id: str
    kind: Literal["picture", "background"]
    url: str = Field(description="Short-lived signed URL.")
    expires_in: int
