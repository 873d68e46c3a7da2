"""Messages of chat rooms: the room's access gate (access.py) bound to the conversation code (messages.py,
reactions.py, read_state.py). A room's conversation id is the room id; its events go to chat_room_<id>.

The old topic chat (/api/messages/topic/{topic_id}) is the topic's built-in `general` conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shared import clock
from shared.domain import cursors
from shared.domain.chat import messages, reactions, read_state
from shared.domain.chat.access import RoomAccess, access_room
from shared.domain.chat.attachment_models import AttachmentAccess
from shared.domain.chat.containers import general_room_id, message_not_found, room_partition, split_message_id
from shared.domain.chat.documents import MessageDoc, room_docs
from shared.domain.chat.message_models import (
    ChatListQuery,
    MessageCreate,
    MessageHistoryQuery,
    MessagePage,
    MessagePublic,
    MessageReactionResult,
    MessageReportBody,
    MessageReportCreated,
    MessageReportPage,
    MessageReportPublic,
    MessageSearchPage,
    MessageSearchQuery,
    MessageUpdate,
    ModerationLogEntry,
    ModerationLogPage,
    ReadStatePublic,
)
from shared.domain.communities.people import user_ref, usernames
from shared.domain.identity import Principal
from shared.domain.realtime.groups import chat_room_group
from shared.errors import Conflict, Forbidden, NotFound
from shared.ports import Patch, Query, Where

if TYPE_CHECKING:
    from shared.domain.outbox import Effect


@dataclass(frozen=True)
class RoomGate:
    """A ConversationGate (gate.py) for one caller in one room."""

    access: RoomAccess

    @property
    def conversation_id(self) -> str:
        return self.access.room_id

    @property
    def viewer_id(self) -> str | None:
        return self.access.user_id

    @property
    def realtime_group(self) -> str:
        return chat_room_group(self.access.room_id)

    @property
    def new_message_event(self) -> str:
        return "new_chat_room_message"

    def may_moderate(self) -> bool:
        return self.access.moderates

    def require_poster(self) -> None:
        self.access.require_poster()

    async def anonymous_name(self, use_anonymous: bool) -> str | None:
        if not use_anonymous:
            return None
        topic = self.access.topic
        if topic is None:
            raise Forbidden("Group chats have no anonymous names.", code="anonymous_not_allowed")
        from shared.domain.communities.posts import alias_if_anonymous

        return await alias_if_anonymous(topic, self.access.user_id or "", True)

    async def effects(self, message: MessageDoc) -> tuple[list[Effect], dict[str, Any]]:
        """Mentions when the text may hold one; the followers' notification for the first message of a window."""
        from shared.domain import outbox
        from shared.domain.chat import followers
        from shared.domain.chat.mentions import may_mention

        room_id = self.access.room_id
        effects = []
        if may_mention(message.get("content")):
            effects.append(outbox.step("chat.mentioned", room_id=room_id, message_id=message["id"]))
        window = await followers.claim_window(room_id)
        if window is not None:
            effects.append(outbox.step("chat.followers_notified", room_id=room_id, message_id=message["id"],
                                       window=window))
        return effects, {"room": self.access.room, "message": message}

    async def on_sent(self, message: MessageDoc) -> None:
        room = self.access.room
        try:
            await room_docs.patch(room["pk"], room["id"], [Patch("set", "/last_activity", message["created_at"])])
        except NotFound:
            pass

    async def on_removed(self, message: MessageDoc, reason: str, by: str) -> None:
        from shared.domain.chat.membership import log_action

        await log_action(self.access.room_id, "message_removed", by, target=message.get("author_id"),
                         message_id=message["id"], reason=reason)


async def _gate(principal: Principal | None, room_id: str) -> RoomGate:
    return RoomGate(await access_room(principal, room_id))


async def check_send(principal: Principal, room_id: str, body: MessageCreate, *,
                     request_key: str | None = None) -> MessagePublic:
    return await messages.do_send(await _gate(principal, room_id), principal, body, request_key=request_key)


async def check_history(principal: Principal | None, room_id: str, query: MessageHistoryQuery) -> MessagePage:
    return await messages.do_history(await _gate(principal, room_id), query)


async def check_search(principal: Principal | None, room_id: str, query: MessageSearchQuery) -> MessageSearchPage:
    return await messages.do_search(await _gate(principal, room_id), query)


async def check_get_room_message(principal: Principal | None, room_id: str, message_id: str) -> MessagePublic:
    return await messages.do_get(await _gate(principal, room_id), message_id)


async def check_get_message(principal: Principal | None, message_id: str) -> MessagePublic:
    """Any message by id, for whoever may read its room (404 `message_not_found` otherwise)."""
    conversation_id, _ = split_message_id(message_id)
    try:
        room_partition(conversation_id)
        gate = await _gate(principal, conversation_id)
    except (NotFound, Forbidden):
        raise message_not_found() from None
    return await messages.do_get(gate, message_id)


async def check_edit(principal: Principal, room_id: str, message_id: str, body: MessageUpdate) -> MessagePublic:
    return await messages.do_edit(await _gate(principal, room_id), principal, message_id, body)


async def check_delete(principal: Principal, room_id: str, message_id: str, reason: str | None) -> MessagePublic:
    return await messages.do_delete(await _gate(principal, room_id), principal, message_id, reason)


async def check_react(principal: Principal, room_id: str, message_id: str, emoji: str, *,
                      on: bool) -> MessageReactionResult:
    return await reactions.do_react(await _gate(principal, room_id), principal, message_id, emoji, on=on)


async def check_mark_read(principal: Principal, room_id: str, message_id: str) -> ReadStatePublic:
    gate = await _gate(principal, room_id)
    message = await messages.message_in(gate.conversation_id, message_id)
    marker = await read_state.mark_read(principal.user_id, room_id, message["seq"])
    seq = await read_state.current_seq(room_id)
    return ReadStatePublic(conversation_id=room_id, read_seq=marker["read_seq"],
                           unread_count=max(0, seq - marker["read_seq"]), mention_count=marker["mention_count"])


async def check_get_attachment(principal: Principal | None, attachment_id: str) -> AttachmentAccess:
    """A short-lived URL of a message's file, for whoever may read the message (404 otherwise)."""
    from shared.domain.chat import attachments

    found = await attachments.lookup(attachment_id)
    try:
        if found["conversation_id"].startswith("dm_"):  # a direct message's file: the pair's own check
            from shared.domain.dm import private

            if principal is None:
                raise attachments.attachment_not_found()
            message = await private.check_get_message(principal, found["message_id"])
        else:
            message = await check_get_message(principal, found["message_id"])
    except NotFound:
        raise attachments.attachment_not_found() from None
    if attachment_id not in {a.id for a in message.attachments}:
        raise attachments.attachment_not_found()
    url, disposition = await attachments.signed_url(found)
    return AttachmentAccess(id=attachment_id, filename=found["filename"], mime_type=found["mime_type"],
                            size=found["size"], url=url, expires_in=attachments.READ_SECONDS,
                            disposition=disposition)


async def check_report(principal: Principal, message_id: str, body: MessageReportBody) -> MessageReportCreated:
    """One report per user and message, for who may read it; the room's moderators list them."""
    from shared.domain.chat.documents import message_report_docs
    from shared.domain.communities.mentions import excerpt

    conversation_id, _ = split_message_id(message_id)
    message = await check_get_message(principal, message_id)
    report_id = f"{message_id}.{principal.user_id}"
    try:
        await message_report_docs.create({
            "id": report_id, "pk": conversation_id, "message_id": message_id, "reporter_id": principal.user_id,
            "reason": body.reason.strip(), "status": "open", "created_at": clock.now_iso(),
            "excerpt": excerpt(message.content)})
    except Conflict:
        raise Conflict("You already reported this message.", code="already_reported") from None
    return MessageReportCreated(report_id=report_id, message_id=message_id, status="open")


async def check_list_reports(principal: Principal, room_id: str, query: ChatListQuery) -> MessageReportPage:
    from shared.domain.chat.documents import message_report_docs

    access = await access_room(principal, room_id)
    access.require_moderator()
    scope = f"message_reports:{room_id}"
    page = await message_report_docs.query(Query(where=[Where("status", "=", "open")],
                                                 order_by=[("created_at", "desc")]), pk=room_id,
                                           limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    names = await usernames(r["reporter_id"] for r in page.items)
    return MessageReportPage(items=[MessageReportPublic(
        id=r["id"], message_id=r["message_id"], reporter=user_ref(r["reporter_id"], names), reason=r["reason"],
        excerpt=r["excerpt"], created_at=r["created_at"]) for r in page.items],
        next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_moderation_log(principal: Principal, room_id: str, query: ChatListQuery) -> ModerationLogPage:
    from shared.domain.chat.documents import room_log_docs

    access = await access_room(principal, room_id)
    access.require_moderator()
    scope = f"room_log:{room_id}"
    page = await room_log_docs.query(Query(order_by=[("created_at", "desc")]), pk=room_id, limit=query.limit,
                                     continuation=cursors.continuation(scope, query.cursor))
    names = await usernames(e["by"] for e in page.items)
    return ModerationLogPage(items=[ModerationLogEntry(
        action=e["action"], by=user_ref(e["by"], names), target_user_id=e.get("target_user_id"),
        message_id=e.get("message_id"), reason=e.get("reason"), created_at=e["created_at"]) for e in page.items],
        next_cursor=cursors.next_cursor(scope, page.continuation))


# the old topic chat: the topic's general conversation


async def check_topic_history(principal: Principal | None, topic_id: str, query: MessageHistoryQuery) -> MessagePage:
    return await check_history(principal, general_room_id(topic_id), query)


async def check_topic_send(principal: Principal, topic_id: str, body: MessageCreate, *,
                           request_key: str | None = None) -> MessagePublic:
    return await check_send(principal, general_room_id(topic_id), body, request_key=request_key)


__all__ = ["RoomGate", "check_delete", "check_edit", "check_get_message", "check_history", "check_mark_read",
           "check_react", "check_search", "check_send", "check_topic_history", "check_topic_send"]
