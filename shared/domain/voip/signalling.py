"""What participants tell each other during a call: WebRTC offers, answers and ICE candidates (relayed to one
other participant's user group), mute and speaking indicators, heartbeats, and "my connection dropped".

The server never reads an SDP or a candidate; it decides who may reach whom. Both the sender and the target must
be current participants of the same active call: nobody can aim an offer at a user who is not in the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.domain import events
from shared.domain.realtime.groups import call_group
from shared.domain.voip import calls
from shared.domain.voip.call_models import Relay, RelayAnswer
from shared.domain.voip.documents import CallDoc
from shared.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from shared.domain.identity import Principal

RELAYED = {"voip_offer": "offer", "voip_answer": "answer", "voip_ice_candidate": "candidate"}


def _one_payload(event: str, message: Relay) -> dict[str, object]:
    field = RELAYED[event]
    payload = getattr(message, field)
    others = [name for name in RELAYED.values() if name != field and getattr(message, name) is not None]
    if payload is None or others:
        raise ValidationFailed(f"{event} carries `{field}` and nothing else.",
                               details=[{"field": f"data.{field}", "code": "required",
                                         "message": f"{event} carries `{field}` and nothing else."}])
    return payload


async def relay(principal: Principal, event: str, message: Relay) -> RelayAnswer:
    payload = _one_payload(event, message)
    doc = await calls.participant_call(principal, message.call_id)
    if message.target_user_id == principal.user_id or message.target_user_id not in doc["participants"]:
        raise NotFound("That user is not in this call.", code="participant_not_found")
    data: dict[str, object] = {"call_id": message.call_id, "from_user_id": principal.user_id,
                               RELAYED[event]: payload}
    if event == "voip_offer":
        data["from_username"] = principal.username
    await events.publish_to_user(message.target_user_id, event, data)
    return RelayAnswer(event=f"{event}_sent", call_id=message.call_id)


async def mute_toggle(principal: Principal, call_id: str, is_muted: bool) -> RelayAnswer:
    await _set_flag(principal, call_id, "is_muted", is_muted)
    await events.publish(call_group(call_id), "voip_mute_status",
                         {"call_id": call_id, "user_id": principal.user_id, "is_muted": is_muted})
    return RelayAnswer(event="voip_mute_status", call_id=call_id)


async def set_disconnected(principal: Principal, call_id: str, is_disconnected: bool) -> RelayAnswer:
    await _set_flag(principal, call_id, "is_disconnected", is_disconnected)
    await events.publish(call_group(call_id), "voip_user_disconnected",
                         {"call_id": call_id, "user_id": principal.user_id, "is_disconnected": is_disconnected})
    return RelayAnswer(event="voip_user_disconnected", call_id=call_id)


async def speaking(principal: Principal, call_id: str, is_speaking: bool) -> RelayAnswer:
    await calls.participant_call(principal, call_id)  # a read, not a write: speaking flips many times a second
    await events.publish(call_group(call_id), "voip_speaking_status",
                         {"call_id": call_id, "user_id": principal.user_id, "is_speaking": is_speaking})
    return RelayAnswer(event="voip_speaking_status", call_id=call_id)


async def heartbeat(principal: Principal, call_id: str) -> RelayAnswer:
    await calls.participant_call(principal, call_id)

    def beat(doc: CallDoc) -> bool:
        current = doc["participants"].get(principal.user_id)
        if current is None:
            raise calls.call_not_found()
        current["last_heartbeat_ms"] = calls.now_ms()
        return True

    await calls.update(call_id, beat)
    return RelayAnswer(event="voip_heartbeat", call_id=call_id)


async def _set_flag(principal: Principal, call_id: str, flag: str, value: bool) -> None:
    await calls.participant_call(principal, call_id)

    def change(doc: CallDoc) -> bool:
        current = doc["participants"].get(principal.user_id)
        if current is None:
            raise calls.call_not_found()
        if current.get(flag) == value:
            return False
        current[flag] = value
        if flag == "is_disconnected" and not value:
            current["last_heartbeat_ms"] = calls.now_ms()
        return True

    await calls.update(call_id, change)
