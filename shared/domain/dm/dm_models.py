"""The models of direct messages: what clients send and get back (messages themselves are chat's
MessagePublic / MessagePage)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.domain.chat.attachment_models import ATTACHMENT_ID
from shared.domain.chat.message_models import (
    EMOJI,
    MAX_ATTACHMENTS,
    MAX_CONTENT,
    MAX_PAGE,
    MESSAGE_ID,
    MessageHistoryQuery,
    MessagePublic,
)
from shared.domain.schema_hints import at_least_one_of

USER_ID = r"^[0-9a-f]{32}$"
AttachmentId = Annotated[str, StringConstraints(pattern=ATTACHMENT_ID)]


class PrivateMessageCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra=at_least_one_of("content", "gif_url", "attachments"))

    to_user_id: str = Field(pattern=USER_ID, description="The recipient (yourself for notes to self).")
    content: str | None = Field(default=None, min_length=1, max_length=MAX_CONTENT, pattern=r"\S")
    gif_url: str | None = Field(default=None, max_length=500, pattern=r"^https://[A-Za-z0-9.-]+/\S*$",
                                description="Only from the GIF provider's hosts (setting chat_gif_hosts).")
    reply_to: str | None = Field(default=None, pattern=MESSAGE_ID, description="A message of the same conversation.")
    attachments: list[AttachmentId] | None = Field(
        default=None, min_length=1, max_length=MAX_ATTACHMENTS,
        description="Ids from POST /api/attachments/upload-url, uploaded before sending; only the two of you may "
                    "read them.")

    @model_validator(mode="after")
    def _something_to_send(self) -> PrivateMessageCreate:
        if self.content is None and self.gif_url is None and not self.attachments:
            raise ValueError("send content, a gif_url or attachments")
        return self


class PrivateAnchorQuery(BaseModel):
    """One anchor is used: `around`, else `before`, else `after`; with none, the newest messages (the history
    under /api/users/private-messages/{other_user_id}, the partner in the path)."""

    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    before: str | None = Field(default=None, pattern=MESSAGE_ID, description="Messages older than this one.")
    after: str | None = Field(default=None, pattern=MESSAGE_ID, description="Messages newer than this one.")
    around: str | None = Field(default=None, pattern=MESSAGE_ID,
                               description="About half older than this one, the rest from it on.")

    def anchors(self) -> MessageHistoryQuery:
        """Chat's query with the one anchor that counts."""
        if self.around is not None:
            return MessageHistoryQuery(limit=self.limit, around=self.around)
        if self.before is not None:
            return MessageHistoryQuery(limit=self.limit, before=self.before)
        return MessageHistoryQuery(limit=self.limit, after=self.after)


class PrivateHistoryQuery(PrivateAnchorQuery):
    other_user_id: str = Field(pattern=USER_ID)


class OtherUserPath(BaseModel):
    other_user_id: str = Field(pattern=USER_ID)


class PrivateMessagePath(BaseModel):
    message_id: str = Field(pattern=MESSAGE_ID)


class PrivateReactionPath(PrivateMessagePath):
    emoji: str = Field(pattern=EMOJI)


class PrivateDeleteQuery(BaseModel):
    mode: Literal["soft", "hard"] = Field(default="soft", description="soft: delete for me (restorable); hard: "
                                                                      "unsend for both sides (the sender only).")


class ConversationListQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=50)
    cursor: str | None = Field(default=None, max_length=2000)


class HiddenListQuery(ConversationListQuery):
    pass


class PrivatePartner(BaseModel):
    id: str
    username: str
    display_name: str | None
    avatar_url: str | None


class PrivateLastMessage(BaseModel):
    id: str
    is_from_me: bool
    preview: str | None = Field(description="The start of the text; None once unsent.")
    has_gif: bool
    state: Literal["visible", "deleted", "removed"]
    created_at: str


class ConversationSummary(BaseModel):
    conversation_id: str
    other_user_id: str
    other_user: PrivatePartner | None = Field(description="None when the partner's account is gone or banned.")
    last_message: PrivateLastMessage | None
    unread_count: int
    is_muted: bool
    muted_until: str | None
    last_activity: str
    partner_read_up_to: str | None = Field(description="The last message the partner read (None when either side "
                                                       "turned read receipts off).")


class ConversationPage(BaseModel):
    items: list[ConversationSummary] = Field(description="Most recent activity first.")
    next_cursor: str | None


class PrivateUnreadTotal(BaseModel):
    unread_count: int
    conversations: int = Field(description="Conversations with unread messages.")


class PrivateMuteBody(BaseModel):
    minutes: int = Field(default=-1, ge=-1, le=525600, description="-1: until unmuted; 0: unmute.")


class PrivateMuteResult(BaseModel):
    conversation_id: str
    is_muted: bool
    muted_until: str | None


class PrivateReadResult(BaseModel):
    conversation_id: str
    up_to_message_id: str | None
    read_seq: int
    unread_count: int
    read_at: str


class PrivateReportBody(BaseModel):
    reason: str = Field(min_length=3, max_length=500, pattern=r"\S")


class PrivateReportResult(BaseModel):
    report_id: str
    message_id: str
    status: Literal["open"]


class PrivateHiddenResult(BaseModel):
    message_id: str
    hidden: bool


class HiddenMessagePage(BaseModel):
    items: list[MessagePublic] = Field(description="Messages I deleted for myself, most recently deleted first.")
    next_cursor: str | None


class DmSettingsPublic(BaseModel):
    allow_messages_from: Literal["everyone", "nobody"] = Field(
        description="Who may start a conversation with me (conversations already started go on).")
    read_receipts: bool = Field(description="Off: my reads are not sent, and I see no one's (both ways).")


class DmSettingsUpdate(BaseModel):
    allow_messages_from: Literal["everyone", "nobody"] | None = None
    read_receipts: bool | None = None


class ConversationHidden(BaseModel):
    conversation_id: str
    hidden: bool


class PresencePath(BaseModel):
    user_id: str = Field(pattern=USER_ID)


class PresencePublic(BaseModel):
    user_id: str
    is_online: bool
    last_seen: str | None = Field(description="Withheld while online, from people who may not see the user, and "
                                              "for users who hide their online status.")


class OnlineUser(BaseModel):
    id: str
    username: str
    is_online: bool


class OnlinePage(BaseModel):
    items: list[OnlineUser] = Field(description="A page of the people I may see who are online now (a page walks "
                                                "my conversations, so it may hold fewer than `limit`).")
    next_cursor: str | None


class OnlineQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class WatchPresenceRequest(BaseModel):
    user_ids: list[Annotated[str, Field(pattern=USER_ID)]] = Field(min_length=1, max_length=50)


class WatchPresenceAnswer(BaseModel):
    watching: list[str] = Field(description="Those of the ids whose presence this connection now hears.")
