"""User events clients send over their connection (Web PubSub delivers each to our event handler).

Each event acts for the connection's session, checked again on every event (connections.py): a connection
whose session ended is closed here rather than served. The answer goes back to the client as the envelope's
data; a refusal is an answer too (the handler replies 200 with the error envelope, since an error status
would make the service drop the client's connection).

TopicsFlow's Socket.IO names are kept beside the generic ones, so its frontend's handlers map one to one:
`join_topic {topic_id}`, `leave_topic`, `join_post {post_id}`, `leave_post`, `join_chat_room {room_id}`,
`leave_chat_room`, the call events (`voip_*`, shared/domain/voip/user_events.py), and presence and typing
(`watch_presence`, `typing_start`, `typing_stop`: shared/domain/dm/user_events.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from shared.domain.dm import user_events as dm_events
from shared.domain.identity import Principal
from shared.domain.realtime import connections, subscriptions
from shared.domain.realtime.groups import chat_room_group, post_group, topic_group
from shared.domain.realtime.models import GroupRequest, PostRequest, RoomRequest, TopicRequest
from shared.domain.voip import user_events as voip_events
from shared.errors import AppError

Handler = Callable[[Principal, str, Any], Awaitable[BaseModel]]


class UnknownEvent(AppError):
    status, code, message = 400, "unknown_event", "This event is not one the app handles."


async def _join(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await subscriptions.do_join(principal, connection_id, GroupRequest.model_validate(data).group)


async def _leave(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await subscriptions.do_leave(connection_id, GroupRequest.model_validate(data).group)


async def _join_topic(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    group = topic_group(TopicRequest.model_validate(data).topic_id)
    return await subscriptions.do_join(principal, connection_id, group)


async def _leave_topic(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await subscriptions.do_leave(connection_id, topic_group(TopicRequest.model_validate(data).topic_id))


async def _join_post(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    group = post_group(PostRequest.model_validate(data).post_id)
    return await subscriptions.do_join(principal, connection_id, group)


async def _leave_post(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await subscriptions.do_leave(connection_id, post_group(PostRequest.model_validate(data).post_id))


async def _join_chat_room(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    group = chat_room_group(RoomRequest.model_validate(data).room_id)
    return await subscriptions.do_join(principal, connection_id, group)


async def _leave_chat_room(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await subscriptions.do_leave(connection_id, chat_room_group(RoomRequest.model_validate(data).room_id))


HANDLERS: dict[str, Handler] = {
    "join": _join, "leave": _leave,
    "join_topic": _join_topic, "leave_topic": _leave_topic,
    "join_post": _join_post, "leave_post": _leave_post,
    "join_chat_room": _join_chat_room, "leave_chat_room": _leave_chat_room,
    **voip_events.HANDLERS,
    **dm_events.HANDLERS,
}


async def do_user_event(user_id: str, connection_id: str, event: str, data: Any) -> BaseModel:
    handler = HANDLERS.get(event)
    if handler is None:
        raise UnknownEvent(f"Unknown event {event[:64]!r}.")
    principal = await connections.principal_of_connection(user_id, connection_id)
    return await handler(principal, connection_id, data)
