"""The models of messages (messages.py, reactions.py, read_state.py): what clients send and get back."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.domain.chat.attachment_models import ATTACHMENT_ID, AttachmentPublic
from shared.domain.communities.people_models import UserRef
from shared.domain.schema_hints import at_least_one_of

MAX_CONTENT = 2000
MAX_PAGE = 100
MAX_ATTACHMENTS = 5
EMOJI = r"^[^\s/\\?#%]{1,16}$"  # a reaction: one emoji or short name, nothing a path would split on
MESSAGE_ID = r"^[A-Za-z0-9_-]{1,220}$"


def _gif_hosts(schema: dict[str, Any]) -> None:
    """The hosts a gif_url may name (setting chat_gif_hosts), in the document: the domain refuses the others."""
    from shared.settings import get_settings

    hosts = "|".join(re.escape(host) for host in get_settings().chat_gif_hosts)
    schema["pattern"] = rf"^https://({hosts})/\S*$"


class MessageCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra=at_least_one_of("content", "gif_url", "attachments"))

    content: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT, pattern=r"\S")
    gif_url: str | None = Field(default=None, max_length=500, pattern=r"^https://[A-Za-z0-9.-]+/\S*$",
                                description="Only from the GIF provider's hosts (setting chat_gif_hosts).",
                                json_schema_extra=_gif_hosts)
    reply_to: str | None = Field(default=None, pattern=MESSAGE_ID, description="A message of the same room.")
    attachments: list[Annotated[str, StringConstraints(pattern=ATTACHMENT_ID)]] | None = Field(
        default=None, min_length=1, max_length=MAX_ATTACHMENTS,
        description="Ids from POST /api/attachments/upload-url, uploaded before sending.")
    use_anonymous: bool = Field(default=False, description="Topic conversations of topics that allow it: post "
                                                           "under your alias in the topic.")

    @model_validator(mode="after")
    def _something_to_send(self) -> MessageCreate:
        if self.content is None and self.gif_url is None and not self.attachments:
            raise ValueError("send content, a gif_url or attachments")
        return self


class MessageUpdate(BaseModel):
    content: str = Field(min_length=1, max_length=MAX_CONTENT, pattern=r"\S")


class MessageDeleteQuery(BaseModel):
    reason: str | None = Field(default=None, min_length=1, max_length=500,
                               description="Required when a moderator removes someone else's message.")


class MessageHistoryQuery(BaseModel):
    """One anchor is used: `around`, else `before`, else `after`; with none, the newest messages."""

    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    before: str | None = Field(default=None, pattern=MESSAGE_ID, description="Messages older than this one.")
    after: str | None = Field(default=None, pattern=MESSAGE_ID, description="Messages newer than this one.")
    around: str | None = Field(default=None, pattern=MESSAGE_ID,
                               description="About half older than this one, the rest from it on.")


class MessageSearchQuery(BaseModel):
    q: str = Field(min_length=1, max_length=100, pattern=r"\S", description="Plain text, matched as a substring.")
    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=2000)


class MessageReactionCount(BaseModel):
    emoji: str
    count: int


class MessagePublic(BaseModel):
    id: str
    conversation_id: str
    seq: int
    author: UserRef | None = Field(description="None for anonymous messages (the alias is in display_name).")
    is_anonymous: bool
    display_name: str
    content: str | None
    gif_url: str | None
    attachments: list[AttachmentPublic] = Field(description="Fetch each through GET /api/attachments/{id}.")
    reply_to: str | None
    state: Literal["visible", "deleted", "removed"]
    created_at: str
    edited_at: str | None
    edit_count: int
    reactions: list[MessageReactionCount]


class MessagePage(BaseModel):
    items: list[MessagePublic] = Field(description="Oldest first.")
    has_older: bool
    has_newer: bool


class MessageSearchPage(BaseModel):
    items: list[MessagePublic] = Field(description="Newest first.")
    query: str
    next_cursor: str | None = Field(description="Where the scan goes on (older messages), when there is more.")


class RoomReadBody(BaseModel):
    message_id: str = Field(pattern=MESSAGE_ID)


class ReadStatePublic(BaseModel):
    conversation_id: str
    read_seq: int
    unread_count: int
    mention_count: int


class MessageReactionResult(BaseModel):
    message_id: str
    emoji: str
    count: int
    reacted: bool


class MessageReportBody(BaseModel):
    reason: str = Field(min_length=3, max_length=500, pattern=r"\S")


class MessageReportCreated(BaseModel):
    report_id: str
    message_id: str
    status: Literal["open"]


class MessageReportPublic(BaseModel):
    id: str
    message_id: str
    reporter: UserRef
    reason: str
    excerpt: str
    created_at: str


class MessageReportPage(BaseModel):
    items: list[MessageReportPublic]
    next_cursor: str | None


class ChatListQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=2000)


class ModerationLogEntry(BaseModel):
    action: Literal["message_removed", "ban", "unban", "kick"]
    by: UserRef
    target_user_id: str | None
    message_id: str | None
    reason: str | None
    created_at: str


class ModerationLogPage(BaseModel):
    items: list[ModerationLogEntry] = Field(description="Newest first.")
    next_cursor: str | None
