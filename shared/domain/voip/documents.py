"""The stored call (container `voip_calls`, docs/voip.md).

pk = the call's place: `dm_<a>_<b>` (the two user ids, sorted) or `room_<room id>`. While a call is active its
document has the id `active`, so a second call in the same place is a create that the store refuses: at most one
active call per place without a read-then-write. When it ends, it is written again under its call id (the
history) and the `active` document is deleted, which frees the place.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from shared.domain.stored import Container, Stored

CALLS = "voip_calls"
ACTIVE_ID = "active"

RoomType = Literal["dm", "group"]
CallStatus = Literal["active", "ended"]


class ParticipantDoc(TypedDict):
    user_id: str
    username: str
    joined_at: str
    last_heartbeat_ms: int  # epoch milliseconds of the last voip_heartbeat (or the join)
    is_muted: bool
    is_disconnected: bool


class CallDoc(Stored):
    call_id: str  # "<place>-<12 hex>": the place is part of the id, so a call id finds its partition
    place: str
    room_type: RoomType
    room_id: str  # what the client named: a chat room id, or for a DM "<a>_<b>"
    room_name: str
    created_by: str
    status: CallStatus
    participants: dict[str, ParticipantDoc]
    created_at: str
    ended_at: str | None
    end_reason: str | None


call_docs = Container[CallDoc](CALLS)
