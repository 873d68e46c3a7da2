"""Mentions in room messages -> exactly one `mention` notification per mentioned member, and the mention count
of their read marker (the `mention_count` room lists show).

`@username` names members of the room; `@everyone` (or `@todos`, TopicsFlow's Portuguese spelling) in a private
room, from its owner or a moderator, names every member. Each mentioned member gets the notification
"mention_<message id>" (an id per cause, so a relay run again creates nothing twice) unless they muted the room
or blocked the author. For an anonymous message the notification names the alias and carries no user id, and
blocks do not apply (whether someone hears from an alias must not depend on who is behind it).

It runs as an outbox step recorded in the message's own batch (shared/domain/outbox.py), so a failure after the
send neither loses the notifications nor makes the client retry into a duplicate message. Cost: a few read_many
calls for the page of candidates, then one create per recipient; `@everyone` reaches at most MAX_EVERYONE members.
"""

from __future__ import annotations

import re
from typing import Any

from shared import clock
from shared.domain.chat import read_state
from shared.domain.chat.containers import member_id, mute_doc_id, room_partition
from shared.domain.chat.documents import MessageDoc, RoomDoc, message_docs, room_docs, room_member_docs, room_mute_docs
from shared.domain.communities.mentions import excerpt, mentioned_names, not_blocking, resolve_usernames
from shared.domain.notifications import service as notifications
from shared.domain.notifications.models import Actor
from shared.ports import Query, Where

MAX_EVERYONE = 500
_EVERYONE = re.compile(r"(?<![A-Za-z0-9_.@-])@(everyone|todos)(?![A-Za-z0-9])", re.IGNORECASE)


def may_mention(content: str | None) -> bool:
    """Whether a message might mention anyone (so the send records the step at all)."""
    return bool(content) and "@" in (content or "")


def says_everyone(content: str | None) -> bool:
    return bool(content and _EVERYONE.search(content))


async def _members(room_id: str, limit: int) -> list[str]:
    page = await room_member_docs.query(Query(where=[Where("kind", "=", "member")], order_by=[("joined_at", "asc")]),
                                        pk=room_id, limit=limit)
    return [edge["user_id"] for edge in page.items]


async def _moderates(room: RoomDoc, user_id: str) -> bool:
    if room.get("owner_id") == user_id:
        return True
    edge = await room_member_docs.find(room["id"], member_id(user_id))
    return edge is not None and edge.get("role") == "moderator"


def actor_of(message: MessageDoc) -> Actor:
    if message.get("anonymous"):
        return Actor(display_name=message.get("anonymous_name") or "anonymous", anonymous=True)
    return Actor(display_name=message.get("author_username") or "", anonymous=False,
                 user_id=message.get("author_id"), username=message.get("author_username"))


async def recipients(room: RoomDoc, message: MessageDoc) -> list[str]:
    author = message.get("author_id") or ""
    content = message.get("content")
    candidates: list[str] = []
    if says_everyone(content) and room.get("visibility") == "private" and await _moderates(room, author):
        candidates = await _members(room["id"], MAX_EVERYONE)
    named = list(await resolve_usernames(mentioned_names(content)))
    if named:
        members = await room_member_docs.read_many([(room["id"], member_id(uid)) for uid in named])
        candidates += [edge["user_id"] for edge in members]
    candidates = [uid for uid in dict.fromkeys(candidates) if uid != author]
    if not candidates:
        return []
    allowed = await not_blocking(author, candidates, anonymous=bool(message.get("anonymous")))
    mutes = await room_mute_docs.read_many([(uid, mute_doc_id(room["id"])) for uid in allowed])
    muted = {m["pk"] for m in mutes if not clock.has_passed(m.get("muted_until"))}
    return [uid for uid in allowed if uid not in muted]


async def notify_room_mentions(args: dict[str, Any], hints: dict[str, Any]) -> None:
    """The outbox step "chat.mentioned" {room_id, message_id}."""
    room_id, mid = args["room_id"], args["message_id"]
    pk, _ = room_partition(room_id)
    room = hints.get("room") or await room_docs.find(pk, room_id)
    message = hints.get("message") or await message_docs.find(room_id, mid)
    if room is None or message is None or message.get("state") != "visible" or not message.get("author_id"):
        return
    actor = actor_of(message)
    for uid in await recipients(room, message):
        created = await notifications.notify(
            uid, f"mention_{mid}", "mention", title=f"{actor.display_name} mentioned you in {room['name']}",
            message=excerpt(message.get("content")), data={"room_id": room_id, "message_id": mid}, actor=actor)
        if created is not None:
            await read_state.add_mention(uid, room_id)
