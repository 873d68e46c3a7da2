"""Reactions: one document per message, emoji and user, so counts stay exact under concurrency (as votes).

`reactions` container: pk = message id, id = "<emoji as hex>:<user id>". PUT creates it (Conflict: already
there, nothing to count) and only the request whose create succeeded adds one to the message's counter for that
emoji (an atomic patch, incr); DELETE removes it and only the request whose delete succeeded takes one off.
Fifty users at once give fifty creates and fifty increments; fifty identical requests from one user give one.
"""

from __future__ import annotations

from shared import clock
from shared.domain import events
from shared.domain.chat.containers import emoji_key
from shared.domain.chat.documents import ReactionDoc, message_docs, reaction_docs
from shared.domain.chat.gate import ConversationGate
from shared.domain.chat.message_models import MessageReactionResult
from shared.domain.chat.messages import message_in
from shared.domain.identity import Principal
from shared.domain.purging import delete_partition
from shared.errors import Conflict, NotFound
from shared.ports import Patch


async def do_react(gate: ConversationGate, principal: Principal, mid: str, emoji: str, *,
                   on: bool) -> MessageReactionResult:
    gate.require_poster()
    message = await message_in(gate.conversation_id, mid)
    if message.get("state") != "visible":
        raise Conflict("This message was deleted.", code="message_deleted")
    key = emoji_key(emoji)
    rid = f"{key}:{principal.user_id}"
    changed = False
    if on:
        doc: ReactionDoc = {"id": rid, "pk": mid, "emoji": emoji, "user_id": principal.user_id,
                            "created_at": clock.now_iso()}
        try:
            await reaction_docs.create(doc)
            changed = True
        except Conflict:
            pass
    else:
        try:
            await reaction_docs.delete(mid, rid)
            changed = True
        except NotFound:
            pass
    if changed:
        message = await message_docs.patch(gate.conversation_id, mid, [Patch("incr", f"/reactions/{key}",
                                                                             1 if on else -1)])
    count = max(0, int((message.get("reactions") or {}).get(key, 0)))
    if changed:
        await events.publish(gate.realtime_group, "reaction_updated",
                             {"message_id": mid, "conversation_id": gate.conversation_id, "emoji": emoji,
                              "count": count})
    return MessageReactionResult(message_id=mid, emoji=emoji, count=count, reacted=on)


async def erase_reactions_on(message_id: str) -> None:
    await delete_partition("reactions", message_id)


__all__ = ["do_react", "erase_reactions_on"]
