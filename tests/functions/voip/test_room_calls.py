"""Group calls in chat rooms, over real sockets: only members may call, `voip_enabled` is enforced, and a member who
is kicked or banned is dropped from the call and hears nothing more of it; deleting the room or turning calls off
ends the call."""

import pytest

from tests.functions.messages.conftest import build_room
from tests.support.communities import ok as http_ok
from tests.support.realtime import socket_of

pytestmark = pytest.mark.timeout(120)


def ok(answer):
    assert answer["success"] is True, answer
    return answer["data"]


def refused(answer, code):
    assert answer["success"] is False and answer["error"]["code"] == code, answer


@pytest.fixture
def room(host, world):
    return build_room(host, world(), kind="group")


async def group_call(socket, room_id):
    return ok(await socket.event("voip_create_call", {"room_id": room_id, "room_type": "group"}))


async def test_a_member_starts_a_call_the_room_hears_of_it_and_another_member_joins(api, room):
    p = room.people
    async with socket_of(api, p.owner) as owner, socket_of(api, p.member) as member:
        ok(await member.event("join_chat_room", {"room_id": room.id}))
        created = await group_call(owner, room.id)
        assert created["event"] == "voip_call_created" and created["call"]["room_type"] == "group"
        started = await member.app_event("voip_call_started")
        assert started["data"]["call"]["id"] == created["call"]["id"]
        assert started["data"]["started_by"]["user_id"] == p.owner.id
        joined = ok(await member.event("voip_join_call", {"call_id": created["call"]["id"]}))
        assert {x["user_id"] for x in joined["call"]["participants"]} == {p.owner.id, p.member.id}


async def test_outsiders_and_banned_users_can_neither_start_nor_join_a_rooms_call(api, room):
    p = room.people
    async with socket_of(api, p.owner) as owner, socket_of(api, p.other) as other, \
            socket_of(api, p.banned) as banned:
        call = (await group_call(owner, room.id))["call"]
        refused(await other.event("voip_create_call", {"room_id": room.id, "room_type": "group"}), "room_not_found")
        refused(await other.event("voip_join_call", {"call_id": call["id"]}), "call_not_found")
        # a group chat is private: to the banned user, as to any outsider, it does not exist
        refused(await banned.event("voip_create_call", {"room_id": room.id, "room_type": "group"}), "room_not_found")
        refused(await banned.event("voip_join_call", {"call_id": call["id"]}), "call_not_found")
        assert api.get("/api/voip/calls/active", params={"room_id": room.id},
                       headers=p.other.headers).status_code == 404


async def test_a_room_with_calls_turned_off_refuses_them_and_turning_them_off_ends_the_call(api, room):
    p = room.people
    async with socket_of(api, p.owner) as owner:
        call = (await group_call(owner, room.id))["call"]
        http_ok(api.put(f"/api/chat-rooms/{room.id}/settings", json={"voip_enabled": False}, headers=p.owner.headers))
        assert (await owner.app_event("voip_call_ended"))["data"] == {"call_id": call["id"],
                                                                       "reason": "voip_disabled"}
        refused(await owner.event("voip_create_call", {"room_id": room.id, "room_type": "group"}), "voip_disabled")


async def test_a_kicked_member_is_dropped_from_the_call_and_hears_nothing_more(api, room):
    p = room.people
    async with socket_of(api, p.owner) as owner, socket_of(api, p.member) as member:
        call = (await group_call(owner, room.id))["call"]
        ok(await member.event("voip_join_call", {"call_id": call["id"]}))
        http_ok(api.post(f"/api/chat-rooms/{room.id}/kick/{p.member.id}", headers=p.owner.headers))
        left = await owner.app_event("voip_user_left")
        assert left["data"]["user"]["user_id"] == p.member.id and left["data"]["reason"] == "removed"
        ok(await owner.event("voip_mute_toggle", {"call_id": call["id"], "is_muted": True}))
        assert "voip_mute_status" not in await member.heard_within(0.5)
        refused(await member.event("voip_join_call", {"call_id": call["id"]}), "call_not_found")


async def test_deleting_the_room_ends_its_call(api, room):
    p = room.people
    async with socket_of(api, p.owner) as owner:
        call = (await group_call(owner, room.id))["call"]
        http_ok(api.delete(f"/api/chat-rooms/{room.id}", headers=p.owner.headers), 202)
        assert (await owner.app_event("voip_call_ended"))["data"] == {"call_id": call["id"], "reason": "room_deleted"}
        assert api.get("/api/voip/calls/mine", headers=p.owner.headers).json()["data"] == {"call": None}
