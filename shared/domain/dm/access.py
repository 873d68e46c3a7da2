"""Who may do what in a direct conversation: the pair's access gate (a chat ConversationGate) and the rules of
starting one.

- Only the two people of a conversation see it; to anyone else every message id of it is 404
  `message_not_found` (the id names the pair, so no read is needed to say no).
- Blocked either way: sending, editing and reacting are refused with one neutral error, `cannot_message`,
  whoever blocked whom (and for a recipient who does not accept new conversations).
- A banned (or deleting) account cannot send; a recipient who is not an active account is 404 `user_not_found`,
  exactly like an id that never existed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.domain.chat.containers import message_not_found, split_message_id
from shared.domain.dm.containers import partner_in
from shared.domain.dm.documents import DmSettingsDoc, settings_docs
from shared.domain.realtime.groups import user_group
from shared.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from shared.domain.chat.documents import MessageDoc
    from shared.domain.identity import Principal
    from shared.domain.outbox import Effect


def cannot_message() -> Forbidden:
    # One answer for a block either way and for a recipient who takes no new conversations: no hint who chose it.
    return Forbidden("You cannot send messages to this user.", code="cannot_message")


def user_not_found() -> NotFound:
    return NotFound("User not found.", code="user_not_found")


def default_settings(user_id: str) -> DmSettingsDoc:
    return {"id": user_id, "pk": user_id, "allow_messages_from": "everyone", "read_receipts": True,
            "updated_at": ""}


async def settings_of(*user_ids: str) -> dict[str, DmSettingsDoc]:
    unique = list(dict.fromkeys(user_ids))
    found = {doc["id"]: doc for doc in await settings_docs.read_many([(uid, uid) for uid in unique])}
    return {uid: found.get(uid) or default_settings(uid) for uid in unique}


async def blocked_between(a: str, b: str) -> bool:
    """True when either has blocked the other (one call)."""
    if a == b:
        return False
    from shared.domain.accounts.documents import block_docs

    return bool(await block_docs.read_many([(a, b), (b, a)]))


@dataclass(frozen=True)
class PairGate:
    """A ConversationGate (shared/domain/chat/gate.py) for one side of a direct conversation."""

    conversation_id: str
    user_id: str
    other_id: str
    blocked: bool = False
    sent: list[MessageDoc] = field(default_factory=list)  # what on_sent saw (the summaries are updated there)

    @property
    def viewer_id(self) -> str | None:
        return self.user_id

    @property
    def realtime_group(self) -> str:
        return user_group(self.other_id)

    @property
    def new_message_event(self) -> str:
        return "new_private_message"

    @property
    def is_self(self) -> bool:
        return self.user_id == self.other_id

    def may_moderate(self) -> bool:
        return False

    def require_poster(self) -> None:
        if self.blocked:
            raise cannot_message()

    async def anonymous_name(self, use_anonymous: bool) -> str | None:
        if use_anonymous:
            raise Forbidden("Direct messages have no anonymous names.", code="anonymous_not_allowed")
        return None

    async def effects(self, message: MessageDoc) -> tuple[list[Effect], dict[str, Any]]:
        """Outbox steps written with the message (chat's branch calls this); none for a DM yet."""
        return [], {}

    async def on_sent(self, message: MessageDoc) -> None:
        from shared.domain.dm import summaries

        self.sent.append(message)
        await summaries.on_sent(self, message)

    async def on_removed(self, message: MessageDoc, reason: str, by: str) -> None:
        return None


def conversation_of_message(principal: Principal, mid: str) -> tuple[str, str]:
    """(conversation id, partner) of a message of one of the caller's conversations; 404 otherwise."""
    conv, _ = split_message_id(mid)
    other = partner_in(conv, principal.user_id)
    if other is None:
        raise message_not_found()
    return conv, other


async def reading_gate(principal: Principal, other_user_id: str) -> PairGate:
    from shared.domain.dm.containers import conversation_id

    return PairGate(conversation_id(principal.user_id, other_user_id), principal.user_id, other_user_id)


async def writing_gate_for_message(principal: Principal, mid: str) -> PairGate:
    conv, other = conversation_of_message(principal, mid)
    return PairGate(conv, principal.user_id, other, blocked=await blocked_between(principal.user_id, other))


async def sending_gate(principal: Principal, other_user_id: str, *, has_conversation: bool) -> PairGate:
    """The rules of sending: the recipient is an active account, the sender is not banned, no block either way,
    and the recipient accepts new conversations from the sender (once started, it goes on)."""
    from shared.domain.accounts import store
    from shared.domain.dm.containers import conversation_id

    me = principal.user_id
    users, blocked, settings = await asyncio.gather(store.get_users([me, other_user_id]),
                                                    blocked_between(me, other_user_id), settings_of(other_user_id))
    recipient, sender = users.get(other_user_id), users.get(me)
    if sender is None or sender.get("status") != "active":
        raise Forbidden("Your account cannot send messages.", code="account_restricted")
    if recipient is None or recipient.get("status") != "active":
        raise user_not_found()
    if blocked:
        raise cannot_message()
    if other_user_id != me and not has_conversation and settings[other_user_id]["allow_messages_from"] == "nobody":
        raise cannot_message()
    return PairGate(conversation_id(me, other_user_id), me, other_user_id)
