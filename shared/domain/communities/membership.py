"""Membership: join and leave, the member and moderator lists, moderator permissions, ownership transfer.

A membership is an edge document "member:<uid>" in the topic's partition of `memberships` (never an array in
the topic), mirrored by `user_topics` (pk = user id) for "my topics" and feeds. The member count is exact
under concurrency: only the request whose create of the edge succeeds increments it (an atomic patch), and only
the request whose delete succeeds decrements it.
"""

from __future__ import annotations

import logging

from shared import clock
from shared.domain import cursors, events
from shared.domain.communities.access import (
    ALL_PERMISSIONS,
    Permission,
    Role,
    TopicAccess,
    access_topic,
    load_access,
    may_see,
    standing,
    topic_not_found,
)
from shared.domain.communities.containers import (
    invitation_id,
    member_id,
    request_id,
)
from shared.domain.communities.documents import (
    MemberEdgeDoc,
    MemberRole,
    TopicDoc,
    invitation_docs,
    member_docs,
    membership_docs,
    request_docs,
    topic_docs,
    user_topic_docs,
)
from shared.domain.communities.membership_models import (
    JoinResult,
    LeaveResult,
    ListQuery,
    MemberPage,
    MemberPublic,
    ModeratorAdd,
    ModeratorUpdate,
    OwnershipResult,
    UserTarget,
)
from shared.domain.communities.people import user_ref, usernames
from shared.domain.identity import Principal
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

log = logging.getLogger("topicsflow.communities.membership")


# ---------------------------------------------------------------------------------------------------------
# the edges


async def remove_from_realtime(topic_id: str, user_id: str) -> None:
    """In an invite-only topic, leaving the membership is losing the right to read: every connection of the user
    leaves the topic's group and all its post groups. A public topic stays readable to anyone."""
    from shared.domain.realtime.revocation import topic_access_lost

    topic = await topic_docs.find(topic_id, topic_id)
    if topic is None or topic.get("visibility") == "private":
        await topic_access_lost(user_id, topic_id)


async def add_member(topic: TopicDoc, user_id: str, *, role: MemberRole = "member",
                     added_by: str | None = None) -> bool:
    """Creates the membership; False when the user already was a member (nothing counted twice)."""
    now = clock.now_iso()
    edge: MemberEdgeDoc = {
        "id": member_id(user_id), "pk": topic["id"], "kind": "member", "topic_id": topic["id"],
        "user_id": user_id, "role": role, "permissions": list(ALL_PERMISSIONS) if role == "owner" else [],
        "joined_at": now, "added_by": added_by}
    try:
        await member_docs.create(edge)
    except Conflict:
        # Already a member. The mirror may have been lost by an earlier join interrupted between its writes:
        # rewrite it from the edge, keeping the original joined_at.
        existing = await member_edge(topic["id"], user_id)
        if existing is not None:
            await _mirror(topic, user_id, existing.get("joined_at", now))
        return False
    await topic_docs.patch(topic["id"], topic["id"], [Patch("incr", "/member_count", 1)])
    await _mirror(topic, user_id, now)
    if topic.get("visibility") == "private":  # a join request, if any, is answered by this
        try:
            await membership_docs.delete(topic["id"], request_id(user_id))
        except NotFound:
            pass
    return True


async def _mirror(topic: TopicDoc, user_id: str, joined_at: str) -> None:
    await user_topic_docs.upsert({
        "id": topic["id"], "pk": user_id, "topic_id": topic["id"], "user_id": user_id,
        "visibility": topic.get("visibility", "public"), "joined_at": joined_at})


async def remove_member(topic_id: str, user_id: str) -> bool:
    """Deletes the membership; False when there was none (nothing counted twice)."""
    try:
        await membership_docs.delete(topic_id, member_id(user_id))
    except NotFound:
        removed = False
    else:
        removed = True
        try:
            await topic_docs.patch(topic_id, topic_id, [Patch("incr", "/member_count", -1)])
        except NotFound:
            pass
    try:
        await user_topic_docs.delete(user_id, topic_id)
    except NotFound:
        pass
    if removed:
        await remove_from_realtime(topic_id, user_id)
    return removed


async def member_edge(topic_id: str, user_id: str) -> MemberEdgeDoc | None:
    try:
        return await member_docs.read(topic_id, member_id(user_id))
    except NotFound:
        return None


async def member_count(topic_id: str) -> int:
    topic = await topic_docs.read(topic_id, topic_id)
    return int(topic.get("member_count", 0))


# ---------------------------------------------------------------------------------------------------------
# join and leave


async def check_join(principal: Principal, topic_id: str) -> JoinResult:
    """Public topic: join at once. Invite-only: a pending invitation is accepted; otherwise a join request is
    recorded for the moderators. A caller who may not see the topic always gets the same "requested" answer,
    whether the topic exists or not, so joining reveals nothing about invite-only topics."""
    try:
        topic = await topic_docs.read(topic_id, topic_id)
    except NotFound:
        return JoinResult(topic_id=topic_id, status="requested")
    access = await load_access(principal, topic)
    visible = may_see(access) and topic.get("status", "active") == "active"
    if not visible:
        may_ask = topic.get("status", "active") == "active" and access.is_private and not access.banned
        if may_ask and not await _accept_pending_invitation(topic, principal.user_id):
            await _record_join_request(topic, principal.user_id)
        return JoinResult(topic_id=topic_id, status="requested")
    if access.banned:
        raise Forbidden("You are banned from this topic.", code="banned_from_topic",
                        details={"expires_at": (access.ban or {}).get("expires_at")})
    if access.is_member:
        return JoinResult(topic_id=topic_id, status="already_member", member_count=topic.get("member_count"))
    if access.is_private:  # an administrator who is not a member
        await _record_join_request(topic, principal.user_id)
        return JoinResult(topic_id=topic_id, status="requested")
    added = await add_member(topic, principal.user_id)
    return JoinResult(topic_id=topic_id, status="joined" if added else "already_member",
                      member_count=await member_count(topic_id))


async def _accept_pending_invitation(topic: TopicDoc, user_id: str) -> bool:
    try:
        invitation = await invitation_docs.read(user_id, invitation_id(topic["id"]))
    except NotFound:
        return False
    if invitation.get("status") != "pending":
        return False
    await add_member(topic, user_id, added_by=invitation.get("inviter_id"))
    try:
        await invitation_docs.patch(user_id, invitation["id"],
                         [Patch("set", "/status", "accepted"), Patch("set", "/responded_at", clock.now_iso())])
    except NotFound:
        pass
    return True


async def _record_join_request(topic: TopicDoc, user_id: str) -> None:
    try:
        await request_docs.create({
            "id": request_id(user_id), "pk": topic["id"], "kind": "request", "topic_id": topic["id"],
            "user_id": user_id, "created_at": clock.now_iso()})
    except Conflict:
        pass  # asking twice is asking once


async def check_leave(principal: Principal, topic_id: str) -> LeaveResult:
    access = await access_topic(principal, topic_id)
    if access.is_owner:
        raise Conflict("The owner cannot leave; transfer the ownership first.", code="owner_cannot_leave")
    removed = await remove_member(topic_id, principal.user_id)
    return LeaveResult(topic_id=topic_id, status="left" if removed else "not_member",
                       member_count=await member_count(topic_id))


# ---------------------------------------------------------------------------------------------------------
# lists


def _require_member_view(access: TopicAccess) -> None:
    if not (access.is_member or access.is_admin):
        raise Forbidden("Only members see the member list.", code="members_only")


async def _member_page(topic: TopicDoc, where: list[Where], limit: int, cursor: str | None, *,
                       scope: str) -> MemberPage:
    page = await member_docs.query(Query(where=[Where("kind", "=", "member"), *where],
                                                             order_by=[("joined_at", "asc")]),
                                          pk=topic["id"], limit=limit, continuation=cursors.continuation(scope, cursor))
    names = await usernames(edge["user_id"] for edge in page.items)
    items = []
    for edge in page.items:
        role: Role = "owner" if edge["user_id"] == topic.get("owner_id") else (
            "moderator" if edge.get("role") == "moderator" else "member")
        permissions: list[Permission] = list(ALL_PERMISSIONS) if role == "owner" else (
            edge.get("permissions") or []) if role == "moderator" else []
        items.append(MemberPublic(user=user_ref(edge["user_id"], names), role=role, permissions=permissions,
                                  joined_at=edge["joined_at"]))
    return MemberPage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_list_members(principal: Principal, topic_id: str, query: ListQuery) -> MemberPage:
    access = await access_topic(principal, topic_id)
    _require_member_view(access)
    return await _member_page(access.topic, [], query.limit, query.cursor, scope=f"members:{topic_id}")


async def check_list_moderators(principal: Principal | None, topic_id: str, query: ListQuery) -> MemberPage:
    """Who moderates a topic is public to everyone who may see the topic (as in TopicsFlow)."""
    access = await access_topic(principal, topic_id)
    return await _member_page(access.topic, [Where("role", "in", ["moderator", "owner"])], query.limit,
                              query.cursor, scope=f"moderators:{topic_id}")


# ---------------------------------------------------------------------------------------------------------
# moderators and ownership (the owner's, or an administrator's, decisions)


def _require_owner(access: TopicAccess) -> None:
    if not (access.is_owner or access.is_admin):
        raise Forbidden("Only the topic's owner may do this.", code="owner_only")


async def _audit(principal: Principal, action: str, topic_id: str, user_id: str,
                 details: dict[str, str | None] | None = None) -> None:
    from shared.domain.moderation import audit_log

    await audit_log.record(principal, action, place=audit_log.topic_place(topic_id), target_kind="user",
                           target_id=user_id, target_user_id=user_id, details=details)


async def check_add_moderator(principal: Principal, topic_id: str, body: ModeratorAdd) -> MemberPublic:
    access = await access_topic(principal, topic_id)
    _require_owner(access)
    permissions = sorted(set(body.permissions if body.permissions is not None else ALL_PERMISSIONS))
    result = await _set_moderator(access, body.user_id, permissions, principal.user_id)
    await _audit(principal, "topic.add_moderator", topic_id, body.user_id, {"permissions": ",".join(permissions)})
    return result


async def check_update_moderator(principal: Principal, topic_id: str, user_id: str,
                                 body: ModeratorUpdate) -> MemberPublic:
    access = await access_topic(principal, topic_id)
    _require_owner(access)
    edge = await member_edge(topic_id, user_id)
    if edge is None or edge.get("role") != "moderator":
        raise NotFound("This user is not a moderator here.", code="moderator_not_found")
    permissions = sorted(set(body.permissions))
    result = await _set_moderator(access, user_id, permissions, principal.user_id)
    await _audit(principal, "topic.update_moderator", topic_id, user_id, {"permissions": ",".join(permissions)})
    return result


async def _set_moderator(access: TopicAccess, user_id: str, permissions: list[Permission], by: str) -> MemberPublic:
    if user_id == access.topic.get("owner_id"):
        raise Conflict("The owner already holds every permission.", code="is_owner")
    edge = await member_edge(access.topic_id, user_id)
    if edge is None:
        raise Conflict("Only members can become moderators.", code="not_a_member")
    now = clock.now_iso()
    updated = await member_docs.patch(access.topic_id, edge["id"], [
        Patch("set", "/role", "moderator"), Patch("set", "/permissions", permissions),
        Patch("set", "/moderator_since", edge.get("moderator_since") or now), Patch("set", "/added_by", by)])
    names = await usernames([user_id])
    await events.publish(events.topic_group(access.topic_id), "moderator_updated",
                         {"topic_id": access.topic_id, "user_id": user_id, "permissions": permissions})
    return MemberPublic(user=user_ref(user_id, names), role="moderator", permissions=permissions,
                        joined_at=updated["joined_at"])


async def check_remove_moderator(principal: Principal, topic_id: str, user_id: str) -> None:
    access = await access_topic(principal, topic_id)
    _require_owner(access)
    edge = await member_edge(topic_id, user_id)
    if edge is None or edge.get("role") != "moderator":
        raise NotFound("This user is not a moderator here.", code="moderator_not_found")
    await membership_docs.patch(topic_id, edge["id"],
                                   [Patch("set", "/role", "member"), Patch("set", "/permissions", [])])
    await events.publish(events.topic_group(topic_id), "moderator_removed", {"topic_id": topic_id,
                                                                             "user_id": user_id})
    await _audit(principal, "topic.remove_moderator", topic_id, user_id)


async def check_transfer_ownership(principal: Principal, topic_id: str, body: UserTarget) -> OwnershipResult:
    for _ in range(3):
        access = await access_topic(principal, topic_id)
        _require_owner(access)
        topic = access.topic
        old_owner = topic.get("owner_id")
        if body.user_id == old_owner:
            raise Conflict("This user already owns the topic.", code="is_owner")
        target = await standing(topic, body.user_id)
        if not target.is_member:
            raise Conflict("Ownership goes to a member of the topic.", code="not_a_member")
        if target.banned:
            raise Conflict("A banned user cannot own the topic.", code="is_banned")
        try:
            await topic_docs.patch(topic_id, topic_id, [Patch("set", "/owner_id", body.user_id),
                                                          Patch("set", "/updated_at", clock.now_iso())],
                             if_match=topic.get("_etag"))
        except PreconditionFailed:
            continue  # the topic changed meanwhile: decide again on fresh data
        # The topic's owner_id decides the role; the edges only mirror it for the member list.
        for uid, role, permissions in ((body.user_id, "owner", list(ALL_PERMISSIONS)), (old_owner, "member", [])):
            if not uid:
                continue
            try:
                await membership_docs.patch(topic_id, member_id(uid),
                                 [Patch("set", "/role", role), Patch("set", "/permissions", permissions)])
            except NotFound:
                pass  # left meanwhile
        names = await usernames([body.user_id])
        await events.publish(events.topic_group(topic_id), "topic_ownership_transferred",
                             {"topic_id": topic_id, "owner_id": body.user_id})
        await _audit(principal, "topic.transfer_ownership", topic_id, body.user_id, {"previous_owner": old_owner})
        return OwnershipResult(topic_id=topic_id, owner=user_ref(body.user_id, names))
    raise Conflict("The topic kept changing; try again.", code="concurrent_update")


__all__ = ["JoinResult", "LeaveResult", "MemberPage", "MemberPublic", "ModeratorAdd", "ModeratorUpdate",
           "OwnershipResult", "UserTarget", "add_member", "check_join", "check_leave", "remove_member",
           "topic_not_found"]
