"""Direct messages: send, history, edit, reactions, unsend, delete and restore for me, report, settings.

The messages are chat's (shared/domain/chat/messages.py, reactions.py) in the conversation's partition of
`messages`, reached through the pair's gate (access.py); this module adds what only a pair has: events to the
two user groups (the partner's through the gate, the caller's other connections here), the per-side summaries
(summaries.py), messages deleted for one side only, and reports with a snapshot of the reported message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import clock
from shared.domain import cursors, events
from shared.domain.chat import messages, reactions
from shared.domain.chat.documents import message_docs
from shared.domain.chat.message_models import (
    MessageCreate,
    MessagePage,
    MessagePublic,
    MessageReactionResult,
    MessageUpdate,
)
from shared.domain.dm import summaries
from shared.domain.dm.access import (
    PairGate,
    conversation_of_message,
    reading_gate,
    sending_gate,
    settings_of,
    writing_gate_for_message,
)
from shared.domain.dm.containers import conversation_id
from shared.domain.dm.dm_models import (
    DmSettingsPublic,
    DmSettingsUpdate,
    HiddenMessagePage,
    PrivateAnchorQuery,
    PrivateHiddenResult,
    PrivateMessageCreate,
    PrivateReportResult,
)
from shared.domain.dm.documents import (
    DmReportDoc,
    HiddenMessageDoc,
    conversation_docs,
    hidden_docs,
    report_docs,
    settings_docs,
)
from shared.errors import Conflict, Forbidden, NotFound
from shared.ports import Query

if TYPE_CHECKING:
    from shared.domain.identity import Principal


async def _echo(gate: PairGate, event_type: str, data: dict[str, object]) -> None:
    """The caller's own connections hear what the partner heard (the gate's group is the partner's)."""
    if not gate.is_self:
        await events.publish_to_user(gate.user_id, event_type, data)


async def check_send(principal: Principal, body: PrivateMessageCreate, *,
                     request_key: str | None = None) -> MessagePublic:
    conv = conversation_id(principal.user_id, body.to_user_id)
    recipient_side = await conversation_docs.find(body.to_user_id, conv)
    gate = await sending_gate(principal, body.to_user_id, has_conversation=recipient_side is not None)
    return await messages.do_send(gate, principal, MessageCreate(content=body.content, gif_url=body.gif_url,
                                                                 reply_to=body.reply_to, attachments=body.attachments),
                                  request_key=request_key)


async def check_get_message(principal: Principal, mid: str) -> MessagePublic:
    """One message of one of the caller's conversations (404 for anyone outside the pair)."""
    conv, other = conversation_of_message(principal, mid)
    return await messages.do_get(PairGate(conv, principal.user_id, other), mid)


async def _without_hidden(user_id: str, page: MessagePage) -> MessagePage:
    if not page.items:
        return page
    hidden = {doc["id"] for doc in await hidden_docs.read_many([(user_id, m.id) for m in page.items])}
    if not hidden:
        return page
    return MessagePage(items=[m for m in page.items if m.id not in hidden], has_older=page.has_older,
                       has_newer=page.has_newer)


async def check_history(principal: Principal, other_user_id: str, query: PrivateAnchorQuery) -> MessagePage:
    """The conversation with `other_user_id`, by anchor, without what I deleted for myself. Anyone may ask for
    any id: the conversation id is the caller's pair, so a stranger's id gives an empty page, not a hint."""
    gate = await reading_gate(principal, other_user_id)
    return await _without_hidden(principal.user_id, await messages.do_history(gate, query.anchors()))


async def check_edit(principal: Principal, mid: str, body: MessageUpdate) -> MessagePublic:
    gate = await writing_gate_for_message(principal, mid)
    edited = await messages.do_edit(gate, principal, mid, body)
    await _echo(gate, "message_updated", edited.model_dump(mode="json"))
    await summaries.refresh_last(gate, await messages.message_in(gate.conversation_id, mid))
    return edited


async def check_unsend(principal: Principal, mid: str) -> MessagePublic:
    """The sender takes a message back for both sides (content gone at once, purged later)."""
    conv, other = conversation_of_message(principal, mid)
    gate = PairGate(conv, principal.user_id, other)  # a block never stops an unsend
    unsent = await messages.do_delete(gate, principal, mid, None)
    await _echo(gate, "message_deleted", {"id": mid, "message_id": mid, "conversation_id": gate.conversation_id,
                                          "state": unsent.state})
    await summaries.refresh_last(gate, await messages.message_in(gate.conversation_id, mid))
    return unsent


async def check_delete(principal: Principal, mid: str, mode: str) -> PrivateHiddenResult:
    """DELETE /api/messages/private/{id}: soft hides it for me, hard unsends it for both (TopicsFlow's modes)."""
    if mode == "hard":
        await check_unsend(principal, mid)
        return PrivateHiddenResult(message_id=mid, hidden=True)
    return await check_delete_for_me(principal, mid)


async def check_react(principal: Principal, mid: str, emoji: str, *, on: bool) -> MessageReactionResult:
    gate = await writing_gate_for_message(principal, mid)
    result = await reactions.do_react(gate, principal, mid, emoji, on=on)
    await _echo(gate, "reaction_updated", {"message_id": mid, "conversation_id": gate.conversation_id,
                                           "emoji": emoji, "count": result.count})
    return result


async def check_delete_for_me(principal: Principal, mid: str) -> PrivateHiddenResult:
    conv, other = conversation_of_message(principal, mid)
    await messages.message_in(conv, mid)
    doc: HiddenMessageDoc = {"id": mid, "pk": principal.user_id, "conversation_id": conv, "other_user_id": other,
                             "hidden_at": clock.now_iso()}
    await hidden_docs.upsert(doc)
    return PrivateHiddenResult(message_id=mid, hidden=True)


async def check_restore_for_me(principal: Principal, mid: str) -> PrivateHiddenResult:
    conv, _ = conversation_of_message(principal, mid)
    await messages.message_in(conv, mid)
    try:
        await hidden_docs.delete(principal.user_id, mid)
    except NotFound:
        pass
    return PrivateHiddenResult(message_id=mid, hidden=False)


async def check_hidden(principal: Principal, *, limit: int, cursor: str | None) -> HiddenMessagePage:
    scope = cursors.scope("dm_hidden", principal.user_id)
    page = await hidden_docs.query(Query(order_by=[("hidden_at", "desc")]), pk=principal.user_id, limit=limit,
                                   continuation=cursors.continuation(scope, cursor))
    found = {doc["id"]: doc for doc in
             await message_docs.read_many([(h["conversation_id"], h["id"]) for h in page.items])}
    return HiddenMessagePage(items=[messages.present(found[h["id"]]) for h in page.items if h["id"] in found],
                             next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_report(principal: Principal, mid: str, reason: str) -> PrivateReportResult:
    """Reports the partner's message, with a snapshot of that message only (never the rest of the conversation).
    One report per reporter and message: reporting again answers the first report. No moderation registry exists
    on main yet, so the report is a document in dm_reports for the moderators' queue to come."""
    conv, other = conversation_of_message(principal, mid)
    message = await messages.message_in(conv, mid)
    if message.get("author_id") == principal.user_id:
        raise Forbidden("You cannot report your own message.", code="own_message")
    doc: DmReportDoc = {"id": mid, "pk": principal.user_id, "conversation_id": conv, "message_id": mid,
                        "reporter_id": principal.user_id, "reported_user_id": other, "reason": reason.strip(),
                        "snapshot": {**messages.present(message).model_dump(mode="json"),
                                     "content": message.get("content"), "gif_url": message.get("gif_url")},
                        "status": "open", "created_at": clock.now_iso()}
    try:
        await report_docs.create(doc)
    except Conflict:
        pass
    return PrivateReportResult(report_id=f"dmr_{principal.user_id}_{mid}", message_id=mid, status="open")


async def check_settings(principal: Principal) -> DmSettingsPublic:
    settings = (await settings_of(principal.user_id))[principal.user_id]
    return DmSettingsPublic(allow_messages_from=settings["allow_messages_from"],
                            read_receipts=settings["read_receipts"])


async def check_update_settings(principal: Principal, body: DmSettingsUpdate) -> DmSettingsPublic:
    current = (await settings_of(principal.user_id))[principal.user_id]
    updated = {**current, "updated_at": clock.now_iso()}
    if body.allow_messages_from is not None:
        updated["allow_messages_from"] = body.allow_messages_from
    if body.read_receipts is not None:
        updated["read_receipts"] = body.read_receipts
    await settings_docs.upsert({"id": principal.user_id, "pk": principal.user_id,
                                "allow_messages_from": updated["allow_messages_from"],
                                "read_receipts": updated["read_receipts"], "updated_at": updated["updated_at"]})
    return DmSettingsPublic(allow_messages_from=updated["allow_messages_from"],
                            read_receipts=updated["read_receipts"])


__all__ = ["check_delete", "check_delete_for_me", "check_edit", "check_hidden", "check_history", "check_react",
           "check_report", "check_restore_for_me", "check_send", "check_settings", "check_unsend",
           "check_update_settings"]
