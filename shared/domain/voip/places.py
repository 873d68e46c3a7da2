"""Where a call happens, and who may be in it: `access_place` is the one place that decides.

- A DM call's place is the pair of users, `dm_<a>_<b>` (ids sorted). Only the two may create or join it, both
  accounts must be active, and a block in either direction refuses it (blocks are checked again at every join).
- A group call's place is a chat room, `room_<id>`: its members (or an administrator) may call there when the room
  has `voip_enabled`; a room the caller may not see is 404 like any other, a banned member is refused. Chat drops a
  member who is kicked, banned or leaves from the room's call (membership.revoke_realtime).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared import errors
from shared.domain.voip.documents import RoomType

if TYPE_CHECKING:
    from shared.domain.identity import Principal


@dataclass(frozen=True)
class Place:
    key: str  # the partition of its calls: dm_<a>_<b> or room_<id>
    room_type: RoomType
    room_id: str  # as clients name it
    name: str
    members: tuple[str, ...] = ()  # a DM's two users; empty for a room (its resolver decides)
    room_group: str | None = None  # a room's realtime group, told when a call starts


def place_not_found() -> errors.NotFound:
    return errors.NotFound("No such room, or you are not in it.", code="room_not_found")


def dm_key(a: str, b: str) -> str:
    low, high = sorted((a, b))
    return f"dm_{low}_{high}"


def place_of_call(call_id: str) -> str:
    return call_id.rsplit("-", 1)[0]


async def access_place(principal: Principal, room_id: str, room_type: RoomType) -> Place:
    if room_type == "dm":
        return await _dm_place(principal, room_id)
    return await _room_place(principal, room_id)


async def _room_place(principal: Principal, room_id: str) -> Place:
    from shared.domain.chat import access
    from shared.domain.realtime.groups import chat_room_group

    room = (await access.access_room_as_member(principal, room_id)).room
    if not room.get("voip_enabled", True):
        raise errors.Forbidden("Calls are turned off in this room.", code="voip_disabled")
    return Place(key=room_key(room_id), room_type="group", room_id=room_id, name=room["name"],
                 room_group=chat_room_group(room_id))


def room_key(room_id: str) -> str:
    return f"room_{room_id}"


async def _dm_place(principal: Principal, room_id: str) -> Place:
    from shared.domain.accounts import access, blocks

    me = principal.user_id
    halves = room_id.split("_")
    if len(halves) == 2 and me in halves:  # TopicsFlow's "<a>_<b>" form
        partner = halves[1] if halves[0] == me else halves[0]
    elif len(halves) == 1:
        partner = room_id
    else:
        raise place_not_found()
    if partner == me:
        raise errors.ValidationFailed("You cannot call yourself.", code="validation_error",
                                      details=[{"field": "data.room_id", "code": "self", "message": "You cannot call "
                                                                                                    "yourself."}])
    user = await access.access_user_profile(partner)  # 404 user_not_found for accounts nobody may see
    if await blocks.is_blocked(me, partner) or await blocks.is_blocked(partner, me):
        raise errors.Forbidden("You cannot call this user.", code="call_not_allowed")
    return Place(key=dm_key(me, partner), room_type="dm", room_id="_".join(sorted((me, partner))),
                 name=user["username"], members=tuple(sorted((me, partner))))


async def still_allowed(principal: Principal, place_key: str, room_id: str, room_type: RoomType) -> bool:
    """Whether the caller may still be in a call of this place (checked again at every join)."""
    try:
        place = await access_place(principal, room_id, room_type)
    except errors.AppError:
        return False
    return place.key == place_key
