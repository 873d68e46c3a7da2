"""What realtime clients send in their user events and get back from negotiate and from the event handler."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.realtime.groups import JOINABLE_GROUP

ID = r"^[A-Za-z0-9_-]{1,100}$"


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GroupRequest(_Event):
    group: str = Field(pattern=JOINABLE_GROUP, description="topic_<id>, post_<id> or chat_room_<id>")


class TopicRequest(_Event):
    topic_id: str = Field(pattern=ID)


class PostRequest(_Event):
    post_id: str = Field(pattern=ID)


class RoomRequest(_Event):
    room_id: str = Field(pattern=ID)


class ClientAccess(BaseModel):
    url: str = Field(description="WebSocket URL with an access token (json.webpubsub.azure.v1 or the reliable "
                                 "one). Connect within expires_in seconds; it works only while this session lives.")
    user_id: str
    groups: list[str]
    expires_in: int


class GroupAnswer(BaseModel):
    group: str
    joined: bool
