"""Rooms: topic conversations and group chats — create, list, read, update, delete, settings and mutes.

Names are reserved in `room_names` (a create that loses the race gets 409 `room_name_taken`): group chat
names are unique among group chats, case-insensitively, as in TopicsFlow; a topic conversation's name is unique
within its topic, where `general` is the built-in conversation's. Lists are cursor pages whose filters run in the
query (public rooms plus the caller's private ones, by `audience IN (...)`), so pages are never short; each room
carries the caller's unread and mention counts from the read markers (read_state.py): a constant number of store
calls per page whatever its size.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Literal

from shared import clock
from shared.domain import cursors, events
from shared.domain.chat import membership, read_state
from shared.domain.chat.access import RoomAccess, access_room, ensure_general
from shared.domain.chat.containers import (
    GENERAL,
    member_id,
    mute_doc_id,
    name_key,
    new_group_room_id,
    new_topic_room_id,
)
from shared.domain.chat.documents import (
    RoomDoc,
    RoomMemberDoc,
    RoomMuteDoc,
    RoomNameDoc,
    room_docs,
    room_member_docs,
    room_mute_docs,
    room_name_docs,
    user_room_docs,
)
from shared.domain.chat.room_models import (
    GroupChatCreate,
    RoomDeletion,
    RoomImage,
    RoomImageBody,
    RoomListQuery,
    RoomMuteRequest,
    RoomMuteState,
    RoomPage,
    RoomPublic,
    RoomSettingsUpdate,
    RoomUpdate,
    TopicConversationCreate,
)
from shared.domain.communities.access import access_site_admin, access_topic, access_topic_for_contribution
from shared.domain.communities.people import existing_user, ref, usernames
from shared.domain.identity import Principal
from shared.domain.realtime.groups import Scope, chat_room_group
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.ports import Patch, Query, Where

ImageKind = Literal["picture", "background"]
MAX_PRIVATE_ROOMS_LISTED = 500  # the IN (...) of a topic's conversation list; the newest private ones beyond
DELETION_REVIEW_DAYS = 7


def room_name_taken() -> Conflict:
    return Conflict("A room with this name exists.", code="room_name_taken")


async def _reserve(scope: str, name: str, room_id: str) -> str:
    if scope.startswith("topic:") and " ".join(name.casefold().split()) == GENERAL:
        raise room_name_taken()
    key = name_key(scope, name)
    doc: RoomNameDoc = {"id": key, "pk": key, "room_id": room_id, "name": name, "created_at": clock.now_iso()}
    try:
        await room_name_docs.create(doc)
    except Conflict:
        raise room_name_taken() from None
    return key


async def _release(key: str | None) -> None:
    if not key:
        return
    try:
        await room_name_docs.delete(key, key)
    except NotFound:
        pass


def _name_scope(room: RoomDoc) -> str:
    return f"topic:{room['topic_id']}" if room.get("topic_id") else "group"


# ---------------------------------------------------------------------------------------------------------
# presenting


async def present_rooms(principal: Principal | None, rooms: Sequence[RoomDoc], *,
                        members: dict[str, RoomMemberDoc] | None = None) -> list[RoomPublic]:
    """Rooms as the caller sees them: three read_many calls for the page (members, mutes, read state)."""
    uid = principal.user_id if principal is not None else None
    ids = [room["id"] for room in rooms]
    if uid and ids:
        member_task = room_member_docs.read_many([(rid, member_id(uid)) for rid in ids]) if members is None \
            else _given(list(members.values()))
        edges, mutes, counts, names = await asyncio.gather(
            member_task, room_mute_docs.read_many([(uid, mute_doc_id(rid)) for rid in ids]),
            read_state.unread(uid, ids), usernames(room.get("owner_id") for room in rooms))
    else:
        edges, mutes, counts = [], [], {}
        names = await usernames(room.get("owner_id") for room in rooms)
    edge_of = {e["pk"]: e for e in edges}
    muted = {m["room_id"] for m in mutes if not clock.has_passed(m.get("muted_until"))}
    result = []
    for room in rooms:
        edge = edge_of.get(room["id"])
        role = "owner" if uid and room.get("owner_id") == uid else (
            "none" if edge is None else "moderator" if edge.get("role") == "moderator" else "member")
        unread, mentions = counts.get(room["id"], (0, 0))
        result.append(RoomPublic(
            id=room["id"], kind=room["kind"], topic_id=room.get("topic_id"), built_in=bool(room.get("built_in")),
            name=room["name"], description=room.get("description", ""), tags=room.get("tags", []),
            is_public=room["visibility"] == "public", owner=ref(room.get("owner_id"), names),
            voip_enabled=bool(room.get("voip_enabled", True)), has_picture=bool(room.get("picture")),
            has_background=bool(room.get("background")), member_count=int(room.get("member_count", 0)),
            status=room.get("status", "active"), created_at=room["created_at"],
            last_activity=room.get("last_activity", room["created_at"]), role=role,
            user_is_member=edge is not None, is_muted=room["id"] in muted, unread_count=unread,
            mention_count=mentions))
    return result


async def _given(items: list[RoomMemberDoc]) -> list[RoomMemberDoc]:
    return items


async def present_room(principal: Principal | None, access: RoomAccess) -> RoomPublic:
    members = {access.room_id: access.member} if access.member is not None else {}
    return (await present_rooms(principal, [access.room], members=members))[0]


# ---------------------------------------------------------------------------------------------------------
# create


def _new_room(room_id: str, pk: str, *, kind: str, topic_id: str | None, name: str, key: str, description: str,
              tags: list[str], owner_id: str, public: bool, voip_enabled: bool) -> RoomDoc:
    now = clock.now_iso()
    return {"id": room_id, "pk": pk, "kind": "topic" if kind == "topic" else "group", "topic_id": topic_id,
            "built_in": False, "name": name.strip(), "name_key": key, "description": description, "tags": tags,
            "owner_id": owner_id, "visibility": "public" if public else "private",
            "audience": "public" if public else room_id, "voip_enabled": voip_enabled, "member_count": 0,
            "created_at": now, "updated_at": now, "last_activity": now, "status": "active"}


async def _store_new_room(room: RoomDoc, owner_id: str) -> RoomDoc:
    try:
        created = await room_docs.create(room)
    except Exception:
        await _release(room["name_key"])
        raise
    await membership.add_member(created, owner_id, role="owner")
    return await room_docs.read(created["pk"], created["id"])


async def check_create_conversation(principal: Principal, topic_id: str, body: TopicConversationCreate) -> RoomPublic:
    topic = await access_topic_for_contribution(principal, topic_id)
    await ensure_general(topic)
    room_id = new_topic_room_id(topic_id)
    key = await _reserve(f"topic:{topic_id}", body.name, room_id)
    room = await _store_new_room(_new_room(
        room_id, topic_id, kind="topic", topic_id=topic_id, name=body.name, key=key, description=body.description,
        tags=body.tags, owner_id=principal.user_id, public=body.is_public, voip_enabled=body.voip_enabled),
        principal.user_id)
    if room["visibility"] == "public":
        await events.publish(events.topic_group(topic_id), "chat_room_created",
                             {"room_id": room_id, "name": room["name"], "topic_id": topic_id})
    return (await present_rooms(principal, [room]))[0]


async def check_create_group(principal: Principal, body: GroupChatCreate) -> RoomPublic:
    room_id = new_group_room_id()
    key = await _reserve("group", body.name, room_id)
    room = await _store_new_room(_new_room(
        room_id, room_id, kind="group", topic_id=None, name=body.name, key=key, description=body.description,
        tags=[], owner_id=principal.user_id, public=False, voip_enabled=body.voip_enabled), principal.user_id)
    for invitee in dict.fromkeys(body.invited_users):
        if invitee == principal.user_id:
            continue
        try:
            await existing_user(invitee)
        except NotFound:
            continue  # nobody learns here which ids exist
        await membership.invite(room, principal.user_id, invitee)
    return (await present_rooms(principal, [room]))[0]


# ---------------------------------------------------------------------------------------------------------
# lists


async def _my_private_rooms(user_id: str, topic_id: str) -> list[str]:
    page = await user_room_docs.query(Query(where=[Where("kind", "=", "member"), Where("topic_id", "=", topic_id),
                                                   Where("visibility", "=", "private")],
                                            order_by=[("joined_at", "desc")]),
                                      pk=user_id, limit=MAX_PRIVATE_ROOMS_LISTED)
    return [doc["room_id"] for doc in page.items]


async def check_list_conversations(principal: Principal | None, topic_id: str, query: RoomListQuery) -> RoomPage:
    topic = await access_topic(principal, topic_id)
    await ensure_general(topic)
    where = [Where("status", "=", "active")]
    if not topic.is_admin:
        private = await _my_private_rooms(principal.user_id, topic_id) if principal is not None else []
        where.append(Where("audience", "in", ["public", *private]))
    scope = cursors.scope("room_list", topic_id, principal.user_id if principal else None)
    page = await room_docs.query(Query(where=where, order_by=[("created_at", "asc")]), pk=topic_id,
                                 limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    return RoomPage(items=await present_rooms(principal, page.items),
                    next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_list_groups(principal: Principal, query: RoomListQuery) -> RoomPage:
    scope = f"group_list:{principal.user_id}"
    page = await user_room_docs.query(Query(where=[Where("kind", "=", "member"), Where("room_kind", "=", "group")],
                                            order_by=[("joined_at", "desc")]), pk=principal.user_id,
                                      limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    found = {r["id"]: r for r in await room_docs.read_many([(m["room_pk"], m["room_id"]) for m in page.items])}
    rooms = [found[m["room_id"]] for m in page.items if m["room_id"] in found]
    return RoomPage(items=await present_rooms(principal, rooms),
                    next_cursor=cursors.next_cursor(scope, page.continuation))


# ---------------------------------------------------------------------------------------------------------
# one room


async def check_get_room(principal: Principal | None, room_id: str) -> RoomPublic:
    return await present_room(principal, await access_room(principal, room_id))


async def _updated(principal: Principal, room: RoomDoc, ops: list[Patch], change: str) -> RoomPublic:
    ops.append(Patch("set", "/updated_at", clock.now_iso()))
    updated = await room_docs.patch(room["pk"], room["id"], ops)
    public = (await present_rooms(principal, [updated]))[0]
    await events.publish(chat_room_group(room["id"]), "chat_room_updated", {
        "room_id": room["id"], "type": change, "name": updated["name"], "description": updated["description"],
        "voip_enabled": updated["voip_enabled"]})
    return public


async def check_update_room(principal: Principal, room_id: str, body: RoomUpdate) -> RoomPublic:
    access = await access_room(principal, room_id)
    access.require_manager()
    room = access.room
    ops: list[Patch] = []
    new_key: str | None = None
    if body.name is not None and body.name.strip() != room["name"]:
        if room.get("built_in"):
            raise Conflict("The built-in conversation keeps its name.", code="built_in_room")
        new_key = await _reserve(_name_scope(room), body.name, room_id)
        ops += [Patch("set", "/name", body.name.strip()), Patch("set", "/name_key", new_key)]
    if body.description is not None:
        ops.append(Patch("set", "/description", body.description))
    if body.tags is not None:
        ops.append(Patch("set", "/tags", body.tags))
    if not ops:
        return await present_room(principal, access)
    try:
        public = await _updated(principal, room, ops, "details")
    except Exception:
        await _release(new_key)
        raise
    if new_key is not None:
        await _release(room.get("name_key"))
    return public


async def check_update_settings(principal: Principal, room_id: str, body: RoomSettingsUpdate) -> RoomPublic:
    access = await access_room(principal, room_id)
    access.require_manager()
    updated = await _updated(principal, access.room, [Patch("set", "/voip_enabled", body.voip_enabled)], "settings")
    if not body.voip_enabled:  # turning calls off ends the one running
        from shared.domain.voip import calls, places

        await calls.end_place_call(places.room_key(room_id), "voip_disabled")
    return updated


async def check_delete_room(principal: Principal, room_id: str) -> RoomDeletion:
    """Soft delete: the room disappears for everyone but administrators and waits for their review
    (permanent_delete_at); every connection leaves its realtime groups at once."""
    access = await access_room(principal, room_id)
    access.require_manager()
    room = access.room
    if room.get("built_in"):
        raise Conflict("The built-in conversation cannot be deleted.", code="built_in_room")
    if room.get("status") == "pending_deletion":
        raise Conflict("This room is already waiting for deletion.", code="already_deleted")
    now = clock.now_iso()
    until = clock.later_iso(days=DELETION_REVIEW_DAYS)
    await room_docs.patch(room["pk"], room_id, [
        Patch("set", "/status", "pending_deletion"), Patch("set", "/updated_at", now),
        Patch("set", "/deletion", {"requested_by": principal.user_id, "requested_at": now,
                                   "permanent_delete_at": until, "status": "pending"})])
    await events.publish(chat_room_group(room_id), "chat_room_updated", {"room_id": room_id, "type": "deleted"})
    await _drop_mirrors(room_id)
    from shared.domain.realtime import grants
    from shared.domain.voip import calls, places

    await grants.revoke_everyone(Scope("room", room_id))
    await calls.end_place_call(places.room_key(room_id), "room_deleted")
    return RoomDeletion(room_id=room_id, status="pending_deletion", permanent_delete_at=until)


async def _drop_mirrors(room_id: str) -> None:
    """The members' "my rooms" entries go with the room, so their lists stay full pages."""
    continuation: str | None = None
    while True:
        page = await room_member_docs.query(Query(where=[Where("kind", "=", "member")]), pk=room_id, limit=100,
                                            continuation=continuation)
        for edge in page.items:
            try:
                await user_room_docs.delete(edge["user_id"], room_id)
            except NotFound:
                pass
        continuation = page.continuation
        if not continuation:
            return


# ---------------------------------------------------------------------------------------------------------
# administrators: the review of deletions, and the purge


async def check_list_pending_deletions(principal: Principal, query: RoomListQuery) -> RoomPage:
    access_site_admin(principal)
    scope = f"room_deletions:{principal.user_id}"
    page = await room_docs.query(Query(where=[Where("status", "=", "pending_deletion")],
                                       order_by=[("updated_at", "asc")]), limit=query.limit,
                                 continuation=cursors.continuation(scope, query.cursor))
    return RoomPage(items=await present_rooms(principal, page.items),
                    next_cursor=cursors.next_cursor(scope, page.continuation))


async def _pending(principal: Principal, room_id: str) -> RoomDoc:
    access_site_admin(principal)
    access = await access_room(principal, room_id)
    room = access.room
    if room.get("status") != "pending_deletion" or (room.get("deletion") or {}).get("status") != "pending":
        raise Conflict("This room is not waiting for a deletion review.", code="not_pending_deletion")
    return room


async def check_approve_deletion(principal: Principal, room_id: str) -> RoomDeletion:
    """The purge timer removes the room and everything in it on its next run."""
    room = await _pending(principal, room_id)
    now = clock.now_iso()
    await room_docs.patch(room["pk"], room_id, [Patch("set", "/deletion/status", "approved"),
                                                 Patch("set", "/deletion/permanent_delete_at", now)])
    return RoomDeletion(room_id=room_id, status="pending_deletion", permanent_delete_at=now)


async def check_reject_deletion(principal: Principal, room_id: str) -> RoomPublic:
    """The room comes back, with its members' "my rooms" entries."""
    room = await _pending(principal, room_id)
    updated = await room_docs.patch(room["pk"], room_id, [Patch("set", "/status", "active"),
                                                           Patch("set", "/deletion/status", "rejected"),
                                                           Patch("set", "/updated_at", clock.now_iso())])
    continuation: str | None = None
    while True:
        page = await room_member_docs.query(Query(where=[Where("kind", "=", "member")]), pk=room_id, limit=100,
                                            continuation=continuation)
        for edge in page.items:
            await user_room_docs.upsert({
                "id": room_id, "pk": edge["user_id"], "kind": "member", "room_id": room_id, "room_pk": room["pk"],
                "room_kind": room["kind"], "topic_id": room.get("topic_id"), "visibility": room["visibility"],
                "joined_at": edge["joined_at"]})
        continuation = page.continuation
        if not continuation:
            break
    return (await present_rooms(principal, [updated]))[0]


async def purge_deleted_rooms(*, limit: int = 20) -> int:
    """Rooms whose deletion was approved go for good: their messages (and what hangs off them), members, bans,
    log, reports and name reservation."""
    from shared import wiring
    from shared.domain.chat.containers import MESSAGE_REPORTS, MESSAGES, ROOM_LOG, ROOM_MEMBERS, ROOMS
    from shared.domain.chat.purging import purge_messages_of
    from shared.domain.purging import delete_partition

    page = await room_docs.query(Query(where=[Where("status", "=", "pending_deletion"),
                                              Where("deletion.status", "=", "approved")]), limit=limit)
    for room in page.items:
        await purge_messages_of(room["id"])
        for container in (MESSAGES, ROOM_MEMBERS, ROOM_LOG, MESSAGE_REPORTS):
            await delete_partition(container, room["id"])
        await _release(room.get("name_key"))
        try:
            await wiring.documents().delete(ROOMS, room["pk"], room["id"])
        except NotFound:
            pass
    return len(page.items)


# ---------------------------------------------------------------------------------------------------------
# picture and background (uploaded like attachments; images only)


def image_not_found() -> NotFound:
    return NotFound("This room has no such image.", code="image_not_found")


async def check_set_image(principal: Principal, room_id: str, kind: ImageKind, body: RoomImageBody) -> RoomPublic:
    """Moderators set the room's picture or background from an uploaded file that sniffs as a safe image."""
    from shared.domain.chat import attachments

    access = await access_room(principal, room_id)
    access.require_moderator()
    image = await attachments.claim(principal.user_id, body.attachment_id)
    if image.mime_type not in attachments.SAFE_INLINE:
        raise ValidationFailed("A room's picture is a PNG, JPEG, GIF or WebP image.", code="image_required",
                               details=[{"field": "body.attachment_id", "message": "not an image"}])
    await attachments.forget(image.id)
    old = access.room.get(kind)
    public = await _updated(principal, access.room, [Patch("set", f"/{kind}", image.id)], f"{kind}_update")
    if old:
        await attachments.delete_blob(old)
    return public


async def check_get_image(principal: Principal | None, room_id: str, kind: ImageKind) -> RoomImage:
    from shared.domain.chat import attachments

    access = await access_room(principal, room_id)
    name = access.room.get(kind)
    if not name:
        raise image_not_found()
    url = await attachments.image_url(name)
    return RoomImage(room_id=room_id, kind=kind, url=url, expires_in=attachments.READ_SECONDS)


# ---------------------------------------------------------------------------------------------------------
# the caller's notification mute


async def check_mute(principal: Principal, room_id: str, body: RoomMuteRequest) -> RoomMuteState:
    await access_room(principal, room_id)
    if body.minutes == 0:
        return await check_unmute(principal, room_id)
    until = None if body.minutes < 0 else clock.later_iso(minutes=body.minutes)
    doc: RoomMuteDoc = {"id": mute_doc_id(room_id), "pk": principal.user_id, "kind": "mute", "room_id": room_id,
                        "muted_until": until, "created_at": clock.now_iso()}
    await room_mute_docs.upsert(doc)
    return RoomMuteState(room_id=room_id, is_muted=True, muted_until=until)


async def check_unmute(principal: Principal, room_id: str) -> RoomMuteState:
    await access_room(principal, room_id)
    try:
        await room_mute_docs.delete(principal.user_id, mute_doc_id(room_id))
    except NotFound:
        pass
    return RoomMuteState(room_id=room_id, is_muted=False, muted_until=None)


__all__ = ["check_create_conversation", "check_create_group", "check_delete_room", "check_get_room",
           "check_list_conversations", "check_list_groups", "check_mute", "check_unmute", "check_update_room",
           "check_update_settings", "present_rooms"]
