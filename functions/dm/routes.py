"""HTTP routes for direct messages, under both of TopicsFlow's path families: /api/messages/private* and
/api/users/private-messages/* call the same domain functions (shared/domain/dm/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dm import bp
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:
    from shared.domain.chat import message_models
    from shared.domain.dm import dm_models, presence, private, summaries
else:
    private = lazy_module("shared.domain.dm.private")
    summaries = lazy_module("shared.domain.dm.summaries")
    presence = lazy_module("shared.domain.dm.presence")
    dm_models = lazy_models("shared.domain.dm.dm_models")
    message_models = lazy_models("shared.domain.chat.message_models")

SEND_LIMIT = [RateRule("dm_send", 60, 60, per="user")]
WRITE_LIMIT = [RateRule("dm_write", 120, 60, per="user")]
REACT_LIMIT = [RateRule("dm_react", 120, 60, per="user")]


# ---------------------------------------------------------------------------------------------------------
# /api/messages/private*


@bp.route(route="messages/private", methods=["POST"])
@endpoint(summary="Send a direct message", body=dm_models.PrivateMessageCreate, response=message_models.MessagePublic,
          status=201, errors=(403, 404), rate_limits=SEND_LIMIT, idempotent=True,
          description="Refused with `cannot_message` when either side blocked the other or the recipient takes no "
                      "new conversations; `user_not_found` for a recipient who is not an active account.")
async def send_private_message(call: Call[dm_models.PrivateMessageCreate]) -> message_models.MessagePublic:
    return await private.check_send(call.user, call.body, request_key=call.idempotency_key)


@bp.route(route="messages/private", methods=["GET"])
@endpoint(summary="A direct conversation's history, by anchor", query=dm_models.PrivateHistoryQuery,
          response=message_models.MessagePage, errors=(404,),
          description="Without the messages I deleted for myself.")
async def private_history(call: Call) -> message_models.MessagePage:
    return await private.check_history(call.user, call.query.other_user_id, call.query)


@bp.route(route="messages/private/conversations", methods=["GET"])
@endpoint(summary="My direct conversations, most recent first", query=dm_models.ConversationListQuery,
          response=dm_models.ConversationPage)
async def private_conversations(call: Call) -> dm_models.ConversationPage:
    return await summaries.check_conversations(call.user, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="messages/private/unread-count", methods=["GET"])
@endpoint(summary="Unread direct messages, in total", response=dm_models.PrivateUnreadTotal)
async def private_unread_total(call: Call) -> dm_models.PrivateUnreadTotal:
    return await summaries.check_unread_total(call.user)


@bp.route(route="messages/private/{message_id:regex(_m[0-9]+$)}", methods=["PATCH", "PUT"])
@endpoint(summary="Edit my direct message (within the edit window)", path=dm_models.PrivateMessagePath,
          body=message_models.MessageUpdate, response=message_models.MessagePublic, errors=(403, 409),
          rate_limits=WRITE_LIMIT)
async def edit_private_message(call: Call[message_models.MessageUpdate]) -> message_models.MessagePublic:
    return await private.check_edit(call.user, call.path.message_id, call.body)


@bp.route(route="messages/private/{message_id:regex(_m[0-9]+$)}", methods=["DELETE"])
@endpoint(summary="Delete a direct message for me (soft) or unsend it for both (hard, the sender)",
          path=dm_models.PrivateMessagePath, query=dm_models.PrivateDeleteQuery,
          response=dm_models.PrivateHiddenResult, errors=(403,), rate_limits=WRITE_LIMIT)
async def delete_private_message(call: Call) -> dm_models.PrivateHiddenResult:
    return await private.check_delete(call.user, call.path.message_id, call.query.mode)


@bp.route(route="messages/private/{message_id}/unsend", methods=["POST"])
@endpoint(summary="Unsend my direct message for both sides", path=dm_models.PrivateMessagePath,
          response=message_models.MessagePublic, errors=(403,), rate_limits=WRITE_LIMIT)
async def unsend_private_message(call: Call) -> message_models.MessagePublic:
    return await private.check_unsend(call.user, call.path.message_id)


@bp.route(route="messages/private/{message_id}/reactions/{emoji}", methods=["PUT"])
@endpoint(summary="React to a direct message (once per emoji)", path=dm_models.PrivateReactionPath,
          response=message_models.MessageReactionResult, errors=(403, 409), rate_limits=REACT_LIMIT)
async def add_private_reaction(call: Call) -> message_models.MessageReactionResult:
    return await private.check_react(call.user, call.path.message_id, call.path.emoji, on=True)


@bp.route(route="messages/private/{message_id}/reactions/{emoji}", methods=["DELETE"])
@endpoint(summary="Take my reaction to a direct message back", path=dm_models.PrivateReactionPath,
          response=message_models.MessageReactionResult, errors=(403, 409), rate_limits=REACT_LIMIT)
async def remove_private_reaction(call: Call) -> message_models.MessageReactionResult:
    return await private.check_react(call.user, call.path.message_id, call.path.emoji, on=False)


@bp.route(route="messages/private/{message_id}/read", methods=["POST"])
@endpoint(summary="Mark a direct conversation read up to a message (and every earlier one)",
          path=dm_models.PrivateMessagePath, response=dm_models.PrivateReadResult)
async def read_private_messages(call: Call) -> dm_models.PrivateReadResult:
    return await summaries.check_mark_read(call.user, call.path.message_id)


@bp.route(route="messages/private/{message_id}/report", methods=["POST"])
@endpoint(summary="Report the partner's direct message", path=dm_models.PrivateMessagePath,
          body=dm_models.PrivateReportBody, response=dm_models.PrivateReportResult, status=201, errors=(403,),
          rate_limits=WRITE_LIMIT, idempotent=True)
async def report_private_message(call: Call[dm_models.PrivateReportBody]) -> dm_models.PrivateReportResult:
    return await private.check_report(call.user, call.path.message_id, call.body.reason)


@bp.route(route="messages/private-settings", methods=["GET"])
@endpoint(summary="My direct-message privacy settings", response=dm_models.DmSettingsPublic)
async def get_private_settings(call: Call) -> dm_models.DmSettingsPublic:
    return await private.check_settings(call.user)


@bp.route(route="messages/private-settings", methods=["PUT", "PATCH"])
@endpoint(summary="Change my direct-message privacy settings", body=dm_models.DmSettingsUpdate,
          response=dm_models.DmSettingsPublic, rate_limits=WRITE_LIMIT)
async def put_private_settings(call: Call[dm_models.DmSettingsUpdate]) -> dm_models.DmSettingsPublic:
    return await private.check_update_settings(call.user, call.body)


# ---------------------------------------------------------------------------------------------------------
# /api/users/private-messages/* (the same domain)


@bp.route(route="users/private-messages/conversations", methods=["GET"])
@endpoint(summary="My direct conversations (the users path)", query=dm_models.ConversationListQuery,
          response=dm_models.ConversationPage)
async def user_private_conversations(call: Call) -> dm_models.ConversationPage:
    return await summaries.check_conversations(call.user, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="users/private-messages/unread-count", methods=["GET"])
@endpoint(summary="Unread direct messages, in total (the users path)", response=dm_models.PrivateUnreadTotal)
async def user_private_unread_total(call: Call) -> dm_models.PrivateUnreadTotal:
    return await summaries.check_unread_total(call.user)


@bp.route(route="users/private-messages/deleted", methods=["GET"])
@endpoint(summary="Direct messages I deleted for myself", query=dm_models.HiddenListQuery,
          response=dm_models.HiddenMessagePage)
async def user_private_deleted(call: Call) -> dm_models.HiddenMessagePage:
    return await private.check_hidden(call.user, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="users/private-messages/{other_user_id:regex(^[0-9a-f]+$)}", methods=["GET"])
@endpoint(summary="A direct conversation's history (the users path)", path=dm_models.OtherUserPath,
          query=dm_models.PrivateAnchorQuery, response=message_models.MessagePage)
async def user_private_history(call: Call) -> message_models.MessagePage:
    return await private.check_history(call.user, call.path.other_user_id, call.query)


@bp.route(route="users/private-messages/{other_user_id:regex(^[0-9a-f]+$)}", methods=["DELETE"])
@endpoint(summary="Take a conversation off my list (the partner keeps it; nothing is deleted)",
          path=dm_models.OtherUserPath, response=dm_models.ConversationHidden, rate_limits=WRITE_LIMIT)
async def user_hide_conversation(call: Call) -> dm_models.ConversationHidden:
    return await summaries.check_hide(call.user, call.path.other_user_id)


@bp.route(route="users/private-messages/{other_user_id:regex(^[0-9a-f]+$)}/read", methods=["POST"])
@endpoint(summary="Mark a whole direct conversation read", path=dm_models.OtherUserPath,
          response=dm_models.PrivateReadResult)
async def user_read_conversation(call: Call) -> dm_models.PrivateReadResult:
    return await summaries.check_mark_all_read(call.user, call.path.other_user_id)


@bp.route(route="users/private-messages/{other_user_id:regex(^[0-9a-f]+$)}/mute", methods=["POST"])
@endpoint(summary="Mute a direct conversation (minutes; -1 until unmuted, 0 unmutes)", path=dm_models.OtherUserPath,
          body=dm_models.PrivateMuteBody, response=dm_models.PrivateMuteResult, rate_limits=WRITE_LIMIT)
async def user_mute_conversation(call: Call[dm_models.PrivateMuteBody]) -> dm_models.PrivateMuteResult:
    return await summaries.check_mute(call.user, call.path.other_user_id, call.body.minutes)


@bp.route(route="users/private-messages/{message_id}/delete-for-me", methods=["POST"])
@endpoint(summary="Delete a direct message for me only", path=dm_models.PrivateMessagePath,
          response=dm_models.PrivateHiddenResult, rate_limits=WRITE_LIMIT)
async def user_delete_for_me(call: Call) -> dm_models.PrivateHiddenResult:
    return await private.check_delete_for_me(call.user, call.path.message_id)


@bp.route(route="users/private-messages/{message_id}/restore-for-me", methods=["POST"])
@endpoint(summary="Restore a direct message I deleted for myself", path=dm_models.PrivateMessagePath,
          response=dm_models.PrivateHiddenResult, rate_limits=WRITE_LIMIT)
async def user_restore_for_me(call: Call) -> dm_models.PrivateHiddenResult:
    return await private.check_restore_for_me(call.user, call.path.message_id)


# ---------------------------------------------------------------------------------------------------------
# presence


@bp.route(route="users/online", methods=["GET"])
@endpoint(summary="The people I may see who are online now (paged)", query=dm_models.OnlineQuery,
          response=dm_models.OnlinePage)
async def users_online(call: Call) -> dm_models.OnlinePage:
    return await presence.check_online(call.user, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="users/{user_id}/presence", methods=["GET"])
@endpoint(summary="A user's presence (is_online, last_seen), as I may see it", path=dm_models.PresencePath,
          response=dm_models.PresencePublic,
          description="Offline and no last_seen for people I may not see (not a DM partner nor in one of my rooms, "
                      "or blocked either way) and for users who hide their online status.")
async def user_presence(call: Call) -> dm_models.PresencePublic:
    return await presence.check_presence(call.user, call.path.user_id)
