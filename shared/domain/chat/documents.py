"""What chat stores: one TypedDict per kind of document and the typed containers that hold them
(containers.py names the ids)."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from shared.domain.chat.containers import (
    MESSAGE_REPORTS,
    MESSAGES,
    REACTIONS,
    READ_MARKERS,
    ROOM_INVITATIONS,
    ROOM_LOG,
    ROOM_MEMBERS,
    ROOM_NAMES,
    ROOMS,
    USER_ROOMS,
)
from shared.domain.stored import Container, Stored

RoomKind = Literal["topic", "group"]
RoomRole = Literal["member", "moderator", "owner"]
Visibility = Literal["public", "private"]
MessageState = Literal["visible", "deleted", "removed"]
LogAction = Literal["message_removed", "ban", "unban", "kick"]


class RoomDeletionDoc(TypedDict):
    requested_by: str
    requested_at: str
    permanent_delete_at: str
    status: Literal["pending", "approved", "rejected"]


class RoomDoc(Stored):
    kind: RoomKind
    topic_id: str | None
    built_in: bool  # the topic's `general` conversation
    name: str
    name_key: str | None  # the reservation in room_names (None for `general`)
    description: str
    tags: list[str]
    owner_id: str | None
    visibility: Visibility
    audience: str  # "public", or the room id when private (lists filter with IN)
    voip_enabled: bool
    member_count: int
    created_at: str
    updated_at: str
    last_activity: str
    status: Literal["active", "pending_deletion"]
    deletion: NotRequired[RoomDeletionDoc]
    picture: NotRequired[str | None]  # blob in chat-attachments (attachments.py)
    background: NotRequired[str | None]


class RoomNameDoc(Stored):
    room_id: str
    name: str
    created_at: str


class RoomMemberDoc(Stored):
    kind: Literal["member"]
    room_id: str
    user_id: str
    role: RoomRole
    joined_at: str
    added_by: str | None


class RoomBanDoc(Stored):
    kind: Literal["ban"]
    room_id: str
    user_id: str
    by: str
    reason: str | None
    created_at: str


RoomEdgeDoc = RoomMemberDoc | RoomBanDoc


class UserRoomDoc(Stored):
    """pk = user id, id = room id: the user-side mirror of a membership."""

    kind: Literal["member"]
    room_id: str
    room_pk: str
    room_kind: RoomKind
    topic_id: str | None
    visibility: Visibility
    joined_at: str


class RoomMuteDoc(Stored):
    """pk = user id, id = "mute:<room id>": the user muted the room's notifications."""

    kind: Literal["mute"]
    room_id: str
    muted_until: str | None  # None: for ever
    created_at: str


class RoomInvitationDoc(Stored):
    room_id: str
    room_pk: str
    invitee_id: str
    inviter_id: str
    status: Literal["pending", "accepted", "declined"]
    created_at: str
    responded_at: NotRequired[str]


class RoomLogDoc(Stored):
    room_id: str
    action: LogAction
    by: str
    target_user_id: str | None
    message_id: str | None
    reason: str | None
    created_at: str


# ---------------------------------------------------------------------------------------------------------
# messages of any conversation (pk = conversation id)


class AttachmentDoc(TypedDict):
    id: str
    filename: str
    mime_type: str  # sniffed from the bytes
    size: int


class MessageDoc(Stored):
    kind: Literal["message"]
    conversation_id: str
    seq: int
    author_id: str | None
    author_username: str | None
    anonymous: bool
    anonymous_name: str | None
    content: str | None
    gif_url: str | None
    reply_to: str | None
    mentions: list[str]  # user ids mentioned (never shown to clients)
    reactions: dict[str, int]  # emoji (hex of its UTF-8) -> count
    attachments: NotRequired[list[AttachmentDoc]]
    state: MessageState
    edit_count: int
    created_at: str
    edited_at: str | None
    removal: NotRequired[dict[str, str]]  # a moderator's: by, reason, at
    deleted_at: NotRequired[str]
    permanent_delete_at: NotRequired[str]


class CounterDoc(Stored):
    """id = "counter": the conversation's last message seq (the unread counts' reference)."""

    kind: Literal["counter"]
    seq: int
    last_activity: str


class IdempotencyMarkerDoc(Stored):
    """id = "idem:<digest>": written in one batch with the message an idempotent send made."""

    kind: Literal["idempotency"]
    message_id: str
    author_id: str
    created_at: str


class RevisionDoc(Stored):
    """id = "<message id>.v<n>": what an edit replaced."""

    kind: Literal["revision"]
    message_id: str
    version: int
    content: str | None
    replaced_at: str


ConversationDoc = MessageDoc | CounterDoc | IdempotencyMarkerDoc | RevisionDoc


class ReactionDoc(Stored):
    """pk = message id, id = "<emoji hex>:<uid>"."""

    emoji: str
    user_id: str
    created_at: str


class ReadMarkerDoc(Stored):
    """pk = user id, id = conversation id."""

    conversation_id: str
    read_seq: int
    mention_count: int
    updated_at: str


class MessageReportDoc(Stored):
    """pk = conversation id, id = "<message id>.<reporter id>"."""

    message_id: str
    reporter_id: str
    reason: str
    status: Literal["open"]
    created_at: str
    excerpt: str


room_docs = Container[RoomDoc](ROOMS)
room_name_docs = Container[RoomNameDoc](ROOM_NAMES)
room_edge_docs = Container[RoomEdgeDoc](ROOM_MEMBERS)
room_member_docs = Container[RoomMemberDoc](ROOM_MEMBERS)
room_ban_docs = Container[RoomBanDoc](ROOM_MEMBERS)
user_room_docs = Container[UserRoomDoc](USER_ROOMS)
room_mute_docs = Container[RoomMuteDoc](USER_ROOMS)
room_invitation_docs = Container[RoomInvitationDoc](ROOM_INVITATIONS)
room_log_docs = Container[RoomLogDoc](ROOM_LOG)
message_docs = Container[MessageDoc](MESSAGES)
counter_docs = Container[CounterDoc](MESSAGES)
marker_docs = Container[IdempotencyMarkerDoc](MESSAGES)
revision_docs = Container[RevisionDoc](MESSAGES)
reaction_docs = Container[ReactionDoc](REACTIONS)
read_marker_docs = Container[ReadMarkerDoc](READ_MARKERS)
message_report_docs = Container[MessageReportDoc](MESSAGE_REPORTS)
