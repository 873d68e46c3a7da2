"""HTTP routes under /api/topics (and the topic deletion review under /api/admin/topics): parse, call the
domain in shared/domain/communities, respond. Every decision about who may do what lives in the domain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.topics import bp
from shared.http.endpoint import IF_MATCH, Call, RateRule, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from functions.topics import route_models
    from shared.domain.communities import (
        anonymity,
        anonymity_models,
        invitation_models,
        invitations,
        membership,
        membership_models,
        moderation,
        moderation_models,
        topic_models,
        topics,
    )
else:
    anonymity = lazy_module("shared.domain.communities.anonymity")
    invitations = lazy_module("shared.domain.communities.invitations")
    membership = lazy_module("shared.domain.communities.membership")
    moderation = lazy_module("shared.domain.communities.moderation")
    topics = lazy_module("shared.domain.communities.topics")
    anonymity_models = lazy_models("shared.domain.communities.anonymity_models")
    invitation_models = lazy_models("shared.domain.communities.invitation_models")
    membership_models = lazy_models("shared.domain.communities.membership_models")
    moderation_models = lazy_models("shared.domain.communities.moderation_models")
    topic_models = lazy_models("shared.domain.communities.topic_models")
    route_models = lazy_models("functions.topics.route_models")


def _etag_headers(etag: str) -> dict[str, str]:
    return {"ETag": f'"{etag.strip(chr(34))}"'} if etag else {}


# ---------------------------------------------------------------------------------------------------------
# topics


@bp.route(route="topics", methods=["GET"])
@endpoint(summary="List topics", auth="optional", query=topic_models.TopicListQuery, response=topic_models.TopicPage,
          description="Public topics plus the caller's invite-only ones; sort, tag and word filters apply inside "
                      "the query, so pages are never short.")
async def list_topics(call: Call) -> topic_models.TopicPage:
    return await topics.check_list_topics(call.principal, call.query)


@bp.route(route="topics", methods=["POST"])
@endpoint(summary="Create a topic", body=topic_models.TopicCreate, response=topic_models.TopicPublic, status=201,
          errors=(409,), rate_limits=[RateRule("topic_create", 10, 3600, per="user")], idempotent=True)
async def create_topic(call: Call[topic_models.TopicCreate]) -> topic_models.TopicPublic:
    return await topics.check_create_topic(call.user, call.body)


@bp.route(route="topics/my", methods=["GET"])
@endpoint(summary="Topics I am a member of", query=topic_models.MyTopicsQuery, response=topic_models.TopicPage)
async def list_my_topics(call: Call) -> topic_models.TopicPage:
    return await topics.check_my_topics(call.user, call.query)


@bp.route(route="topics/{topic_id}", methods=["GET"])
@endpoint(summary="Get a topic", auth="optional", path=route_models.TopicPath, response=topic_models.TopicPublic,
          errors=(404,))
async def get_topic(call: Call) -> Reply:
    result, etag = await topics.check_get_topic(call.principal, call.path.topic_id)
    return Reply(result, headers=_etag_headers(etag))


@bp.route(route="topics/{topic_id}", methods=["PUT", "PATCH"])
@endpoint(summary="Update a topic (owner)", path=route_models.TopicPath, body=topic_models.TopicUpdate,
          response=topic_models.TopicPublic, errors=(403, 404, 409, 412, 503), headers=[IF_MATCH],
          description="Send If-Match with the ETag from GET to refuse the update when the topic changed (412).")
async def update_topic(call: Call[topic_models.TopicUpdate]) -> Reply:
    result, etag = await topics.check_update_topic(call.user, call.path.topic_id, call.body,
                                                   if_match=call.header("if-match"))
    return Reply(result, headers=_etag_headers(etag))


@bp.route(route="topics/{topic_id}", methods=["DELETE"])
@endpoint(summary="Delete a topic (owner; waits for an administrator's approval)", path=route_models.TopicPath,
          response=topic_models.DeletionResult, status=202, errors=(403, 404))
async def delete_topic(call: Call) -> topic_models.DeletionResult:
    return await topics.check_delete_topic(call.user, call.path.topic_id)


# ---------------------------------------------------------------------------------------------------------
# membership


@bp.route(route="topics/{topic_id}/join", methods=["POST"])
@endpoint(summary="Join a topic (or ask to, when it is invite-only)", path=route_models.TopicPath,
          response=membership_models.JoinResult, errors=(403,),
          rate_limits=[RateRule("topic_join", 60, 600, per="user")],
          alternatives={202: "Requested (invite-only): a join request waits for the moderators; the same answer "
                             "whether the topic exists or not"},
          description="200 joined or already a member; 202 requested (invite-only: a join request for the "
                      "moderators, the same answer whether the topic exists or not).")
async def join_topic(call: Call) -> Reply:
    result = await membership.check_join(call.user, call.path.topic_id)
    return Reply(result, status=202 if result.status == "requested" else None)


@bp.route(route="topics/{topic_id}/leave", methods=["POST"])
@endpoint(summary="Leave a topic", path=route_models.TopicPath, response=membership_models.LeaveResult,
          errors=(404, 409))
async def leave_topic(call: Call) -> membership_models.LeaveResult:
    return await membership.check_leave(call.user, call.path.topic_id)


@bp.route(route="topics/{topic_id}/members", methods=["GET"])
@endpoint(summary="List a topic's members (members only)", path=route_models.TopicPath,
          query=membership_models.ListQuery, response=membership_models.MemberPage, errors=(403, 404))
async def list_topic_members(call: Call) -> membership_models.MemberPage:
    return await membership.check_list_members(call.user, call.path.topic_id, call.query)


@bp.route(route="topics/{topic_id}/moderators", methods=["GET"])
@endpoint(summary="List a topic's moderators", auth="optional", path=route_models.TopicPath,
          query=membership_models.ListQuery, response=membership_models.MemberPage, errors=(404,))
async def list_topic_moderators(call: Call) -> membership_models.MemberPage:
    return await membership.check_list_moderators(call.principal, call.path.topic_id, call.query)


@bp.route(route="topics/{topic_id}/moderators", methods=["POST"])
@endpoint(summary="Make a member a moderator (owner)", path=route_models.TopicPath, body=membership_models.ModeratorAdd,
          response=membership_models.MemberPublic, errors=(403, 404, 409))
async def add_topic_moderator(call: Call[membership_models.ModeratorAdd]) -> membership_models.MemberPublic:
    return await membership.check_add_moderator(call.user, call.path.topic_id, call.body)


@bp.route(route="topics/{topic_id}/moderators/{user_id}", methods=["PUT"])
@endpoint(summary="Change a moderator's permissions (owner)", path=route_models.TopicUserPath,
          body=membership_models.ModeratorUpdate, response=membership_models.MemberPublic, errors=(403, 404))
async def update_topic_moderator(call: Call[membership_models.ModeratorUpdate]) -> membership_models.MemberPublic:
    return await membership.check_update_moderator(call.user, call.path.topic_id, call.path.user_id, call.body)


@bp.route(route="topics/{topic_id}/moderators/{user_id}", methods=["DELETE"])
@endpoint(summary="Remove a moderator (owner)", path=route_models.TopicUserPath, status=204, errors=(403, 404))
async def remove_topic_moderator(call: Call) -> None:
    await membership.check_remove_moderator(call.user, call.path.topic_id, call.path.user_id)


@bp.route(route="topics/{topic_id}/transfer-ownership", methods=["POST"])
@endpoint(summary="Transfer the ownership to a member (owner)", path=route_models.TopicPath,
          body=membership_models.UserTarget, response=membership_models.OwnershipResult, errors=(403, 404, 409))
async def transfer_topic_ownership(call: Call[membership_models.UserTarget]) -> membership_models.OwnershipResult:
    return await membership.check_transfer_ownership(call.user, call.path.topic_id, call.body)


# ---------------------------------------------------------------------------------------------------------
# moderation


@bp.route(route="topics/{topic_id}/ban", methods=["POST"])
@endpoint(summary="Ban a user from the topic, optionally for some days (ban_users)", path=route_models.TopicPath,
          body=moderation_models.BanCreate, response=moderation_models.RestrictionPublic, errors=(403, 404, 409))
async def ban_topic_user(call: Call[moderation_models.BanCreate]) -> moderation_models.RestrictionPublic:
    return await moderation.check_ban(call.user, call.path.topic_id, call.body)


@bp.route(route="topics/{topic_id}/unban", methods=["POST"])
@endpoint(summary="Lift a ban (ban_users)", path=route_models.TopicPath, body=membership_models.UserTarget,
          response=route_models.Done, errors=(403, 404))
async def unban_topic_user(call: Call[membership_models.UserTarget]) -> route_models.Done:
    await moderation.check_unban(call.user, call.path.topic_id, call.body)
    return route_models.Done(topic_id=call.path.topic_id)


@bp.route(route="topics/{topic_id}/bans", methods=["GET"])
@endpoint(summary="List bans (ban_users)", path=route_models.TopicPath, query=membership_models.ListQuery,
          response=moderation_models.RestrictionPage, errors=(403, 404))
async def list_topic_bans(call: Call) -> moderation_models.RestrictionPage:
    return await moderation.check_list_restrictions(call.user, call.path.topic_id, "ban", call.query)


@bp.route(route="topics/{topic_id}/kick", methods=["POST"])
@endpoint(summary="Remove a member from the topic (ban_users); they may join again", path=route_models.TopicPath,
          body=membership_models.UserTarget, response=moderation_models.KickResult, errors=(403, 404, 409))
async def kick_topic_member(call: Call[membership_models.UserTarget]) -> moderation_models.KickResult:
    return await moderation.check_kick(call.user, call.path.topic_id, call.body)


@bp.route(route="topics/{topic_id}/mute", methods=["POST"])
@endpoint(summary="Mute a user: may read, may not post, comment or vote (mute_users)", path=route_models.TopicPath,
          body=moderation_models.MuteCreate, response=moderation_models.RestrictionPublic, errors=(403, 404, 409))
async def mute_topic_user(call: Call[moderation_models.MuteCreate]) -> moderation_models.RestrictionPublic:
    return await moderation.check_mute(call.user, call.path.topic_id, call.body)


@bp.route(route="topics/{topic_id}/unmute", methods=["POST"])
@endpoint(summary="Lift a mute (mute_users)", path=route_models.TopicPath, body=membership_models.UserTarget,
          response=route_models.Done, errors=(403, 404))
async def unmute_topic_user(call: Call[membership_models.UserTarget]) -> route_models.Done:
    await moderation.check_unmute(call.user, call.path.topic_id, call.body)
    return route_models.Done(topic_id=call.path.topic_id)


@bp.route(route="topics/{topic_id}/mutes", methods=["GET"])
@endpoint(summary="List mutes (mute_users)", path=route_models.TopicPath, query=membership_models.ListQuery,
          response=moderation_models.RestrictionPage, errors=(403, 404))
async def list_topic_mutes(call: Call) -> moderation_models.RestrictionPage:
    return await moderation.check_list_restrictions(call.user, call.path.topic_id, "mute", call.query)


# ---------------------------------------------------------------------------------------------------------
# invitations and join requests


@bp.route(route="topics/{topic_id}/invite", methods=["POST"])
@endpoint(summary="Invite a user into an invite-only topic (members)", path=route_models.TopicPath,
          body=membership_models.UserTarget, response=invitation_models.InvitationCreated, status=201,
          errors=(403, 404, 409), rate_limits=[RateRule("topic_invite", 30, 600, per="user")], idempotent=True)
async def invite_to_topic(call: Call[membership_models.UserTarget]) -> invitation_models.InvitationCreated:
    return await invitations.check_invite(call.user, call.path.topic_id, call.body)


@bp.route(route="topics/{topic_id}/invitations/{user_id}", methods=["DELETE"])
@endpoint(summary="Revoke a pending invitation (manage_invitations)", path=route_models.TopicUserPath, status=204,
          errors=(403, 404, 409))
async def revoke_topic_invitation(call: Call) -> None:
    await invitations.check_revoke_invitation(call.user, call.path.topic_id, call.path.user_id)


@bp.route(route="topics/invitations", methods=["GET"])
@endpoint(summary="My pending topic invitations", query=membership_models.ListQuery,
          response=invitation_models.InvitationPage)
async def list_my_topic_invitations(call: Call) -> invitation_models.InvitationPage:
    return await invitations.check_list_my_invitations(call.user, call.query)


@bp.route(route="topics/invitations/{invitation_id}/accept", methods=["POST"])
@endpoint(summary="Accept a topic invitation", path=invitation_models.InvitationPath,
          response=invitation_models.InvitationPublic, errors=(403, 404, 409))
async def accept_topic_invitation(call: Call) -> invitation_models.InvitationPublic:
    return await invitations.check_accept_invitation(call.user, call.path.invitation_id)


@bp.route(route="topics/invitations/{invitation_id}/decline", methods=["POST"])
@endpoint(summary="Decline a topic invitation", path=invitation_models.InvitationPath,
          response=invitation_models.InvitationPublic, errors=(404, 409))
async def decline_topic_invitation(call: Call) -> invitation_models.InvitationPublic:
    return await invitations.check_decline_invitation(call.user, call.path.invitation_id)


@bp.route(route="topics/{topic_id}/join-requests", methods=["GET"])
@endpoint(summary="Pending join requests (manage_invitations)", path=route_models.TopicPath,
          query=membership_models.ListQuery, response=invitation_models.JoinRequestPage, errors=(403, 404))
async def list_topic_join_requests(call: Call) -> invitation_models.JoinRequestPage:
    return await invitations.check_list_join_requests(call.user, call.path.topic_id, call.query)


@bp.route(route="topics/{topic_id}/join-requests/{user_id}/approve", methods=["POST"])
@endpoint(summary="Approve a join request (manage_invitations)", path=route_models.TopicUserPath,
          response=route_models.Done, errors=(403, 404, 409))
async def approve_topic_join_request(call: Call) -> route_models.Done:
    await invitations.check_approve_join_request(call.user, call.path.topic_id, call.path.user_id)
    return route_models.Done(topic_id=call.path.topic_id)


@bp.route(route="topics/{topic_id}/join-requests/{user_id}/reject", methods=["POST"])
@endpoint(summary="Reject a join request (manage_invitations)", path=route_models.TopicUserPath,
          response=route_models.Done, errors=(403, 404))
async def reject_topic_join_request(call: Call) -> route_models.Done:
    await invitations.check_reject_join_request(call.user, call.path.topic_id, call.path.user_id)
    return route_models.Done(topic_id=call.path.topic_id)


# ---------------------------------------------------------------------------------------------------------
# anonymous identity


@bp.route(route="topics/{topic_id}/anonymous-identity", methods=["GET"])
@endpoint(summary="My anonymous name in a topic", path=route_models.TopicPath, response=anonymity_models.AliasPublic,
          errors=(404,))
async def get_topic_alias(call: Call) -> anonymity_models.AliasPublic:
    return await anonymity.check_get_alias(call.user, call.path.topic_id)


@bp.route(route="topics/{topic_id}/anonymous-identity", methods=["PUT", "POST"])
@endpoint(summary="Choose (or regenerate) my anonymous name in a topic", path=route_models.TopicPath,
          body=anonymity_models.AliasUpdate, response=anonymity_models.AliasPublic, errors=(403, 404, 409),
          rate_limits=[RateRule("topic_alias", 20, 600, per="user")])
async def set_topic_alias(call: Call[anonymity_models.AliasUpdate]) -> anonymity_models.AliasPublic:
    return await anonymity.check_set_alias(call.user, call.path.topic_id, call.body)


@bp.route(route="topics/{topic_id}/anonymous-identity", methods=["DELETE"])
@endpoint(summary="Forget my anonymous name in a topic", path=route_models.TopicPath, status=204, errors=(404, 409))
async def delete_topic_alias(call: Call) -> None:
    await anonymity.check_delete_alias(call.user, call.path.topic_id)


# ---------------------------------------------------------------------------------------------------------
# administrators: review of deletions


@bp.route(route="admin/topics/pending-deletions", methods=["GET"])
@endpoint(summary="Topics waiting for a deletion review (admin)", auth="admin", query=topic_models.MyTopicsQuery,
          response=topic_models.TopicPage, tags=["admin"])
async def list_topic_pending_deletions(call: Call) -> topic_models.TopicPage:
    return await topics.check_list_pending_deletions(call.user, call.query)


@bp.route(route="admin/topics/{topic_id}/approve-deletion", methods=["POST"])
@endpoint(summary="Approve a topic's deletion (admin); the purge timer removes it later", auth="admin",
          path=route_models.TopicPath, response=topic_models.DeletionResult, errors=(404, 409), tags=["admin"])
async def approve_topic_deletion(call: Call) -> topic_models.DeletionResult:
    return await topics.check_approve_deletion(call.user, call.path.topic_id)


@bp.route(route="admin/topics/{topic_id}/reject-deletion", methods=["POST"])
@endpoint(summary="Reject a topic's deletion (admin): the topic comes back", auth="admin", path=route_models.TopicPath,
          response=topic_models.DeletionResult, errors=(404, 409), tags=["admin"])
async def reject_topic_deletion(call: Call) -> topic_models.DeletionResult:
    return await topics.check_reject_deletion(call.user, call.path.topic_id)
