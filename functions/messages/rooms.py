"""HTTP routes for chat rooms under /api/chat-rooms: topic conversations, group chats, one room, settings and
mutes. Parse, call shared/domain/chat, respond; every access decision lives in the domain (chat/access.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.messages import bp
from functions.messages.paths import ROOMS
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:
    from functions.messages import route_models
    from shared.domain.chat import room_models, rooms
else:
    rooms = lazy_module("shared.domain.chat.rooms")
    room_models = lazy_models("shared.domain.chat.room_models")
    route_models = lazy_models("functions.messages.route_models")

CREATE_LIMIT = [RateRule("room_create", 20, 3600, per="user")]


@bp.route(route="chat-rooms/topics/{topic_id}/conversations", methods=["GET"])
@endpoint(summary="A topic's conversations", auth="optional", path=route_models.TopicRoomsPath,
          query=room_models.RoomListQuery, response=room_models.RoomPage, errors=(404,),
          description="The built-in `general` conversation, the public ones and the caller's private ones; each "
                      "with the caller's unread and mention counts.")
async def list_topic_conversations(call: Call) -> room_models.RoomPage:
    return await rooms.check_list_conversations(call.principal, call.path.topic_id, call.query)


@bp.route(route="chat-rooms/topics/{topic_id}/conversations", methods=["POST"])
@endpoint(summary="Create a conversation in a topic", path=route_models.TopicRoomsPath,
          body=room_models.TopicConversationCreate, response=room_models.RoomPublic, status=201, errors=(403, 404, 409),
          rate_limits=CREATE_LIMIT, idempotent=True)
async def create_topic_conversation(call: Call[room_models.TopicConversationCreate]) -> room_models.RoomPublic:
    return await rooms.check_create_conversation(call.user, call.path.topic_id, call.body)


@bp.route(route="chat-rooms/group", methods=["POST"])
@endpoint(summary="Create a group chat (private, invite-only)", body=room_models.GroupChatCreate,
          response=room_models.RoomPublic, status=201, errors=(409,), rate_limits=CREATE_LIMIT, idempotent=True)
async def create_group_chat(call: Call[room_models.GroupChatCreate]) -> room_models.RoomPublic:
    return await rooms.check_create_group(call.user, call.body)


@bp.route(route="chat-rooms/group/list", methods=["GET"])
@endpoint(summary="My group chats", query=room_models.RoomListQuery, response=room_models.RoomPage)
async def list_group_chats(call: Call) -> room_models.RoomPage:
    return await rooms.check_list_groups(call.user, call.query)


@bp.route(route=ROOMS, methods=["GET"])
@endpoint(summary="Get a chat room", auth="optional", path=route_models.RoomPath, response=room_models.RoomPublic,
          errors=(403, 404))
async def get_chat_room(call: Call) -> room_models.RoomPublic:
    return await rooms.check_get_room(call.principal, call.path.room_id)


@bp.route(route=ROOMS, methods=["PATCH", "PUT"])
@endpoint(summary="Rename or describe a room (owner)", path=route_models.RoomPath, body=room_models.RoomUpdate,
          response=room_models.RoomPublic, errors=(403, 404, 409))
async def update_chat_room(call: Call[room_models.RoomUpdate]) -> room_models.RoomPublic:
    return await rooms.check_update_room(call.user, call.path.room_id, call.body)


@bp.route(route=ROOMS, methods=["DELETE"])
@endpoint(summary="Delete a room (owner; waits for an administrator's review)", path=route_models.RoomPath,
          response=room_models.RoomDeletion, status=202, errors=(403, 404, 409))
async def delete_chat_room(call: Call) -> room_models.RoomDeletion:
    return await rooms.check_delete_room(call.user, call.path.room_id)


@bp.route(route=ROOMS + "/settings", methods=["PUT", "PATCH"])
@endpoint(summary="Change a room's settings (owner)", path=route_models.RoomPath,
          body=room_models.RoomSettingsUpdate, response=room_models.RoomPublic, errors=(403, 404))
async def update_chat_room_settings(call: Call[room_models.RoomSettingsUpdate]) -> room_models.RoomPublic:
    return await rooms.check_update_settings(call.user, call.path.room_id, call.body)


@bp.route(route=ROOMS + "/mute", methods=["POST"])
@endpoint(summary="Mute a room's notifications for me (minutes: -1 for ever, 0 unmutes)", path=route_models.RoomPath,
          body=room_models.RoomMuteRequest, response=room_models.RoomMuteState, errors=(403, 404))
async def mute_chat_room(call: Call[room_models.RoomMuteRequest]) -> room_models.RoomMuteState:
    return await rooms.check_mute(call.user, call.path.room_id, call.body)


@bp.route(route=ROOMS + "/unmute", methods=["POST"])
@endpoint(summary="Unmute a room's notifications for me", path=route_models.RoomPath,
          response=room_models.RoomMuteState, errors=(403, 404))
async def unmute_chat_room(call: Call) -> room_models.RoomMuteState:
    return await rooms.check_unmute(call.user, call.path.room_id)


@bp.route(route=ROOMS + "/picture", methods=["PUT"])
@endpoint(summary="Set a room's picture (moderators)", path=route_models.RoomPath, body=room_models.RoomImageBody,
          response=room_models.RoomPublic, errors=(403, 404),
          description="Upload the image through POST /api/attachments/upload-url first; it must sniff as a PNG, "
                      "JPEG, GIF or WebP.")
async def set_chat_room_picture(call: Call[room_models.RoomImageBody]) -> room_models.RoomPublic:
    return await rooms.check_set_image(call.user, call.path.room_id, "picture", call.body)


@bp.route(route=ROOMS + "/picture", methods=["GET"])
@endpoint(summary="A room's picture (a short-lived URL)", auth="optional", path=route_models.RoomPath,
          response=room_models.RoomImage, errors=(403, 404))
async def get_chat_room_picture(call: Call) -> room_models.RoomImage:
    return await rooms.check_get_image(call.principal, call.path.room_id, "picture")


@bp.route(route=ROOMS + "/background", methods=["PUT"])
@endpoint(summary="Set a room's background (moderators)", path=route_models.RoomPath,
          body=room_models.RoomImageBody, response=room_models.RoomPublic, errors=(403, 404),
          description="As the picture: an uploaded PNG, JPEG, GIF or WebP.")
async def set_chat_room_background(call: Call[room_models.RoomImageBody]) -> room_models.RoomPublic:
    return await rooms.check_set_image(call.user, call.path.room_id, "background", call.body)


@bp.route(route=ROOMS + "/background", methods=["GET"])
@endpoint(summary="A room's background (a short-lived URL)", auth="optional", path=route_models.RoomPath,
          response=room_models.RoomImage, errors=(403, 404))
async def get_chat_room_background(call: Call) -> room_models.RoomImage:
    return await rooms.check_get_image(call.principal, call.path.room_id, "background")


@bp.route(route="admin/chat-rooms/pending-deletions", methods=["GET"])
@endpoint(summary="Chat rooms waiting for a deletion review (admin)", auth="admin", query=room_models.RoomListQuery,
          response=room_models.RoomPage, tags=["admin"])
async def list_chat_room_pending_deletions(call: Call) -> room_models.RoomPage:
    return await rooms.check_list_pending_deletions(call.user, call.query)


@bp.route(route="admin/" + ROOMS + "/approve-deletion", methods=["POST"])
@endpoint(summary="Approve a chat room's deletion (admin); the purge timer removes it", auth="admin",
          path=route_models.RoomPath, response=room_models.RoomDeletion, errors=(404, 409), tags=["admin"])
async def approve_chat_room_deletion(call: Call) -> room_models.RoomDeletion:
    return await rooms.check_approve_deletion(call.user, call.path.room_id)


@bp.route(route="admin/" + ROOMS + "/reject-deletion", methods=["POST"])
@endpoint(summary="Reject a chat room's deletion (admin): the room comes back", auth="admin",
          path=route_models.RoomPath, response=room_models.RoomPublic, errors=(404, 409), tags=["admin"])
async def reject_chat_room_deletion(call: Call) -> room_models.RoomPublic:
    return await rooms.check_reject_deletion(call.user, call.path.room_id)
