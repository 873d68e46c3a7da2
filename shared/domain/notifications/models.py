"""Shapes of the /api/notifications routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

PAGE_DEFAULT, PAGE_MAX = 20, 100

NotificationType = Literal["mention", "reply", "comment", "chatroom_message"]
NotificationId = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Actor(BaseModel):
    """Who caused the notification. For anonymous content: the alias, anonymous=true and no user id."""

    display_name: str
    anonymous: bool
    user_id: str | None = None
    username: str | None = None


class NotificationPublic(BaseModel):
    id: str
    type: NotificationType
    title: str
    message: str
    data: dict[str, str] = Field(description="topic_id, post_id and comment_id (or room_id and message_id) the "
                                                        "notification is about.")
    actor: Actor | None
    read: bool
    created_at: str
    expires_at: str


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    next_cursor: str | None


class NotificationQuery(BaseModel):
    limit: int = Field(default=PAGE_DEFAULT, ge=1, le=PAGE_MAX)
    cursor: str | None = Field(default=None, max_length=4000)
    unread_only: bool = False


class NotificationPath(BaseModel):
    notification_id: NotificationId


class UnreadCount(BaseModel):
    count: int


class ReadAllResult(BaseModel):
    read_before: str
