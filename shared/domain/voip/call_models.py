"""What the call events and routes take and return (pydantic), beside calls.py and signalling.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.voip.models import IceServer

CALL_ID = r"^(dm_[0-9a-f]{32}_[0-9a-f]{32}|room_[A-Za-z0-9_]{1,64})-[0-9a-f]{12}$"  # "<place>-<12 hex>"
CallId = Annotated[str, StringConstraints(pattern=CALL_ID)]
RoomId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,80}$")]
UserId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
RoomType = Literal["dm", "group"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- client events ----------------------------------------------------------------------------------------

class CreateCall(Strict):
    room_id: RoomId = Field(description="A chat room id, or for a DM the partner's user id (or `<a>_<b>`).")
    room_type: RoomType
    room_name: str | None = Field(default=None, max_length=100, description="Ignored: the server names the call.")


class CallRef(Strict):
    call_id: CallId


class PlaceRef(Strict):
    room_id: RoomId
    room_type: RoomType = "group"


class Relay(Strict):
    """voip_offer / voip_answer / voip_ice_candidate: one of offer, answer, candidate, to one other participant."""

    call_id: CallId
    target_user_id: UserId
    offer: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None
    candidate: dict[str, Any] | None = None


class MuteToggle(Strict):
    call_id: CallId
    is_muted: bool


class Speaking(Strict):
    call_id: CallId
    is_speaking: bool


class SetDisconnected(Strict):
    call_id: CallId
    is_disconnected: bool


# ---- what comes back --------------------------------------------------------------------------------------

class Participant(BaseModel):
    user_id: str
    username: str
    joined_at: str
    is_muted: bool
    is_disconnected: bool


class CallView(BaseModel):
    id: str
    room_id: str
    room_type: RoomType
    room_name: str
    created_by: str
    status: Literal["active", "ended"]
    participants: list[Participant]
    created_at: str
    ended_at: str | None
    end_reason: str | None


class CallAnswer(BaseModel):
    """The answer to a call event; `event` is TopicsFlow's name for it (voip_call_created, voip_call_exists, ...)."""

    event: str
    call: CallView | None


class RelayAnswer(BaseModel):
    event: str
    call_id: str


class MaybeCall(BaseModel):
    call: CallView | None


class CallPage(BaseModel):
    items: list[CallView]
    next_cursor: str | None


class IceServers(BaseModel):
    ice_servers: list[IceServer]
    ttl_seconds: int = Field(description="How long the TURN credentials can start a call (0: no TURN configured).")
    expires_at: int | None = Field(description="Unix seconds when the TURN credentials stop working.")


class ActiveCallQuery(Strict):
    room_id: RoomId
    room_type: RoomType = "group"


class HistoryQuery(Strict):
    room_id: RoomId
    room_type: RoomType = "group"
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)
