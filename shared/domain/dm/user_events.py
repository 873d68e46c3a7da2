"""The presence and typing events clients send over their socket (realtime/user_events.py dispatches them here):
`watch_presence {user_ids}`, `typing_start` / `typing_stop` with {topic_id} | {room_id} | {other_user_id}."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from shared.domain.dm import presence, typing
from shared.domain.dm.dm_models import WatchPresenceAnswer, WatchPresenceRequest
from shared.domain.identity import Principal

Handler = Callable[[Principal, str, Any], Awaitable[BaseModel]]


async def _watch(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    request = WatchPresenceRequest.model_validate(data)
    return WatchPresenceAnswer(watching=await presence.watch(principal, connection_id, request.user_ids))


async def _typing_start(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await typing.relay(principal, connection_id, data, start=True)


async def _typing_stop(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await typing.relay(principal, connection_id, data, start=False)


HANDLERS: dict[str, Handler] = {"watch_presence": _watch, "typing_start": _typing_start, "typing_stop": _typing_stop}
