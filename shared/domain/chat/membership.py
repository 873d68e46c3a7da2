"""Room membership: join and leave, the member list, moderators, bans, kicks and invitations.

A membership is an edge "member:<uid>" in the room's partition of `room_members`, mirrored by `user_rooms`
(pk = user id) for "my rooms"; a ban is an edge "ban:<uid>" beside it, checked on join and on every access. The
member count moves only when the create (or delete) of the edge succeeds, so it stays exact under concurrency.
Every removal (leave, kick, ban) takes the user's connections out of the room's realtime groups at once.
"""

from __future__ import annotations

import logging
import secrets

from shared import clock
from shared.domain import cursors, events
from shared.domain.chat import read_state
from shared.domain.chat.access import (
    RoomAccess,
    access_room,
    access_room_as_member,
    banned_from_room,
    load_room_access,
    may_see,
)
from shared.domain.chat.containers import ban_id, invitation_id, member_id, room_not_found, room_partition
from shared.domain.chat.documents import (
    LogAction,
    RoomBanDoc,
    RoomDoc,
    RoomInvitationDoc,
    RoomLogDoc,
    RoomMemberDoc,
    RoomRole,
    room_ban_docs,
    room_docs,
    room_edge_docs,
    room_invitation_docs,
    room_log_docs,
    room_member_docs,
    user_room_docs,
)
from shared.domain.chat.membership_models import (
    RoomActionResult,
    RoomInvitationPage,
    RoomInvitationPublic,
    RoomInviteBody,
    RoomJoinResult,
    RoomLeaveResult,
    RoomMemberPage,
    RoomMemberPublic,
    RoomMemberQuery,
)
from shared.domain.communities.people import existing_user, user_ref, usernames
from shared.domain.identity import Principal
from shared.domain.realtime.groups import Scope, chat_room_group
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import Patch, Query, Where

log = logging.getLogger("topicsflow.chat.membership")


# ---------------------------------------------------------------------------------------------------------
# the edges


async def add_member(room: RoomDoc, user_id: str, *, role: RoomRole = "member", added_by: str | None = None) -> bool:
    """Creates the membership; False when the user already was a member (nothing counted twice)."""
    now = clock.now_iso()
    edge: RoomMemberDoc = {"id": member_id(user_id), "pk": room["id"], "kind": "member", "room_id": room["id"],
                           "user_id": user_id, "role": role, "joined_at": now, "added_by": added_by}
    try:
        await room_member_docs.create(edge)
    except Conflict:
        return False
    try:
        await room_docs.patch(room["pk"], room["id"], [Patch("incr", "/member_count", 1)])
    except NotFound:
        pass
    await user_room_docs.upsert({
        "id": room["id"], "pk": user_id, "kind": "member", "room_id": room["id"], "room_pk": room["pk"],
        "room_kind": room["kind"], "topic_id": room.get("topic_id"), "visibility": room["visibility"],
        "joined_at": now})
    await read_state.start_reading(user_id, room["id"])
    return True


async def remove_member(room: RoomDoc, user_id: str) -> bool:
    """Deletes the membership (False when there was none) and the user's realtime access to the room."""
    try:
        await room_edge_docs.delete(room["id"], member_id(user_id))
    except NotFound:
        removed = False
    else:
        removed = True
        try:
            await room_docs.patch(room["pk"], room["id"], [Patch("incr", "/member_count", -1)])
        except NotFound:
            pass
    try:
        await user_room_docs.delete(user_id, room["id"])
    except NotFound:
        pass
    await read_state.forget(user_id, room["id"])
    await revoke_realtime(user_id, room["id"])
    return removed


async def revoke_realtime(user_id: str, room_id: str) -> None:
    """Out of the room's groups at once, and out of its call if they are in one."""
    from shared.domain.realtime import grants
    from shared.domain.voip import calls, places

    await grants.revoke(user_id, Scope("room", room_id))
    await calls.drop_from_place(places.room_key(room_id), user_id, reason="removed")


async def _member_count(room: RoomDoc) -> int:
    fresh = await room_docs.find(room["pk"], room["id"])
    return int((fresh or room).get("member_count", 0))


async def log_action(room_id: str, action: LogAction, by: str, *, target: str | None = None,
                     message_id: str | None = None, reason: str | None = None) -> None:
    """One entry of the room's moderation log."""
    now = clock.now_iso()
    doc: RoomLogDoc = {"id": f"{now}.{secrets.token_hex(6)}", "pk": room_id, "room_id": room_id,
                       "action": action, "by": by, "target_user_id": target, "message_id": message_id,
                       "reason": reason, "created_at": now}
    await room_log_docs.create(doc)


# ---------------------------------------------------------------------------------------------------------
# join and leave


async def check_join(principal: Principal, room_id: str) -> RoomJoinResult:
    """Public rooms (anyone who sees the topic); a private room only with a pending invitation, which this
    accepts. Bans are checked here, as on every access."""
    access = await load_room_access(principal, room_id)
    if not may_see(access):
        if access.room.get("status", "active") == "active" and not access.banned and \
                await _pending_invitation(principal.user_id, room_id) is not None:
            await _accept(access.room, principal.user_id)
            return RoomJoinResult(room_id=room_id, status="joined", member_count=await _member_count(access.room))
        raise room_not_found()
    if access.banned:
        raise banned_from_room()
    if access.topic is not None and access.topic.banned:
        raise Forbidden("You are banned from this topic.", code="banned_from_topic")
    if access.is_member:
        return RoomJoinResult(room_id=room_id, status="already_member", member_count=await _member_count(access.room))
    if access.is_private:  # an administrator who is no member joins as anyone would: by invitation
        raise Forbidden("This room is invite-only.", code="invite_only")
    added = await add_member(access.room, principal.user_id)
    if added:
        await events.publish(chat_room_group(room_id), "member_joined",
                             {"room_id": room_id, "user": {"id": principal.user_id, "username": principal.username}})
    return RoomJoinResult(room_id=room_id, status="joined" if added else "already_member",
                          member_count=await _member_count(access.room))


async def check_leave(principal: Principal, room_id: str) -> RoomLeaveResult:
    access = await access_room(principal, room_id)
    if access.role == "owner":
        raise Conflict("The owner cannot leave; transfer the ownership first.", code="owner_cannot_leave")
    removed = await remove_member(access.room, principal.user_id)
    if removed:
        await events.publish(chat_room_group(room_id), "member_left", {"room_id": room_id, "user_id": principal.user_id,
                                                                      "reason": "left"})
    return RoomLeaveResult(room_id=room_id, status="left" if removed else "not_member",
                           member_count=await _member_count(access.room))


# ---------------------------------------------------------------------------------------------------------
# members and moderators


def _role_of(room: RoomDoc, edge: RoomMemberDoc) -> RoomRole:
    if edge["user_id"] == room.get("owner_id"):
        return "owner"
    return "moderator" if edge.get("role") == "moderator" else "member"


async def check_list_members(principal: Principal, room_id: str, query: RoomMemberQuery) -> RoomMemberPage:
    access = await access_room_as_member(principal, room_id)
    scope = f"room_members:{room_id}"
    page = await room_member_docs.query(Query(where=[Where("kind", "=", "member")], order_by=[("joined_at", "asc")]),
                                        pk=room_id, limit=query.limit,
                                        continuation=cursors.continuation(scope, query.cursor))
    names = await usernames(edge["user_id"] for edge in page.items)
    return RoomMemberPage(
        items=[RoomMemberPublic(user=user_ref(edge["user_id"], names), role=_role_of(access.room, edge),
                                joined_at=edge["joined_at"]) for edge in page.items],
        next_cursor=cursors.next_cursor(scope, page.continuation))


async def _member_edge(room_id: str, user_id: str) -> RoomMemberDoc | None:
    return await room_member_docs.find(room_id, member_id(user_id))


async def check_add_moderator(principal: Principal, room_id: str, user_id: str) -> RoomActionResult:
    access = await access_room(principal, room_id)
    access.require_manager()
    if user_id == access.room.get("owner_id"):
        raise Conflict("The owner already moderates the room.", code="is_owner")
    edge = await _member_edge(room_id, user_id)
    if edge is None:
        raise Conflict("Only members can become moderators.", code="not_a_member")
    await room_member_docs.patch(room_id, edge["id"], [Patch("set", "/role", "moderator")])
    await events.publish(chat_room_group(room_id), "chat_room_updated",
                         {"room_id": room_id, "type": "moderator_added", "user_id": user_id})
    return RoomActionResult(room_id=room_id, user_id=user_id, status="moderator_added")


async def check_remove_moderator(principal: Principal, room_id: str, user_id: str) -> RoomActionResult:
    access = await access_room(principal, room_id)
    access.require_manager()
    edge = await _member_edge(room_id, user_id)
    if edge is None or edge.get("role") != "moderator":
        raise NotFound("This user is not a moderator here.", code="moderator_not_found")
    await room_member_docs.patch(room_id, edge["id"], [Patch("set", "/role", "member")])
    await events.publish(chat_room_group(room_id), "chat_room_updated",
                         {"room_id": room_id, "type": "moderator_removed", "user_id": user_id})
    return RoomActionResult(room_id=room_id, user_id=user_id, status="moderator_removed")


async def check_transfer_ownership(principal: Principal, room_id: str, user_id: str) -> RoomActionResult:
    """The owner (or an administrator) hands the room to a member; the old owner stays a member."""
    for _ in range(3):
        access = await access_room(principal, room_id)
        if not (access.role == "owner" or access.is_admin):
            raise Forbidden("Only the room's owner may do this.", code="owner_only")
        room = access.room
        if room.get("built_in"):
            raise Conflict("The built-in conversation belongs to the topic's owner.", code="built_in_room")
        old_owner = room.get("owner_id")
        if user_id == old_owner:
            raise Conflict("This user already owns the room.", code="is_owner")
        if await _member_edge(room_id, user_id) is None:
            raise Conflict("Ownership goes to a member of the room.", code="not_a_member")
        try:
            await room_docs.patch(room["pk"], room_id, [Patch("set", "/owner_id", user_id),
                                                         Patch("set", "/updated_at", clock.now_iso())],
                                  if_match=room.get("_etag"))
        except PreconditionFailed:
            continue
        for uid, role in ((user_id, "owner"), (old_owner, "member")):
            if uid:
                try:
                    await room_member_docs.patch(room_id, member_id(uid), [Patch("set", "/role", role)])
                except NotFound:
                    pass
        await events.publish(chat_room_group(room_id), "chat_room_updated",
                             {"room_id": room_id, "type": "owner_changed", "user_id": user_id})
        return RoomActionResult(room_id=room_id, user_id=user_id, status="ownership_transferred")
    raise Conflict("The room kept changing; try again.", code="concurrent_update")


# ---------------------------------------------------------------------------------------------------------
# bans and kicks (moderators)


async def _target(access: RoomAccess, user_id: str) -> RoomMemberDoc | None:
    """The target's member edge, after refusing what nobody may do to them."""
    if user_id == access.user_id:
        raise Conflict("You cannot do this to yourself.", code="cannot_target_self")
    if user_id == access.room.get("owner_id"):
        raise Forbidden("The room's owner cannot be banned or kicked.", code="outranked")
    edge = await _member_edge(access.room_id, user_id)
    if edge is not None and edge.get("role") == "moderator" and not access.manages:
        raise Forbidden("Only the owner may act on a moderator.", code="outranked")
    return edge


async def check_ban(principal: Principal, room_id: str, user_id: str, reason: str | None) -> RoomActionResult:
    access = await access_room(principal, room_id)
    access.require_moderator()
    await _target(access, user_id)
    await existing_user(user_id)
    ban: RoomBanDoc = {"id": ban_id(user_id), "pk": room_id, "kind": "ban", "room_id": room_id, "user_id": user_id,
                       "by": principal.user_id, "reason": reason, "created_at": clock.now_iso()}
    await room_ban_docs.upsert(ban)
    removed = await remove_member(access.room, user_id)
    await _answer_invitation(user_id, room_id, "declined")
    await log_action(room_id, "ban", principal.user_id, target=user_id, reason=reason)
    if removed:
        await events.publish(chat_room_group(room_id), "member_left",
                             {"room_id": room_id, "user_id": user_id, "reason": "banned"})
    return RoomActionResult(room_id=room_id, user_id=user_id, status="banned")


async def check_unban(principal: Principal, room_id: str, user_id: str) -> RoomActionResult:
    access = await access_room(principal, room_id)
    access.require_moderator()
    try:
        await room_edge_docs.delete(room_id, ban_id(user_id))
    except NotFound:
        raise NotFound("This user is not banned here.", code="ban_not_found") from None
    await log_action(room_id, "unban", principal.user_id, target=user_id)
    return RoomActionResult(room_id=room_id, user_id=user_id, status="unbanned")


async def check_kick(principal: Principal, room_id: str, user_id: str) -> RoomActionResult:
    access = await access_room(principal, room_id)
    access.require_moderator()
    edge = await _target(access, user_id)
    if edge is None:
        raise Conflict("This user is not a member.", code="not_a_member")
    await remove_member(access.room, user_id)
    await log_action(room_id, "kick", principal.user_id, target=user_id)
    await events.publish(chat_room_group(room_id), "member_left",
                         {"room_id": room_id, "user_id": user_id, "reason": "kicked"})
    return RoomActionResult(room_id=room_id, user_id=user_id, status="kicked")


# ---------------------------------------------------------------------------------------------------------
# invitations


async def _invitee(body: RoomInviteBody) -> str:
    if body.user_id:
        return (await existing_user(body.user_id))["id"]
    if body.username:
        from shared.domain.accounts import rules, store

        found = await store.lookup("username", rules.normalize_username(body.username))
        if found is None:
            raise NotFound("User not found.", code="user_not_found")
        return (await existing_user(found))["id"]
    raise ValidationFailed("Name the user to invite (user_id or username).", code="validation_error",
                           details=[{"field": "body.user_id", "message": "user_id or username is required"}])


async def invite(room: RoomDoc, inviter_id: str, invitee_id: str) -> bool:
    """A pending invitation (again, if one was answered); False when the user is already a member."""
    if await _member_edge(room["id"], invitee_id) is not None:
        return False
    doc: RoomInvitationDoc = {"id": invitation_id(room["id"]), "pk": invitee_id, "room_id": room["id"],
                              "room_pk": room["pk"], "invitee_id": invitee_id, "inviter_id": inviter_id,
                              "status": "pending", "created_at": clock.now_iso()}
    await room_invitation_docs.upsert(doc)
    names = await usernames([inviter_id])
    await events.publish_to_user(invitee_id, "chat_room_invitation", {
        "invitation_id": doc["id"], "room_id": room["id"], "room_name": room["name"],
        "topic_id": room.get("topic_id"), "inviter": {"id": inviter_id, "username": names.get(inviter_id)}})
    return True


async def check_invite(principal: Principal, room_id: str, body: RoomInviteBody) -> RoomInvitationPublic:
    access = await access_room(principal, room_id)
    access.require_moderator()
    if not access.is_private:
        raise Conflict("Anyone may join a public room; invitations are for private ones.", code="room_is_public")
    invitee_id = await _invitee(body)
    if await room_edge_docs.find(room_id, ban_id(invitee_id)) is not None:
        raise Conflict("This user is banned from the room.", code="is_banned")
    if not await invite(access.room, principal.user_id, invitee_id):
        raise Conflict("This user is already a member.", code="already_member")
    names = await usernames([principal.user_id])
    return RoomInvitationPublic(id=invitation_id(room_id), room_id=room_id, room_name=access.room["name"],
                                topic_id=access.room.get("topic_id"), inviter=user_ref(principal.user_id, names),
                                status="pending", created_at=clock.now_iso())


async def _pending_invitation(user_id: str, room_id: str) -> RoomInvitationDoc | None:
    found = await room_invitation_docs.find(user_id, invitation_id(room_id))
    return found if found is not None and found.get("status") == "pending" else None


async def _answer_invitation(user_id: str, room_id: str, status: str) -> None:
    try:
        await room_invitation_docs.patch(user_id, invitation_id(room_id), [
            Patch("set", "/status", status), Patch("set", "/responded_at", clock.now_iso())])
    except NotFound:
        pass


async def _accept(room: RoomDoc, user_id: str) -> None:
    invitation = await _pending_invitation(user_id, room["id"])
    added = await add_member(room, user_id, added_by=invitation["inviter_id"] if invitation else None)
    await _answer_invitation(user_id, room["id"], "accepted")
    if added:
        names = await usernames([user_id])
        await events.publish(chat_room_group(room["id"]), "member_joined",
                             {"room_id": room["id"], "user": {"id": user_id, "username": names.get(user_id)}})


def _invitation_public(doc: RoomInvitationDoc, room: RoomDoc | None, names: dict[str, str]) -> RoomInvitationPublic:
    return RoomInvitationPublic(id=doc["id"], room_id=doc["room_id"], room_name=room["name"] if room else "",
                                topic_id=room.get("topic_id") if room else None,
                                inviter=user_ref(doc["inviter_id"], names), status=doc["status"],
                                created_at=doc["created_at"])


async def check_list_invitations(principal: Principal, query: RoomMemberQuery) -> RoomInvitationPage:
    scope = f"room_invitations:{principal.user_id}"
    page = await room_invitation_docs.query(
        Query(where=[Where("status", "=", "pending")], order_by=[("created_at", "desc")]), pk=principal.user_id,
        limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    rooms = {r["id"]: r for r in await room_docs.read_many([(i["room_pk"], i["room_id"]) for i in page.items])}
    names = await usernames(i["inviter_id"] for i in page.items)
    return RoomInvitationPage(items=[_invitation_public(i, rooms.get(i["room_id"]), names) for i in page.items],
                              next_cursor=cursors.next_cursor(scope, page.continuation))


def _room_of_invitation(invitation_key: str) -> str:
    if not invitation_key.startswith("rinv_"):
        raise invitation_not_found()
    return invitation_key.removeprefix("rinv_")


def invitation_not_found() -> NotFound:
    return NotFound("Invitation not found.", code="invitation_not_found")


async def _open_invitation(principal: Principal, invitation_key: str) -> tuple[RoomInvitationDoc, RoomDoc]:
    room_id = _room_of_invitation(invitation_key)
    doc = await room_invitation_docs.find(principal.user_id, invitation_key)
    if doc is None:
        raise invitation_not_found()
    try:
        pk, _ = room_partition(room_id)
    except NotFound:
        raise invitation_not_found() from None
    room = await room_docs.find(pk, room_id)
    if room is None or room.get("status", "active") != "active":
        raise invitation_not_found()
    if doc.get("status") != "pending":
        raise Conflict("This invitation was already answered.", code="invitation_answered")
    return doc, room


async def check_accept_invitation(principal: Principal, invitation_key: str) -> RoomInvitationPublic:
    doc, room = await _open_invitation(principal, invitation_key)
    if await room_edge_docs.find(room["id"], ban_id(principal.user_id)) is not None:
        raise banned_from_room()
    await _accept(room, principal.user_id)
    names = await usernames([doc["inviter_id"]])
    return _invitation_public({**doc, "status": "accepted"}, room, names)


async def check_decline_invitation(principal: Principal, invitation_key: str) -> RoomInvitationPublic:
    doc, room = await _open_invitation(principal, invitation_key)
    await _answer_invitation(principal.user_id, room["id"], "declined")
    names = await usernames([doc["inviter_id"]])
    return _invitation_public({**doc, "status": "declined"}, room, names)


__all__ = ["add_member", "check_join", "check_leave", "invite", "remove_member", "revoke_realtime"]
