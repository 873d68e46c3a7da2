"""The call events clients send over their socket, with TopicsFlow's names (realtime/user_events.py dispatches
them here). Each answer's `event` is the name TopicsFlow emitted back (voip_call_created, voip_call_exists, ...);
a refusal is the error envelope (TopicsFlow's voip_error)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel

from shared.domain.identity import Principal
from shared.domain.voip import calls, signalling
from shared.domain.voip.call_models import (
    CallRef,
    CreateCall,
    MuteToggle,
    PlaceRef,
    Relay,
    SetDisconnected,
    Speaking,
)

Handler = Callable[[Principal, str, Any], Awaitable[BaseModel]]


async def _create(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    request = CreateCall.model_validate(data)
    return await calls.create_call(principal, connection_id, request.room_id, request.room_type)


async def _join(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await calls.join_call(principal, connection_id, CallRef.model_validate(data).call_id)


async def _leave(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await calls.leave_call(principal, CallRef.model_validate(data).call_id)


def _relay(event: str) -> Handler:
    async def handle(principal: Principal, connection_id: str, data: Any) -> BaseModel:
        return await signalling.relay(principal, event, Relay.model_validate(data))

    return handle


async def _mute(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    request = MuteToggle.model_validate(data)
    return await signalling.mute_toggle(principal, request.call_id, request.is_muted)


async def _speaking(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    request = Speaking.model_validate(data)
    return await signalling.speaking(principal, request.call_id, request.is_speaking)


async def _heartbeat(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await signalling.heartbeat(principal, CallRef.model_validate(data).call_id)


async def _set_disconnected(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    request = SetDisconnected.model_validate(data)
    return await signalling.set_disconnected(principal, request.call_id, request.is_disconnected)


async def _active(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    request = PlaceRef.model_validate(data)
    return await calls.get_active_call(principal, request.room_id, request.room_type)


async def _mine(principal: Principal, connection_id: str, data: Any) -> BaseModel:
    return await calls.get_my_call(principal, connection_id)


HANDLERS: dict[str, Handler] = {
    "voip_create_call": _create, "voip_join_call": _join, "voip_leave_call": _leave,
    **{event: _relay(event) for event in signalling.RELAYED},
    "voip_mute_toggle": _mute, "voip_speaking": _speaking, "voip_heartbeat": _heartbeat,
    "voip_set_disconnected": _set_disconnected,
    "voip_get_active_call": _active, "voip_get_my_call": _mine,
}
