"""HTTP routes for messages: a room's messages under /api/chat-rooms/{room_id}/messages (send, history by anchor,
search, edit, delete, reactions, read state), one message under /api/messages/{id}, and the old topic chat under
/api/messages/topic/{topic_id} (the topic's `general` conversation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.messages import bp
from functions.messages.paths import MESSAGE, ROOMS
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:
    from functions.messages import route_models
    from shared.domain.chat import message_models, room_messages
else:
    room_messages = lazy_module("shared.domain.chat.room_messages")
    message_models = lazy_models("shared.domain.chat.message_models")
    route_models = lazy_models("functions.messages.route_models")

SEND_LIMIT = [RateRule("chat_send", 60, 60, per="user")]
WRITE_LIMIT = [RateRule("chat_write", 120, 60, per="user")]
REACT_LIMIT = [RateRule("chat_react", 120, 60, per="user")]


@bp.route(route=ROOMS + "/messages", methods=["POST"])
@endpoint(summary="Send a message to a room", path=route_models.RoomPath, body=message_models.MessageCreate,
          response=message_models.MessagePublic, status=201, errors=(403, 404), rate_limits=SEND_LIMIT,
          idempotent=True)
async def send_chat_room_message(call: Call[message_models.MessageCreate]) -> message_models.MessagePublic:
    return await room_messages.check_send(call.user, call.path.room_id, call.body, request_key=call.idempotency_key)


@bp.route(route=ROOMS + "/messages", methods=["GET"])
@endpoint(summary="A room's history, by anchor", auth="optional", path=route_models.RoomPath,
          query=message_models.MessageHistoryQuery, response=message_models.MessagePage, errors=(403, 404),
          description="The newest messages, or `limit` of them before, after or around a message id; the page says "
                      "whether older and newer messages exist.")
async def list_chat_room_messages(call: Call) -> message_models.MessagePage:
    return await room_messages.check_history(call.principal, call.path.room_id, call.query)


@bp.route(route=ROOMS + "/messages/search", methods=["GET"])
@endpoint(summary="Search a room's messages (plain substring)", auth="optional", path=route_models.RoomPath,
          query=message_models.MessageSearchQuery, response=message_models.MessageSearchPage, errors=(403, 404))
async def search_chat_room_messages(call: Call) -> message_models.MessageSearchPage:
    return await room_messages.check_search(call.principal, call.path.room_id, call.query)


@bp.route(route=ROOMS + "/messages/" + MESSAGE, methods=["GET"])
@endpoint(summary="One message of a room", auth="optional", path=route_models.RoomMessagePath,
          response=message_models.MessagePublic, errors=(403, 404))
async def get_chat_room_message(call: Call) -> message_models.MessagePublic:
    return await room_messages.check_get_room_message(call.principal, call.path.room_id, call.path.message_id)


@bp.route(route=ROOMS + "/messages/" + MESSAGE, methods=["PATCH", "PUT"])
@endpoint(summary="Edit my message (within the edit window)", path=route_models.RoomMessagePath,
          body=message_models.MessageUpdate, response=message_models.MessagePublic, errors=(403, 404, 409),
          rate_limits=WRITE_LIMIT)
async def edit_chat_room_message(call: Call[message_models.MessageUpdate]) -> message_models.MessagePublic:
    return await room_messages.check_edit(call.user, call.path.room_id, call.path.message_id, call.body)


@bp.route(route=ROOMS + "/messages/" + MESSAGE, methods=["DELETE"])
@endpoint(summary="Unsend my message, or remove one with a reason (moderators)", path=route_models.RoomMessagePath,
          query=message_models.MessageDeleteQuery, response=message_models.MessagePublic, errors=(403, 404),
          rate_limits=WRITE_LIMIT)
async def delete_chat_room_message(call: Call) -> message_models.MessagePublic:
    return await room_messages.check_delete(call.user, call.path.room_id, call.path.message_id, call.query.reason)


@bp.route(route=ROOMS + "/messages/" + MESSAGE + "/reactions/{emoji}", methods=["PUT"])
@endpoint(summary="React to a message (once per emoji)", path=route_models.ReactionPath,
          response=message_models.MessageReactionResult, errors=(403, 404, 409), rate_limits=REACT_LIMIT)
async def add_chat_room_reaction(call: Call) -> message_models.MessageReactionResult:
    return await room_messages.check_react(call.user, call.path.room_id, call.path.message_id, call.path.emoji,
                                           on=True)


@bp.route(route=ROOMS + "/messages/" + MESSAGE + "/reactions/{emoji}", methods=["DELETE"])
@endpoint(summary="Take my reaction back", path=route_models.ReactionPath,
          response=message_models.MessageReactionResult, errors=(403, 404, 409), rate_limits=REACT_LIMIT)
async def remove_chat_room_reaction(call: Call) -> message_models.MessageReactionResult:
    return await room_messages.check_react(call.user, call.path.room_id, call.path.message_id, call.path.emoji,
                                           on=False)


@bp.route(route=ROOMS + "/read", methods=["POST"])
@endpoint(summary="Mark a room read up to a message", path=route_models.RoomPath, body=message_models.RoomReadBody,
          response=message_models.ReadStatePublic, errors=(403, 404))
async def mark_chat_room_read(call: Call[message_models.RoomReadBody]) -> message_models.ReadStatePublic:
    return await room_messages.check_mark_read(call.user, call.path.room_id, call.body.message_id)


@bp.route(route="messages/{message_id}", methods=["GET"])
@endpoint(summary="One message, for whoever may read its room", auth="optional", path=route_models.MessagePath,
          response=message_models.MessagePublic, errors=(404,))
async def get_message(call: Call) -> message_models.MessagePublic:
    return await room_messages.check_get_message(call.principal, call.path.message_id)


@bp.route(route="messages/topic/{topic_id}", methods=["GET"])
@endpoint(summary="A topic's chat (its general conversation), by anchor", auth="optional",
          path=route_models.TopicRoomsPath, query=message_models.MessageHistoryQuery,
          response=message_models.MessagePage, errors=(403, 404))
async def list_topic_chat_messages(call: Call) -> message_models.MessagePage:
    return await room_messages.check_topic_history(call.principal, call.path.topic_id, call.query)


@bp.route(route="messages/topic/{topic_id}", methods=["POST"])
@endpoint(summary="Send to a topic's chat (its general conversation)", path=route_models.TopicRoomsPath,
          body=message_models.MessageCreate, response=message_models.MessagePublic, status=201, errors=(403, 404),
          rate_limits=SEND_LIMIT, idempotent=True)
async def send_topic_chat_message(call: Call[message_models.MessageCreate]) -> message_models.MessagePublic:
    return await room_messages.check_topic_send(call.user, call.path.topic_id, call.body,
                                                request_key=call.idempotency_key)


@bp.route(route="messages/{message_id}/report", methods=["POST"])
@endpoint(summary="Report a message (once per user), for whoever may read it", path=route_models.MessagePath,
          body=message_models.MessageReportBody, response=message_models.MessageReportCreated, status=201,
          errors=(404, 409), rate_limits=[RateRule("chat_report", 20, 3600, per="user")], idempotent=True)
async def report_message(call: Call[message_models.MessageReportBody]) -> message_models.MessageReportCreated:
    return await room_messages.check_report(call.user, call.path.message_id, call.body)


@bp.route(route=ROOMS + "/reports", methods=["GET"])
@endpoint(summary="Open reports of a room's messages (moderators)", path=route_models.RoomPath,
          query=message_models.ChatListQuery, response=message_models.MessageReportPage, errors=(403, 404))
async def list_chat_room_reports(call: Call) -> message_models.MessageReportPage:
    return await room_messages.check_list_reports(call.user, call.path.room_id, call.query)


@bp.route(route=ROOMS + "/moderation-log", methods=["GET"])
@endpoint(summary="A room's moderation log: removals, bans, unbans, kicks (moderators)", path=route_models.RoomPath,
          query=message_models.ChatListQuery, response=message_models.ModerationLogPage, errors=(403, 404))
async def get_chat_room_moderation_log(call: Call) -> message_models.ModerationLogPage:
    return await room_messages.check_moderation_log(call.user, call.path.room_id, call.query)
