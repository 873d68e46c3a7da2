"""What direct messages store (containers.py names the ids); the messages are chat's MessageDoc."""

from __future__ import annotations

from typing import Literal, TypedDict

from shared.domain.dm.containers import CONVERSATIONS, HIDDEN, REPORTS, SETTINGS
from shared.domain.stored import Container, Stored

Audience = Literal["everyone", "nobody"]


class LastMessageDoc(TypedDict):
    id: str
    seq: int
    author_id: str
    preview: str | None  # None once unsent
    has_gif: bool
    state: Literal["visible", "deleted", "removed"]
    created_at: str


class ConversationSideDoc(Stored):
    """pk = the user whose side this is, id = conversation id."""

    conversation_id: str
    user_id: str
    other_user_id: str
    started_by: str
    created_at: str
    last_activity: str
    last_message: LastMessageDoc | None
    unread_count: int
    read_seq: int  # this side read up to this seq
    read_at: str | None
    partner_read_seq: int  # the partner read up to this seq (kept only while both send read receipts)
    muted_until: str | None  # "forever" is FOREVER
    hidden: bool  # hidden for this side until a new message arrives


class HiddenMessageDoc(Stored):
    """pk = user id, id = message id: deleted for this user only."""

    conversation_id: str
    other_user_id: str
    hidden_at: str


class DmSettingsDoc(Stored):
    """pk = id = user id."""

    allow_messages_from: Audience
    read_receipts: bool
    updated_at: str


class DmReportDoc(Stored):
    """pk = reporter id, id = message id."""

    conversation_id: str
    message_id: str
    reporter_id: str
    reported_user_id: str
    reason: str
    snapshot: dict[str, object]  # the reported message as it was, nothing else of the conversation
    status: Literal["open"]
    created_at: str


conversation_docs = Container[ConversationSideDoc](CONVERSATIONS)
hidden_docs = Container[HiddenMessageDoc](HIDDEN)
settings_docs = Container[DmSettingsDoc](SETTINGS)
report_docs = Container[DmReportDoc](REPORTS)
