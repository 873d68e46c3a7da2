"""What the notifications area stores (docs/data-model.md), and the typed containers that hold it."""

from __future__ import annotations

from typing import TypedDict

from shared.domain.notifications.models import NotificationType
from shared.domain.stored import Container, Stored

NOTIFICATIONS = "notifications"
NOTIFICATION_STATE = "notification_state"


class ActorDoc(TypedDict):
    """notifications.models.Actor as stored."""

    display_name: str
    anonymous: bool
    user_id: str | None
    username: str | None


class NotificationData(TypedDict, total=False):
    """What a notification is about (communities send all three for a comment, no comment_id for a post)."""

    topic_id: str
    post_id: str
    comment_id: str
    room_id: str  # chat mentions: the room and the message
    message_id: str


class NotificationDoc(Stored):
    """pk = user id, id = the cause ("mention_<item id>", "reply_<comment id>", "comment_<comment id>")."""

    user_id: str
    type: NotificationType
    title: str
    message: str
    data: NotificationData
    actor: ActorDoc | None
    read: bool
    created_at: str
    expires_at: str
    ttl: int  # seconds, for Cosmos DB's own expiry


class NotificationStateDoc(Stored):
    """pk = id = user id: the "read all" watermark."""

    read_before: str


notification_docs = Container[NotificationDoc](NOTIFICATIONS)
notification_state_docs = Container[NotificationStateDoc](NOTIFICATION_STATE)
