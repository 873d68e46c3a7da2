"""Moderation of people in a topic: ban (optionally for a while) and unban, kick, mute and unmute.

Each needs its permission (ban_users for ban, unban and kick; mute_users for mute and unmute), held by the owner,
administrators and the moderators it was granted to. Nobody acts on the owner or on themselves, and only the owner
or an administrator acts on a moderator. Bans and mutes are edge documents "ban:<uid>" / "mute:<uid>" with an
optional `expires_at`; an expired one no longer counts (access.py) and is simply overwritten by the next.
"""

from __future__ import annotations

from typing import Literal

from shared import clock, wiring
from shared.domain import cursors, events
from shared.domain.communities.access import TopicAccess, access_topic_as_moderator, standing
from shared.domain.communities.containers import INVITATIONS, MEMBERSHIPS, ban_id, invitation_id, mute_id, request_id
from shared.domain.communities.documents import RestrictionDoc, membership_docs, restriction_docs
from shared.domain.communities.membership import ListQuery, UserTarget, remove_member
from shared.domain.communities.moderation_models import (
    BanCreate,
    KickResult,
    MuteCreate,
    RestrictionPage,
    RestrictionPublic,
)
from shared.domain.communities.people import existing_user, ref, user_ref, usernames
from shared.domain.identity import Principal
from shared.domain.moderation import audit_log
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from shared.ports import Query, Where


async def _check_target(access: TopicAccess, principal: Principal, user_id: str) -> TopicAccess:
    if user_id == principal.user_id:
        raise Conflict("You cannot do this to yourself.", code="cannot_target_self")
    await existing_user(user_id)
    target = await standing(access.topic, user_id)
    if target.role == "owner":
        raise Forbidden("The topic's owner cannot be restricted.", code="cannot_target_owner")
    if not access.outranks(target.role):
        raise Forbidden("Only the owner or an administrator may restrict a moderator.", code="cannot_target_moderator")
    return target


def _view(doc: RestrictionDoc, names: dict[str, str]) -> RestrictionPublic:
    return RestrictionPublic(kind=doc["kind"], topic_id=doc["topic_id"], user=user_ref(doc["user_id"], names),
                             reason=doc.get("reason"), created_at=doc["created_at"], expires_at=doc.get("expires_at"),
                             active=not clock.has_passed(doc.get("expires_at")), by=ref(doc.get("by"), names))


async def _restrict(kind: Literal["ban", "mute"], access: TopicAccess, principal: Principal, user_id: str,
                    reason: str | None, expires_at: str | None) -> RestrictionPublic:
    doc: RestrictionDoc = {
        "id": (ban_id if kind == "ban" else mute_id)(user_id), "pk": access.topic_id, "kind": kind,
        "topic_id": access.topic_id, "user_id": user_id, "reason": reason, "by": principal.user_id,
        "created_at": clock.now_iso(), "expires_at": expires_at}
    await restriction_docs.upsert(doc)
    names = await usernames([user_id, principal.user_id])
    return _view(doc, names)


async def check_ban(principal: Principal, topic_id: str, body: BanCreate, *,
                    report_id: str | None = None) -> RestrictionPublic:
    access = await access_topic_as_moderator(principal, topic_id, "ban_users")
    await _check_target(access, principal, body.user_id)
    expires_at = clock.later_iso(days=body.duration_days) if body.duration_days else None
    result = await _restrict("ban", access, principal, body.user_id, body.reason, expires_at)
    # A ban ends the membership and anything pending that would let the user back in.
    await remove_member(topic_id, body.user_id)
    docs = wiring.documents()
    for container, pk, id in ((MEMBERSHIPS, topic_id, request_id(body.user_id)),
                              (INVITATIONS, body.user_id, invitation_id(topic_id))):
        try:
            await docs.delete(container, pk, id)
        except NotFound:
            pass
    await events.publish_to_user(body.user_id, "topic_banned", {"topic_id": topic_id, "expires_at": expires_at})
    await audit_log.record(principal, "topic.ban", place=audit_log.topic_place(topic_id), target_kind="user",
                           target_id=body.user_id, target_user_id=body.user_id, reason=body.reason,
                           report_id=report_id, details={"expires_at": expires_at})
    return result


async def check_unban(principal: Principal, topic_id: str, body: UserTarget) -> None:
    await access_topic_as_moderator(principal, topic_id, "ban_users")
    try:
        await membership_docs.delete(topic_id, ban_id(body.user_id))
    except NotFound:
        raise NotFound("This user is not banned here.", code="ban_not_found") from None
    await events.publish_to_user(body.user_id, "topic_unbanned", {"topic_id": topic_id})
    await audit_log.record(principal, "topic.unban", place=audit_log.topic_place(topic_id), target_kind="user",
                           target_id=body.user_id, target_user_id=body.user_id)


async def check_kick(principal: Principal, topic_id: str, body: UserTarget) -> KickResult:
    access = await access_topic_as_moderator(principal, topic_id, "ban_users")
    target = await _check_target(access, principal, body.user_id)
    if not target.is_member or not await remove_member(topic_id, body.user_id):
        raise NotFound("This user is not a member here.", code="member_not_found")
    await events.publish_to_user(body.user_id, "topic_kicked", {"topic_id": topic_id})
    await audit_log.record(principal, "topic.kick", place=audit_log.topic_place(topic_id), target_kind="user",
                           target_id=body.user_id, target_user_id=body.user_id)
    return KickResult(topic_id=topic_id, user_id=body.user_id, status="kicked")


async def check_mute(principal: Principal, topic_id: str, body: MuteCreate, *,
                     report_id: str | None = None) -> RestrictionPublic:
    access = await access_topic_as_moderator(principal, topic_id, "mute_users")
    await _check_target(access, principal, body.user_id)
    expires_at = clock.later_iso(minutes=body.duration_minutes) if body.duration_minutes else None
    result = await _restrict("mute", access, principal, body.user_id, body.reason, expires_at)
    await events.publish_to_user(body.user_id, "topic_muted", {"topic_id": topic_id, "expires_at": expires_at})
    await audit_log.record(principal, "topic.mute", place=audit_log.topic_place(topic_id), target_kind="user",
                           target_id=body.user_id, target_user_id=body.user_id, reason=body.reason,
                           report_id=report_id, details={"expires_at": expires_at})
    return result


async def check_unmute(principal: Principal, topic_id: str, body: UserTarget) -> None:
    await access_topic_as_moderator(principal, topic_id, "mute_users")
    try:
        await membership_docs.delete(topic_id, mute_id(body.user_id))
    except NotFound:
        raise NotFound("This user is not muted here.", code="mute_not_found") from None
    await events.publish_to_user(body.user_id, "topic_unmuted", {"topic_id": topic_id})
    await audit_log.record(principal, "topic.unmute", place=audit_log.topic_place(topic_id), target_kind="user",
                           target_id=body.user_id, target_user_id=body.user_id)


async def check_list_restrictions(principal: Principal, topic_id: str, kind: Literal["ban", "mute"],
                                  query: ListQuery) -> RestrictionPage:
    """Bans or mutes, newest first. One that expired a moment ago still shows (active=false) until the timer
    removes it; filtering it out here would make pages short."""
    await access_topic_as_moderator(principal, topic_id, "ban_users" if kind == "ban" else "mute_users")
    scope = f"{kind}s:{topic_id}"
    page = await restriction_docs.query(Query(where=[Where("kind", "=", kind)],
                                                             order_by=[("created_at", "desc")]),
                                          pk=topic_id, limit=query.limit,
                                          continuation=cursors.continuation(scope, query.cursor))
    names = await usernames([d["user_id"] for d in page.items] + [d.get("by") for d in page.items])
    return RestrictionPage(items=[_view(doc, names) for doc in page.items],
                           next_cursor=cursors.next_cursor(scope, page.continuation))


async def remove_expired_restrictions(limit: int = 200) -> int:
    """The timer's work: bans and mutes whose time is up are deleted (across topics)."""
    page = await restriction_docs.query(Query(where=[Where("kind", "in", ["ban", "mute"]),
                                                      Where("expires_at", "<=", clock.now_iso())]), limit=limit)
    removed = 0
    for doc in page.items:
        try:
            await membership_docs.delete(doc["pk"], doc["id"], if_match=doc.get("_etag"))
            removed += 1
        except (NotFound, PreconditionFailed):
            pass  # lifted or renewed meanwhile
    return removed
