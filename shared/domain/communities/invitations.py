"""Invitations into invite-only topics, and join requests.

An invitation is one document per invitee and topic in `invitations` (pk = invitee, id = "inv_<topic id>"), so
"already invited" is a point read and inviting twice cannot create two. Any member may invite (as in TopicsFlow);
revoking invitations and deciding join requests needs the `manage_invitations` permission.
A join request is the edge "request:<uid>" in the topic's `memberships` partition (see membership.check_join).
"""

from __future__ import annotations

from shared import clock
from shared.domain import cursors, events
from shared.domain.communities.access import access_topic, access_topic_as_moderator, standing
from shared.domain.communities.containers import invitation_id, request_id
from shared.domain.communities.documents import (
    InvitationDoc,
    TopicDoc,
    invitation_docs,
    membership_docs,
    request_docs,
    topic_docs,
)
from shared.domain.communities.invitation_models import (
    InvitationCreated,
    InvitationPage,
    InvitationPublic,
    JoinRequestPage,
    JoinRequestPublic,
    TopicSummary,
)
from shared.domain.communities.membership import ListQuery, UserTarget, add_member
from shared.domain.communities.people import existing_user, ref, user_ref, usernames
from shared.domain.identity import Principal
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where


def invitation_not_found() -> NotFound:
    return NotFound("Invitation not found.", code="invitation_not_found")


async def check_invite(principal: Principal, topic_id: str, body: UserTarget) -> InvitationCreated:
    access = await access_topic(principal, topic_id)
    if not (access.is_member or access.is_admin):
        raise Forbidden("Only members may invite.", code="members_only")
    if not access.is_private:
        raise Conflict("Anyone may join a public topic; there is nothing to invite to.", code="topic_is_public")
    if access.banned or access.muted:
        raise Forbidden("You are restricted in this topic.", code="banned_from_topic" if access.banned
                        else "muted_in_topic")
    await existing_user(body.user_id)
    target = await standing(access.topic, body.user_id)
    if target.role == "owner":
        raise Conflict("This user owns the topic.", code="is_owner")
    if target.is_member:
        raise Conflict("This user is already a member.", code="already_member")
    if target.banned:
        raise Conflict("This user is banned from the topic.", code="is_banned")
    doc: InvitationDoc = {"id": invitation_id(topic_id), "pk": body.user_id, "topic_id": topic_id,
                          "invitee_id": body.user_id, "inviter_id": principal.user_id, "status": "pending",
                          "created_at": clock.now_iso()}
    try:
        existing = await invitation_docs.read(body.user_id, doc["id"])
    except NotFound:
        try:
            await invitation_docs.create(doc)
        except Conflict:
            raise Conflict("This user is already invited.", code="already_invited") from None
    else:
        if existing.get("status") == "pending":
            raise Conflict("This user is already invited.", code="already_invited")
        try:  # an earlier invitation was answered: this is a new one
            await invitation_docs.replace(doc, if_match=existing.get("_etag"))
        except PreconditionFailed:
            raise Conflict("This user is already invited.", code="already_invited") from None
    names = await usernames([body.user_id, principal.user_id])
    await events.publish_to_user(body.user_id, "topic_invitation", {
        "invitation_id": doc["id"], "topic": {"id": topic_id, "title": access.topic["title"]},
        "inviter": {"id": principal.user_id, "username": names.get(principal.user_id)}})
    return InvitationCreated(topic_id=topic_id, invitee=user_ref(body.user_id, names), status="pending")


async def check_revoke_invitation(principal: Principal, topic_id: str, user_id: str) -> None:
    await access_topic_as_moderator(principal, topic_id, "manage_invitations")
    try:
        existing = await invitation_docs.read(user_id, invitation_id(topic_id))
    except NotFound:
        raise invitation_not_found() from None
    if existing.get("status") != "pending":
        raise invitation_not_found()
    try:
        await invitation_docs.delete(user_id, existing["id"], if_match=existing.get("_etag"))
    except (NotFound, PreconditionFailed):
        raise Conflict("The invitation was answered meanwhile.", code="invitation_answered") from None


async def check_list_my_invitations(principal: Principal, query: ListQuery) -> InvitationPage:
    scope = f"invitations:{principal.user_id}"
    page = await invitation_docs.query(Query(where=[Where("status", "=", "pending")],
                                             order_by=[("created_at", "desc")]),
                                       pk=principal.user_id, limit=query.limit,
                                       continuation=cursors.continuation(scope, query.cursor))
    topics = {t["id"]: t for t in await topic_docs.read_many([(i["topic_id"], i["topic_id"]) for i in page.items])}
    names = await usernames(i.get("inviter_id") for i in page.items)
    items = []
    for inv in page.items:
        topic = topics.get(inv["topic_id"])
        if topic is None or topic.get("status", "active") != "active":
            continue  # the topic is going away; the invitation goes with it
        items.append(_view(inv, topic, names))
    return InvitationPage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


def _view(inv: InvitationDoc, topic: TopicDoc, names: dict[str, str]) -> InvitationPublic:
    return InvitationPublic(id=inv["id"], status=inv["status"], created_at=inv["created_at"],
                            inviter=ref(inv.get("inviter_id"), names),
                            topic=TopicSummary(id=topic["id"], title=topic["title"],
                                               description=topic.get("description", ""),
                                               member_count=topic.get("member_count", 0)))


async def _pending(principal: Principal, inv_id: str) -> tuple[InvitationDoc, TopicDoc]:
    try:
        inv = await invitation_docs.read(principal.user_id, inv_id)
        topic = await topic_docs.read(inv["topic_id"], inv["topic_id"])
    except NotFound:
        raise invitation_not_found() from None
    if inv.get("status") != "pending" or topic.get("status", "active") != "active":
        raise invitation_not_found()
    return inv, topic


async def _answer(inv: InvitationDoc, status: str) -> None:
    try:
        ops = [Patch("set", "/status", status), Patch("set", "/responded_at", clock.now_iso())]
        await invitation_docs.patch(inv["pk"], inv["id"], ops, if_match=inv.get("_etag"))
    except (NotFound, PreconditionFailed):
        raise Conflict("The invitation changed meanwhile.", code="invitation_answered") from None


async def check_accept_invitation(principal: Principal, inv_id: str) -> InvitationPublic:
    inv, topic = await _pending(principal, inv_id)
    me = await standing(topic, principal.user_id)
    if me.banned:
        raise Forbidden("You are banned from this topic.", code="banned_from_topic")
    await _answer(inv, "accepted")
    await add_member(topic, principal.user_id, added_by=inv.get("inviter_id"))
    names = await usernames([inv.get("inviter_id")])
    fresh = await topic_docs.read(topic["id"], topic["id"])
    return _view({**inv, "status": "accepted"}, fresh, names)


async def check_decline_invitation(principal: Principal, inv_id: str) -> InvitationPublic:
    inv, topic = await _pending(principal, inv_id)
    await _answer(inv, "declined")
    names = await usernames([inv.get("inviter_id")])
    return _view({**inv, "status": "declined"}, topic, names)


# ---------------------------------------------------------------------------------------------------------
# join requests (invite-only topics)


async def check_list_join_requests(principal: Principal, topic_id: str, query: ListQuery) -> JoinRequestPage:
    await access_topic_as_moderator(principal, topic_id, "manage_invitations")
    scope = f"join-requests:{topic_id}"
    page = await request_docs.query(Query(where=[Where("kind", "=", "request")],
                                                             order_by=[("created_at", "asc")]),
                                          pk=topic_id, limit=query.limit,
                                          continuation=cursors.continuation(scope, query.cursor))
    names = await usernames(r["user_id"] for r in page.items)
    return JoinRequestPage(items=[JoinRequestPublic(user=user_ref(r["user_id"], names), created_at=r["created_at"])
                                  for r in page.items], next_cursor=cursors.next_cursor(scope, page.continuation))


async def _take_request(topic_id: str, user_id: str) -> None:
    try:
        await membership_docs.delete(topic_id, request_id(user_id))
    except NotFound:
        raise NotFound("No such join request.", code="join_request_not_found") from None


async def check_approve_join_request(principal: Principal, topic_id: str, user_id: str) -> None:
    access = await access_topic_as_moderator(principal, topic_id, "manage_invitations")
    target = await standing(access.topic, user_id)
    await _take_request(topic_id, user_id)
    if target.banned:
        raise Conflict("This user is banned from the topic.", code="is_banned")
    await add_member(access.topic, user_id, added_by=principal.user_id)
    await events.publish_to_user(user_id, "join_request_approved",
                                 {"topic_id": topic_id, "title": access.topic["title"]})


async def check_reject_join_request(principal: Principal, topic_id: str, user_id: str) -> None:
    await access_topic_as_moderator(principal, topic_id, "manage_invitations")
    await _take_request(topic_id, user_id)
