"""The per-side summaries of direct conversations (dm_conversations, pk = user id): kept up to date by each
send, read, unsend, mute and hide, so the conversation list, the unread total and each conversation's unread
count read these documents only: one query on the caller's partition, one read_many of the partners' cards and
one read of the caller's settings, whatever the number of conversations or messages.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from shared import clock
from shared.domain import cursors, events
from shared.domain.chat.containers import message_id, message_not_found
from shared.domain.chat.documents import MessageDoc, message_docs
from shared.domain.dm.access import PairGate, settings_of
from shared.domain.dm.containers import conversation_id, conversation_not_found
from shared.domain.dm.dm_models import (
    ConversationHidden,
    ConversationPage,
    ConversationSummary,
    PrivateLastMessage,
    PrivateMuteResult,
    PrivatePartner,
    PrivateReadResult,
    PrivateUnreadTotal,
)
from shared.domain.dm.documents import ConversationSideDoc, LastMessageDoc, conversation_docs
from shared.errors import Conflict, NotFound
from shared.ports import Patch, Query, Where

if TYPE_CHECKING:
    from shared.domain.identity import Principal

PREVIEW = 120
FOREVER = "9999-12-31T23:59:59.999Z"
UNREAD_PAGE = 200


def last_of(message: MessageDoc) -> LastMessageDoc:
    visible = message.get("state", "visible") == "visible"
    content = message.get("content") if visible else None
    return {"id": message["id"], "seq": message["seq"], "author_id": message.get("author_id") or "",
            "preview": content[:PREVIEW] if content else None, "has_gif": bool(message.get("gif_url")) and visible,
            "state": message.get("state", "visible"), "created_at": message["created_at"]}


async def _touch(owner: str, other: str, started_by: str, message: MessageDoc, *, own: bool) -> bool:
    """Updates (or starts) one side's summary; True when it started the side."""
    conv = message["conversation_id"]
    last = last_of(message)
    ops = [Patch("set", "/last_message", last), Patch("set", "/last_activity", last["created_at"]),
           Patch("set", "/hidden", False)]
    ops.append(Patch("set", "/read_seq", message["seq"]) if own else Patch("incr", "/unread_count", 1))
    for _ in range(5):
        try:
            await conversation_docs.patch(owner, conv, ops)
            return False
        except NotFound:
            doc: ConversationSideDoc = {
                "id": conv, "pk": owner, "conversation_id": conv, "user_id": owner, "other_user_id": other,
                "started_by": started_by, "created_at": last["created_at"], "last_activity": last["created_at"],
                "last_message": last, "unread_count": 0 if own else 1, "read_seq": message["seq"] if own else 0,
                "read_at": None, "partner_read_seq": 0, "muted_until": None, "hidden": False}
            try:
                await conversation_docs.create(doc)
                return True
            except Conflict:
                continue
    raise Conflict("The conversation kept changing; try again.", code="concurrent_update")


async def on_sent(gate: PairGate, message: MessageDoc) -> None:
    """After a message was stored: the sender's side (read up to it), the recipient's (one more unread), and
    the sender's other connections told (private_message_sent)."""
    await _touch(gate.user_id, gate.other_id, gate.user_id, message, own=True)
    if not gate.is_self:
        if await _touch(gate.other_id, gate.user_id, gate.user_id, message, own=False):
            from shared.domain.dm import presence

            await presence.on_conversation_started(gate.user_id, gate.other_id)
        from shared.domain.chat.messages import event_payload

        await events.publish_to_user(gate.user_id, "private_message_sent",
                                     {**event_payload(message), "to_user_id": gate.other_id})


async def refresh_last(gate: PairGate, message: MessageDoc) -> None:
    """After an edit or an unsend: the summaries whose last message this is show it as it is now."""
    owners = list(dict.fromkeys([gate.user_id, gate.other_id]))
    sides = await conversation_docs.read_many([(owner, gate.conversation_id) for owner in owners])
    for side in sides:
        last = side.get("last_message")
        if last is not None and last["id"] == message["id"]:
            try:
                await conversation_docs.patch(side["pk"], side["id"], [Patch("set", "/last_message", last_of(message))])
            except NotFound:
                pass


# ---------------------------------------------------------------------------------------------------------
# the list


def _muted(side: ConversationSideDoc) -> bool:
    until = side.get("muted_until")
    return bool(until) and (until or "") > clock.now_iso()


def present(side: ConversationSideDoc, partner: PrivatePartner | None, receipts: bool) -> ConversationSummary:
    last = side.get("last_message")
    partner_seq = int(side.get("partner_read_seq", 0))
    return ConversationSummary(
        conversation_id=side["id"], other_user_id=side["other_user_id"], other_user=partner,
        last_message=PrivateLastMessage(id=last["id"], is_from_me=last["author_id"] == side["user_id"],
                                        preview=last["preview"], has_gif=last["has_gif"], state=last["state"],
                                        created_at=last["created_at"]) if last else None,
        unread_count=max(0, int(side.get("unread_count", 0))), is_muted=_muted(side),
        muted_until=side.get("muted_until") if _muted(side) else None, last_activity=side["last_activity"],
        partner_read_up_to=message_id(side["id"], partner_seq) if receipts and partner_seq > 0 else None)


async def partners(user_ids: list[str]) -> dict[str, PrivatePartner]:
    from shared.domain.accounts import store, views

    users = await store.get_users(user_ids)
    found: dict[str, PrivatePartner] = {}
    for uid, user in users.items():
        if user.get("status") == "active":
            found[uid] = PrivatePartner(id=uid, username=user["username"], display_name=user.get("display_name"),
                                        avatar_url=await views.image_url(user.get("avatar")))
    return found


async def check_conversations(principal: Principal, *, limit: int, cursor: str | None) -> ConversationPage:
    me = principal.user_id
    scope = cursors.scope("dm_conversations", me)
    page = await conversation_docs.query(
        Query(where=[Where("hidden", "=", False)], order_by=[("last_activity", "desc")]), pk=me, limit=limit,
        continuation=cursors.continuation(scope, cursor))
    people, settings = await asyncio.gather(partners([side["other_user_id"] for side in page.items]),
                                            settings_of(me))
    receipts = settings[me]["read_receipts"]
    return ConversationPage(items=[present(side, people.get(side["other_user_id"]), receipts) for side in page.items],
                            next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_unread_total(principal: Principal) -> PrivateUnreadTotal:
    total, conversations, continuation = 0, 0, None
    while True:
        page = await conversation_docs.query(Query(where=[Where("unread_count", ">", 0)]), pk=principal.user_id,
                                             limit=UNREAD_PAGE, continuation=continuation)
        for side in page.items:
            total += int(side.get("unread_count", 0))
            conversations += 1
        continuation = page.continuation
        if continuation is None:
            return PrivateUnreadTotal(unread_count=total, conversations=conversations)


async def _side(user_id: str, conv: str) -> ConversationSideDoc:
    side = await conversation_docs.find(user_id, conv)
    if side is None:
        raise conversation_not_found()
    return side


# ---------------------------------------------------------------------------------------------------------
# reading, receipts


async def mark_read(principal: Principal, other: str, conv: str, seq: int) -> PrivateReadResult:
    """Read up to `seq` (never back): that message and every earlier one. The unread count is recounted from
    the partner's messages after it (one count in the conversation's partition); the partner hears
    messages_read unless either side turned read receipts off."""
    me = principal.user_id
    side = await _side(me, conv)
    before = int(side.get("read_seq", 0))
    upto = max(before, seq)
    now = clock.now_iso()
    unread = 0 if other == me else await message_docs.count(
        [Where("kind", "=", "message"), Where("author_id", "=", other), Where("seq", ">", upto)], pk=conv)
    await conversation_docs.patch(me, conv, [Patch("set", "/read_seq", upto), Patch("set", "/unread_count", unread),
                                             Patch("set", "/read_at", now)])
    upto_id = message_id(conv, upto) if upto > 0 else None
    if upto > before and other != me:
        settings = await settings_of(me, other)
        if settings[me]["read_receipts"] and settings[other]["read_receipts"]:
            try:
                await conversation_docs.patch(other, conv, [Patch("set", "/partner_read_seq", upto)])
            except NotFound:
                pass
            await events.publish_to_user(other, "messages_read", {"conversation_id": conv, "reader_id": me,
                                                                  "up_to_message_id": upto_id, "read_at": now})
    return PrivateReadResult(conversation_id=conv, up_to_message_id=upto_id, read_seq=upto, unread_count=unread,
                             read_at=now)


async def check_mark_read(principal: Principal, mid: str) -> PrivateReadResult:
    from shared.domain.chat.messages import message_in
    from shared.domain.dm.access import conversation_of_message

    conv, other = conversation_of_message(principal, mid)
    message = await message_in(conv, mid)
    return await mark_read(principal, other, conv, message["seq"])


async def check_mark_all_read(principal: Principal, other_user_id: str) -> PrivateReadResult:
    from shared.domain.chat.read_state import current_seq

    conv = conversation_id(principal.user_id, other_user_id)
    await _side(principal.user_id, conv)
    return await mark_read(principal, other_user_id, conv, await current_seq(conv))


# ---------------------------------------------------------------------------------------------------------
# mute, hide


async def check_mute(principal: Principal, other_user_id: str, minutes: int) -> PrivateMuteResult:
    conv = conversation_id(principal.user_id, other_user_id)
    await _side(principal.user_id, conv)
    until = None if minutes == 0 else FOREVER if minutes < 0 else clock.later_iso(minutes=minutes)
    side = await conversation_docs.patch(principal.user_id, conv, [Patch("set", "/muted_until", until)])
    return PrivateMuteResult(conversation_id=conv, is_muted=_muted(side),
                             muted_until=side.get("muted_until") if _muted(side) else None)


async def check_hide(principal: Principal, other_user_id: str) -> ConversationHidden:
    """Takes the conversation off my list (until a new message arrives); the partner keeps theirs and every
    message stays (reports keep their evidence)."""
    conv = conversation_id(principal.user_id, other_user_id)
    await _side(principal.user_id, conv)
    await conversation_docs.patch(principal.user_id, conv, [Patch("set", "/hidden", True)])
    return ConversationHidden(conversation_id=conv, hidden=True)


__all__ = ["FOREVER", "check_conversations", "check_hide", "check_mark_all_read", "check_mark_read", "check_mute",
           "check_unread_total", "last_of", "mark_read", "message_not_found", "on_sent", "refresh_last"]
