"""Presence: online while any of a user's connections is open, offline a grace period after the last one closed.

Everything lives in the key-value store (Redis), so a worker or dev host restart loses nothing:

    pr:conns:<uid>     set of the user's open connection ids   (TTL of a connection record, renewed on connect)
    pr:on:<uid>        "1" while the user counts as online      (set only-if-absent: one user_online per stretch)
    pr:pending:<uid>   when the last connection closed          (the grace period is running)
    pr:pending         set of users whose grace period runs     (the presence timer finishes them)
    pr:seen:<uid>      last_seen (ISO time), kept 90 days

A connect adds the connection; the first one of a stretch sets pr:on and publishes `user_online` once. A
disconnect removes it; when none is left, pr:pending starts the grace period. A later connect within it clears
pr:pending (no event at all: a reload is no flicker). When the period has passed, whoever deletes pr:on first (a
delayed check in this worker, or the presence timer every few seconds in any worker) writes last_seen and
publishes `user_offline` once. Stale connections end through the realtime sweep (connections.py), which calls
the same disconnect.

Who hears: each user has a group `presence_<uid>`; a viewer's connections are added to it after an access check
(`may_see`: the viewer's DM partner or a co-member of one of their rooms, with no block either way). A change is
one publish to that group, whatever the site's population; a connect costs one query of the viewer's recent
conversations and one add call for up to WATCH_BATCH groups. A block takes both users' connections out of each
other's presence groups. `show_online_status: false` hides the user entirely: no events, offline and no
last_seen to everyone else.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from shared import clock, wiring
from shared.domain import events
from shared.domain.dm.access import blocked_between
from shared.domain.dm.containers import conversation_id
from shared.domain.dm.documents import conversation_docs
from shared.ports import Query, Where
from shared.realtime_filters import connection_filter, user_filter
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.domain.dm.dm_models import OnlinePage, PresencePublic
    from shared.domain.identity import Principal

log = logging.getLogger("topicsflow.presence")

PENDING = "pr:pending"
CONNS_TTL = 7 * 24 * 3600.0
ON_TTL = 7 * 24 * 3600.0
SEEN_TTL = 90 * 24 * 3600.0
WATCH_BATCH = 100  # presence groups a connect subscribes to at most (the most recent conversations)
ROOMS_CHECKED = 200

_tasks: set[asyncio.Task[None]] = set()


def presence_group(user_id: str) -> str:
    return f"presence_{user_id}"


def _conns(uid: str) -> str:
    return f"pr:conns:{uid}"


def _on(uid: str) -> str:
    return f"pr:on:{uid}"


def _pending(uid: str) -> str:
    return f"pr:pending:{uid}"


def _seen(uid: str) -> str:
    return f"pr:seen:{uid}"


def grace() -> float:
    return get_settings().presence_grace_seconds


async def _shows_status(user_id: str) -> tuple[bool, str]:
    from shared.domain.accounts import store

    user = await store.get_user(user_id)
    if user is None:
        return False, ""
    return bool((user.get("preferences") or {}).get("show_online_status", True)), user.get("username", "")


# ---------------------------------------------------------------------------------------------------------
# connections


async def on_connected(user_id: str, connection_id: str) -> None:
    kv = wiring.kv()
    await kv.set_add(_conns(user_id), connection_id, ttl_seconds=CONNS_TTL)
    if await kv.delete(_pending(user_id)):
        await kv.set_remove(PENDING, user_id)
    if await kv.set(_on(user_id), clock.now_iso(), ttl_seconds=ON_TTL, only_if_absent=True):
        shows, username = await _shows_status(user_id)
        if shows:
            await events.publish(presence_group(user_id), "user_online", {"user_id": user_id, "username": username})
    await watch_partners(user_id, connection_id)


async def on_disconnected(user_id: str, connection_id: str) -> None:
    kv = wiring.kv()
    await kv.set_remove(_conns(user_id), connection_id)
    if await kv.set_members(_conns(user_id)):
        return
    await kv.set(_pending(user_id), str(clock.now().timestamp()), ttl_seconds=ON_TTL)
    await kv.set_add(PENDING, user_id)
    task = asyncio.get_running_loop().create_task(_finish_later(user_id))  # best effort; the timer covers it
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _finish_later(user_id: str) -> None:
    try:
        await asyncio.sleep(grace() + 0.05)
        await finish(user_id)
    except Exception:
        log.warning("presence: the delayed offline check failed (the timer will do it)", exc_info=True)


async def finish(user_id: str) -> bool:
    """Offline, if the grace period has passed with no connection back; True when this call published."""
    kv = wiring.kv()
    raw = await kv.get(_pending(user_id))
    if raw is None:
        await kv.set_remove(PENDING, user_id)
        return False
    if clock.now().timestamp() - float(raw) < grace():
        return False
    if await kv.set_members(_conns(user_id)):
        await kv.delete(_pending(user_id))
        await kv.set_remove(PENDING, user_id)
        return False
    await kv.delete(_pending(user_id))
    await kv.set_remove(PENDING, user_id)
    if not await kv.delete(_on(user_id)):
        return False  # another worker finished it
    await kv.set(_seen(user_id), clock.now_iso(), ttl_seconds=SEEN_TTL)
    shows, username = await _shows_status(user_id)
    if shows:
        await events.publish(presence_group(user_id), "user_offline",
                             {"user_id": user_id, "username": username, "last_seen": clock.now_iso()})
    return True


async def sweep() -> int:
    """The presence timer: finishes every grace period that has run out (after a restart too)."""
    done = 0
    for user_id in sorted(await wiring.kv().set_members(PENDING)):
        if await finish(user_id):
            done += 1
    return done


async def on_visibility_changed(user_id: str, shows: bool) -> None:
    """show_online_status changed: an online user who hides goes offline to everyone at once (no last_seen),
    and one who shows again comes online."""
    if await wiring.kv().get(_on(user_id)) is None:
        return
    from shared.domain.accounts import store

    user = await store.get_user(user_id)
    data = {"user_id": user_id, "username": (user or {}).get("username", "")}
    await events.publish(presence_group(user_id), "user_online" if shows else "user_offline",
                         data if shows else {**data, "last_seen": None})


# ---------------------------------------------------------------------------------------------------------
# who may see whom


async def _co_members(viewer: str, target: str) -> bool:
    from shared.domain.chat.documents import user_room_docs

    page = await user_room_docs.query(Query(where=[Where("kind", "=", "member")]), pk=target, limit=ROOMS_CHECKED)
    if not page.items:
        return False
    return bool(await user_room_docs.read_many([(viewer, doc["id"]) for doc in page.items]))


async def may_see(viewer: str, target: str) -> bool:
    """The viewer may see the target's presence: a DM partner or a co-member of a room, no block either way."""
    if viewer == target:
        return True
    if await blocked_between(viewer, target):
        return False
    if await conversation_docs.find(viewer, conversation_id(viewer, target)) is not None:
        return True
    return await _co_members(viewer, target)


async def watch_partners(user_id: str, connection_id: str) -> int:
    """Puts a new connection in the presence groups of the user's most recent DM partners (no block)."""
    page = await conversation_docs.query(Query(order_by=[("last_activity", "desc")]), pk=user_id, limit=WATCH_BATCH)
    partners = [side["other_user_id"] for side in page.items if side["other_user_id"] != user_id]
    if not partners:
        return 0
    from shared.domain.accounts.documents import block_docs

    blocks = await block_docs.read_many([key for p in partners for key in ((user_id, p), (p, user_id))])
    blocked = {doc["pk"] for doc in blocks} | {doc["id"] for doc in blocks}
    groups = [presence_group(p) for p in partners if p not in blocked]
    if groups:
        await wiring.realtime().add_connections_to_groups(groups, connection_filter(connection_id))
    return len(groups)


async def watch(principal: Principal, connection_id: str, user_ids: list[str]) -> list[str]:
    """The `watch_presence` event: the connection hears the presence of those of `user_ids` it may see."""
    allowed = [uid for uid in dict.fromkeys(user_ids) if uid != principal.user_id
               and await may_see(principal.user_id, uid)]
    if allowed:
        await wiring.realtime().add_connections_to_groups([presence_group(u) for u in allowed],
                                                          connection_filter(connection_id))
    return allowed


async def on_conversation_started(a: str, b: str) -> None:
    """A new DM pair: each one's connections hear the other's presence from now on."""
    if a == b:
        return
    realtime = wiring.realtime()
    try:
        await realtime.add_connections_to_groups([presence_group(b)], user_filter(a))
        await realtime.add_connections_to_groups([presence_group(a)], user_filter(b))
    except Exception:
        log.warning("presence: could not subscribe a new pair", exc_info=True)


async def on_blocked(blocker: str, blocked: str) -> None:
    """Blocks hide presence both ways: both users' connections leave each other's presence group."""
    realtime = wiring.realtime()
    try:
        await realtime.remove_connections_from_groups([presence_group(blocker)], user_filter(blocked))
        await realtime.remove_connections_from_groups([presence_group(blocked)], user_filter(blocker))
    except Exception:
        log.warning("presence: could not unsubscribe a blocked pair", exc_info=True)


# ---------------------------------------------------------------------------------------------------------
# reading presence


async def state_of(viewer: str, target: str) -> tuple[bool, str | None]:
    """(is_online, last_seen) of the target as the viewer may see it: offline and no last_seen when hidden."""
    if not await may_see(viewer, target):
        return False, None
    if target != viewer and not (await _shows_status(target))[0]:
        return False, None
    on, seen = await wiring.kv().get_many([_on(target), _seen(target)])
    return on is not None, (seen.decode() if seen is not None else None)


async def check_presence(principal: Principal, user_id: str) -> PresencePublic:
    from shared.domain.accounts.access import access_user_profile
    from shared.domain.dm.dm_models import PresencePublic

    await access_user_profile(user_id)  # 404 like the card for ids that are not active accounts
    online, seen = await state_of(principal.user_id, user_id)
    return PresencePublic(user_id=user_id, is_online=online, last_seen=None if online else seen)


async def check_online(principal: Principal, *, limit: int, cursor: str | None) -> OnlinePage:
    """The online people the caller may see, walking their DM conversations (most recent first) a page at a time:
    one query, one read of the partners' accounts and blocks, one multi-get of presence keys per page."""
    from shared.domain import cursors
    from shared.domain.accounts import store
    from shared.domain.accounts.documents import block_docs
    from shared.domain.dm.dm_models import OnlinePage, OnlineUser

    me = principal.user_id
    scope = cursors.scope("dm_online", me)
    page = await conversation_docs.query(Query(order_by=[("last_activity", "desc")]), pk=me, limit=limit,
                                         continuation=cursors.continuation(scope, cursor))
    partners = [side["other_user_id"] for side in page.items if side["other_user_id"] != me]
    items: list[OnlineUser] = []
    if partners:
        users, blocks, flags = await asyncio.gather(
            store.get_users(partners),
            block_docs.read_many([key for p in partners for key in ((me, p), (p, me))]),
            wiring.kv().get_many([_on(p) for p in partners]))
        blocked = {doc["pk"] for doc in blocks} | {doc["id"] for doc in blocks}
        for partner, flag in zip(partners, flags, strict=True):
            user = users.get(partner)
            if flag is None or user is None or partner in blocked or user.get("status") != "active":
                continue
            if not (user.get("preferences") or {}).get("show_online_status", True):
                continue
            items.append(OnlineUser(id=partner, username=user["username"], is_online=True))
    return OnlinePage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


__all__ = ["check_online", "check_presence", "finish", "may_see", "on_blocked", "on_connected",
           "on_conversation_started", "on_disconnected", "on_visibility_changed", "presence_group", "state_of",
           "sweep", "watch", "watch_partners"]
