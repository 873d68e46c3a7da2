"""The call lifecycle: create, join, leave, end, and the reads that recover a call after a page reload.

A call lives in one document per place (documents.py): creating is a store create of the place's `active`
document, so two people pressing "call" at once get one call and the second is answered `voip_call_exists`.
Every change to the participants is a read and a conditional replace (If-Match), retried on a lost race, so
concurrent joins, leaves, heartbeats and the stale-call timer never lose each other's writes.

A participant's connection is put in the call's group `voip_<call id>` (and its guard) by the app, never by the
client; leaving, being dropped (a block, a kick from the room) or the call ending takes it out again.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from shared import clock, errors, wiring
from shared.domain import cursors, events
from shared.domain.realtime import grants
from shared.domain.realtime.groups import Scope, call_group
from shared.domain.voip import places
from shared.domain.voip.call_models import CallAnswer, CallPage, CallView, MaybeCall, Participant
from shared.domain.voip.documents import ACTIVE_ID, CallDoc, ParticipantDoc, RoomType, call_docs
from shared.ports import Query, Where
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.domain.identity import Principal

log = logging.getLogger("topicsflow.voip")
RETRIES = 8
MINE_TTL_SECONDS = 24 * 3600


def call_not_found() -> errors.NotFound:
    return errors.NotFound("No such call, or you are not in it.", code="call_not_found")


def now_ms() -> int:
    return int(time.time() * 1000)


def _mine_key(user_id: str) -> str:
    return f"voip:mine:{user_id}"


def call_scope(call_id: str) -> Scope:
    return Scope("call", call_id)


def view(doc: CallDoc) -> CallView:
    return CallView(id=doc["call_id"], room_id=doc["room_id"], room_type=doc["room_type"], room_name=doc["room_name"],
                    created_by=doc["created_by"], status=doc["status"],
                    participants=[Participant(user_id=p["user_id"], username=p["username"], joined_at=p["joined_at"],
                                              is_muted=p["is_muted"], is_disconnected=p["is_disconnected"])
                                  for p in doc["participants"].values()],
                    created_at=doc["created_at"], ended_at=doc["ended_at"], end_reason=doc["end_reason"])


def user_ref(principal: Principal) -> dict[str, str]:
    return {"user_id": principal.user_id, "username": principal.username}


def _participant(principal: Principal) -> ParticipantDoc:
    return ParticipantDoc(user_id=principal.user_id, username=principal.username, joined_at=clock.now_iso(),
                          last_heartbeat_ms=now_ms(), is_muted=False, is_disconnected=False)


# ---- reading ----------------------------------------------------------------------------------------------

async def active_call(place_key: str) -> CallDoc | None:
    return await call_docs.find(place_key, ACTIVE_ID)


async def read_active(call_id: str) -> CallDoc:
    """The active call with this id, or 404 call_not_found (ended, never existed, or a malformed id)."""
    doc = await active_call(places.place_of_call(call_id))
    if doc is None or doc["call_id"] != call_id:
        raise call_not_found()
    return doc


async def participant_call(principal: Principal, call_id: str) -> CallDoc:
    """The active call, for one of its current participants only (404 for everyone else: no probing of ids)."""
    doc = await read_active(call_id)
    if principal.user_id not in doc["participants"]:
        raise call_not_found()
    return doc


async def update(call_id: str, change: Callable[[CallDoc], bool]) -> CallDoc:
    """Applies `change` to the active call and writes it back if it changed something (True), retrying when a
    concurrent write got there first. 404 once the call has ended."""
    for _ in range(RETRIES):
        doc = await read_active(call_id)
        if not change(doc):
            return doc
        try:
            return await call_docs.replace(doc, if_match=doc.get("_etag"))
        except (errors.PreconditionFailed, errors.NotFound):
            continue
    raise errors.Conflict("The call is changing too fast; try again.", code="call_busy")


# ---- the lifecycle ----------------------------------------------------------------------------------------

async def create_call(principal: Principal, connection_id: str, room_id: str, room_type: RoomType) -> CallAnswer:
    place = await places.access_place(principal, room_id, room_type)
    existing = await active_call(place.key)
    if existing is not None:
        return CallAnswer(event="voip_call_exists", call=view(existing))
    call_id = f"{place.key}-{secrets.token_hex(6)}"
    doc = CallDoc(id=ACTIVE_ID, pk=place.key, call_id=call_id, place=place.key, room_type=place.room_type,
                  room_id=place.room_id, room_name=place.name, created_by=principal.user_id, status="active",
                  participants={principal.user_id: _participant(principal)}, created_at=clock.now_iso(),
                  ended_at=None, end_reason=None)
    try:
        doc = await call_docs.create(doc)
    except errors.Conflict:  # someone else's call won the place a moment ago
        existing = await active_call(place.key)
        if existing is None:
            raise errors.Conflict("A call here just ended; try again.", code="call_busy") from None
        return CallAnswer(event="voip_call_exists", call=view(existing))
    await _enter(principal, connection_id, doc)
    call = view(doc).model_dump(mode="json")
    if place.room_group is not None:
        await events.publish(place.room_group, "voip_call_started", {"call": call, "started_by": user_ref(principal)})
    for member in place.members:
        if member != principal.user_id:
            await events.publish_to_user(member, "voip_incoming_call", {"call": call, "caller": user_ref(principal)})
    return CallAnswer(event="voip_call_created", call=view(doc))


async def join_call(principal: Principal, connection_id: str, call_id: str) -> CallAnswer:
    doc = await read_active(call_id)
    if not await places.still_allowed(principal, doc["place"], doc["room_id"], doc["room_type"]):
        raise call_not_found()
    limit = get_settings().voip_max_participants

    def add(call: CallDoc) -> bool:
        current = call["participants"].get(principal.user_id)
        if current is not None:  # a rejoin (another tab, a reload): back from disconnected
            current.update(is_disconnected=False, last_heartbeat_ms=now_ms())
            return True
        if len(call["participants"]) >= limit:
            raise errors.Conflict(f"The call is full ({limit} people).", code="call_full")
        call["participants"][principal.user_id] = _participant(principal)
        return True

    doc = await update(call_id, add)
    await _enter(principal, connection_id, doc)
    await events.publish(call_group(call_id), "voip_user_joined", {"call_id": call_id, "user": user_ref(principal)})
    return CallAnswer(event="voip_call_joined", call=view(doc))


async def _enter(principal: Principal, connection_id: str, doc: CallDoc) -> None:
    call_id = doc["call_id"]

    async def still_in() -> bool:
        current = await active_call(doc["place"])
        return current is not None and current["call_id"] == call_id and principal.user_id in current["participants"]

    await wiring.kv().set(_mine_key(principal.user_id), call_id, ttl_seconds=MINE_TTL_SECONDS)
    if not await grants.record_and_add(principal.user_id, connection_id, call_group(call_id),
                                       [call_scope(call_id)], still_in):
        raise call_not_found()


async def leave_call(principal: Principal, call_id: str) -> CallAnswer:
    await participant_call(principal, call_id)
    await remove_participant(call_id, principal.user_id, reason="left")
    return CallAnswer(event="voip_left_call", call=None)


async def remove_participant(call_id: str, user_id: str, *, reason: str) -> None:
    """Takes a user out of a call (left, dropped, gone silent); ends the call when nobody is left."""
    removed: dict[str, ParticipantDoc] = {}

    def drop(call: CallDoc) -> bool:
        gone = call["participants"].pop(user_id, None)
        if gone is None:
            return False
        removed[user_id] = gone
        return True

    try:
        doc = await update(call_id, drop)
    except errors.NotFound:
        return
    if user_id not in removed:
        return
    await grants.revoke(user_id, call_scope(call_id))
    await _forget_mine(user_id, call_id)
    gone = removed[user_id]
    if not doc["participants"]:
        await end_call(doc, "no_participants")
        return
    await events.publish(call_group(call_id), "voip_user_left",
                         {"call_id": call_id, "user": {"user_id": user_id, "username": gone["username"]},
                          "reason": reason})


async def end_call(doc: CallDoc, reason: str) -> bool:
    """Ends an active call: its history copy is written, the place is freed, everyone is told and taken out of
    the call's group. False when someone else ended it first."""
    ended = CallDoc(**{k: v for k, v in doc.items() if not k.startswith("_")})  # type: ignore[typeddict-item]
    ended.update(id=doc["call_id"], status="ended", ended_at=clock.now_iso(), end_reason=reason)
    await call_docs.upsert(ended)
    try:
        await call_docs.delete(doc["place"], ACTIVE_ID, if_match=doc.get("_etag"))
    except (errors.NotFound, errors.PreconditionFailed):
        current = await active_call(doc["place"])
        if current is None or current["call_id"] != doc["call_id"]:
            return False
        return await end_call(current, reason)
    call_id = doc["call_id"]
    await events.publish(call_group(call_id), "voip_call_ended", {"call_id": call_id, "reason": reason})
    await grants.revoke_everyone(call_scope(call_id))
    for user_id in doc["participants"]:
        await _forget_mine(user_id, call_id)
    return True


async def _forget_mine(user_id: str, call_id: str) -> None:
    kv = wiring.kv()
    if (await kv.get(_mine_key(user_id))) == call_id.encode():
        await kv.delete(_mine_key(user_id))


async def drop_from_place(place_key: str, user_id: str, *, reason: str) -> None:
    """The user may no longer be in this place's call (blocked, kicked, banned): out of it at once."""
    doc = await active_call(place_key)
    if doc is not None and user_id in doc["participants"]:
        await remove_participant(doc["call_id"], user_id, reason=reason)


async def end_place_call(place_key: str, reason: str) -> None:
    """Ends the place's call, if one is running (the room was deleted, the pair blocked each other)."""
    doc = await active_call(place_key)
    if doc is not None:
        await end_call(doc, reason)


async def on_blocked(blocker_id: str, blocked_id: str) -> None:
    """A block ends the pair's DM call for both: neither may be in it any more."""
    await end_place_call(places.dm_key(blocker_id, blocked_id), "blocked")


# ---- recovery and history ---------------------------------------------------------------------------------

async def get_active_call(principal: Principal, room_id: str, room_type: RoomType) -> MaybeCall:
    place = await places.access_place(principal, room_id, room_type)
    doc = await active_call(place.key)
    return MaybeCall(call=view(doc) if doc is not None else None)


async def get_my_call(principal: Principal, connection_id: str | None = None) -> MaybeCall:
    """The active call the caller is in, if any; with a connection (after a reload) it rejoins the call's group."""
    raw = await wiring.kv().get(_mine_key(principal.user_id))
    if raw is None:
        return MaybeCall(call=None)
    try:
        doc = await participant_call(principal, raw.decode())
    except errors.NotFound:
        await wiring.kv().delete(_mine_key(principal.user_id))
        return MaybeCall(call=None)
    if connection_id is not None:
        await _enter(principal, connection_id, doc)
    return MaybeCall(call=view(doc))


async def call_history(principal: Principal, room_id: str, room_type: RoomType, *, limit: int,
                       cursor: str | None) -> CallPage:
    place = await places.access_place(principal, room_id, room_type)
    scope = cursors.scope("voip_history", place.key)
    page = await call_docs.query(Query(where=[Where("status", "=", "ended")], order_by=[("ended_at", "desc")]),
                                 pk=place.key, limit=limit, continuation=cursors.continuation(scope, cursor))
    return CallPage(items=[view(doc) for doc in page.items], next_cursor=cursors.next_cursor(scope, page.continuation))


async def active_calls(*, page_size: int = 100) -> list[CallDoc]:
    """Every active call (the stale-call timer's sweep; a cross-partition query, never on a request's path)."""
    found: list[CallDoc] = []
    continuation: str | None = None
    while True:
        page = await call_docs.query(Query(where=[Where("status", "=", "active")]), limit=page_size,
                                     continuation=continuation)
        found += page.items
        continuation = page.continuation
        if continuation is None:
            return found
