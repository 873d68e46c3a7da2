"""Models only the chat routes use (paths and small answers); the rest are the domain's."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.domain.chat.message_models import EMOJI

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ROOM_ID = r"^[A-Za-z0-9_-]{1,200}$"
MESSAGE_ID = r"^[A-Za-z0-9_-]{1,220}$"
INVITATION_ID = r"^[A-Za-z0-9_-]{1,210}$"  # "rinv_<room id>"; anything else is 404 invitation_not_found


class TopicRoomsPath(BaseModel):
    topic_id: str = Field(pattern=ID_PATTERN)


class RoomPath(BaseModel):
    room_id: str = Field(pattern=ROOM_ID)


class RoomUserPath(RoomPath):
    user_id: str = Field(pattern=ID_PATTERN)


class RoomInvitationPath(BaseModel):
    invitation_id: str = Field(pattern=INVITATION_ID)


class RoomMessagePath(RoomPath):
    message_id: str = Field(pattern=MESSAGE_ID)


class ReactionPath(RoomMessagePath):
    emoji: str = Field(pattern=EMOJI)


class MessagePath(BaseModel):
    message_id: str = Field(pattern=MESSAGE_ID)
