"""HTTP routes for room membership under /api/chat-rooms: join, leave, members, moderators, bans, kicks and
invitations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.messages import bp
from functions.messages.paths import ROOMS
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:
    from functions.messages import route_models
    from shared.domain.chat import membership, membership_models
else:
    membership = lazy_module("shared.domain.chat.membership")
    membership_models = lazy_models("shared.domain.chat.membership_models")
    route_models = lazy_models("functions.messages.route_models")


@bp.route(route=ROOMS + "/join", methods=["POST"])
@endpoint(summary="Join a room (public rooms; a private one with a pending invitation)", path=route_models.RoomPath,
          response=membership_models.RoomJoinResult, errors=(403, 404),
          rate_limits=[RateRule("room_join", 60, 600, per="user")])
async def join_chat_room(call: Call) -> membership_models.RoomJoinResult:
    return await membership.check_join(call.user, call.path.room_id)


@bp.route(route=ROOMS + "/leave", methods=["POST"])
@endpoint(summary="Leave a room (the owner cannot)", path=route_models.RoomPath,
          response=membership_models.RoomLeaveResult, errors=(403, 404, 409))
async def leave_chat_room(call: Call) -> membership_models.RoomLeaveResult:
    return await membership.check_leave(call.user, call.path.room_id)


@bp.route(route=ROOMS + "/members", methods=["GET"])
@endpoint(summary="A room's members (members only)", path=route_models.RoomPath,
          query=membership_models.RoomMemberQuery, response=membership_models.RoomMemberPage, errors=(403, 404))
async def list_chat_room_members(call: Call) -> membership_models.RoomMemberPage:
    return await membership.check_list_members(call.user, call.path.room_id, call.query)


@bp.route(route=ROOMS + "/moderators", methods=["POST"])
@endpoint(summary="Make a member a moderator (owner)", path=route_models.RoomPath,
          body=membership_models.RoomUserTarget, response=membership_models.RoomActionResult, errors=(403, 404, 409))
async def add_chat_room_moderator(call: Call[membership_models.RoomUserTarget]) -> membership_models.RoomActionResult:
    return await membership.check_add_moderator(call.user, call.path.room_id, call.body.user_id)


@bp.route(route=ROOMS + "/moderators/{user_id}", methods=["DELETE"])
@endpoint(summary="Remove a moderator (owner)", path=route_models.RoomUserPath,
          response=membership_models.RoomActionResult, errors=(403, 404))
async def remove_chat_room_moderator(call: Call) -> membership_models.RoomActionResult:
    return await membership.check_remove_moderator(call.user, call.path.room_id, call.path.user_id)


@bp.route(route=ROOMS + "/transfer-ownership", methods=["POST"])
@endpoint(summary="Hand the room to a member (owner)", path=route_models.RoomPath,
          body=membership_models.RoomUserTarget, response=membership_models.RoomActionResult, errors=(403, 404, 409))
async def transfer_chat_room_ownership(call: Call[membership_models.RoomUserTarget]
                                       ) -> membership_models.RoomActionResult:
    return await membership.check_transfer_ownership(call.user, call.path.room_id, call.body.user_id)


@bp.route(route=ROOMS + "/ban/{user_id}", methods=["POST"])
@endpoint(summary="Ban a user from the room (moderators)", path=route_models.RoomUserPath,
          body=membership_models.RoomBanBody, response=membership_models.RoomActionResult, errors=(403, 404, 409),
          description="The body (a reason) is optional.")
async def ban_chat_room_user(call: Call[membership_models.RoomBanBody]) -> membership_models.RoomActionResult:
    return await membership.check_ban(call.user, call.path.room_id, call.path.user_id, call.body.reason)


@bp.route(route=ROOMS + "/unban/{user_id}", methods=["POST"])
@endpoint(summary="Lift a ban (moderators)", path=route_models.RoomUserPath,
          response=membership_models.RoomActionResult, errors=(403, 404))
async def unban_chat_room_user(call: Call) -> membership_models.RoomActionResult:
    return await membership.check_unban(call.user, call.path.room_id, call.path.user_id)


@bp.route(route=ROOMS + "/kick/{user_id}", methods=["POST"])
@endpoint(summary="Remove a member (moderators); a public room may be joined again", path=route_models.RoomUserPath,
          response=membership_models.RoomActionResult, errors=(403, 404, 409))
async def kick_chat_room_member(call: Call) -> membership_models.RoomActionResult:
    return await membership.check_kick(call.user, call.path.room_id, call.path.user_id)


@bp.route(route=ROOMS + "/invite", methods=["POST"])
@endpoint(summary="Invite a user into a private room (moderators)", path=route_models.RoomPath,
          body=membership_models.RoomInviteBody, response=membership_models.RoomInvitationPublic, status=201,
          errors=(403, 404, 409), rate_limits=[RateRule("room_invite", 60, 600, per="user")], idempotent=True)
async def invite_to_chat_room(call: Call[membership_models.RoomInviteBody]) -> membership_models.RoomInvitationPublic:
    return await membership.check_invite(call.user, call.path.room_id, call.body)


@bp.route(route="chat-rooms/invitations", methods=["GET"])
@endpoint(summary="My pending room invitations", query=membership_models.RoomMemberQuery,
          response=membership_models.RoomInvitationPage)
async def list_chat_room_invitations(call: Call) -> membership_models.RoomInvitationPage:
    return await membership.check_list_invitations(call.user, call.query)


@bp.route(route="chat-rooms/invitations/{invitation_id}/accept", methods=["POST"])
@endpoint(summary="Accept a room invitation", path=route_models.RoomInvitationPath,
          response=membership_models.RoomInvitationPublic, errors=(403, 404, 409))
async def accept_chat_room_invitation(call: Call) -> membership_models.RoomInvitationPublic:
    return await membership.check_accept_invitation(call.user, call.path.invitation_id)


@bp.route(route="chat-rooms/invitations/{invitation_id}/decline", methods=["POST"])
@endpoint(summary="Decline a room invitation", path=route_models.RoomInvitationPath,
          response=membership_models.RoomInvitationPublic, errors=(404, 409))
async def decline_chat_room_invitation(call: Call) -> membership_models.RoomInvitationPublic:
    return await membership.check_decline_invitation(call.user, call.path.invitation_id)
