"""The followers of a room (its members, TopicsFlow's "following" a room on join) hear of new messages, batched:
one `chatroom_message` notification per member and room per window, never one per message per member.

The first message of a window claims it (a key-value set-if-absent, `chat:notify:<room>:<window>`), and only that
send records the outbox step "chat.followers_notified" in its own batch; the step pages through the room's members
and notifies each one (notification id "chatroom_<room id>_<window>", so a relay run again creates nothing twice),
skipping the author, members who muted the room, and those who blocked the author of named messages. A busy room
costs one fan-out per window, whatever its traffic. At most MAX_FOLLOWERS members are notified per window.
"""

from __future__ import annotations

import time
from typing import Any

from shared import clock, wiring
from shared.domain.chat.containers import mute_doc_id, room_partition
from shared.domain.chat.documents import message_docs, room_docs, room_member_docs, room_mute_docs
from shared.domain.chat.mentions import actor_of
from shared.domain.communities.mentions import excerpt, not_blocking
from shared.domain.notifications import service as notifications
from shared.ports import Query, Where

WINDOW_SECONDS = 600
MAX_FOLLOWERS = 2000
PAGE = 100


def current_window() -> int:
    return int(time.time() // WINDOW_SECONDS)


async def claim_window(room_id: str) -> int | None:
    """The window to notify for, when this is its first message; None otherwise."""
    window = current_window()
    claimed = await wiring.kv().set(f"chat:notify:{room_id}:{window}", "1", ttl_seconds=2 * WINDOW_SECONDS,
                                    only_if_absent=True)
    return window if claimed else None


async def notify_followers(args: dict[str, Any], hints: dict[str, Any]) -> None:
    """The outbox step "chat.followers_notified" {room_id, message_id, window}."""
    room_id, mid, window = args["room_id"], args["message_id"], args["window"]
    pk, _ = room_partition(room_id)
    room = hints.get("room") or await room_docs.find(pk, room_id)
    message = hints.get("message") or await message_docs.find(room_id, mid)
    if room is None or message is None or room.get("status", "active") != "active":
        return
    author = message.get("author_id") or ""
    actor = actor_of(message)
    continuation: str | None = None
    notified = 0
    while notified < MAX_FOLLOWERS:
        page = await room_member_docs.query(Query(where=[Where("kind", "=", "member")]), pk=room_id, limit=PAGE,
                                            continuation=continuation)
        members = [edge["user_id"] for edge in page.items if edge["user_id"] != author]
        allowed = await not_blocking(author, members, anonymous=bool(message.get("anonymous")))
        mutes = await room_mute_docs.read_many([(uid, mute_doc_id(room_id)) for uid in allowed])
        muted = {m["pk"] for m in mutes if not clock.has_passed(m.get("muted_until"))}
        for uid in allowed:
            if uid in muted:
                continue
            await notifications.notify(uid, f"chatroom_{room_id}_{window}", "chatroom_message",
                                       title=f"New messages in {room['name']}", message=excerpt(message.get("content")),
                                       data={"room_id": room_id, "message_id": mid}, actor=actor)
            notified += 1
        continuation = page.continuation
        if not continuation:
            return
