"""Calls over real sockets on the dev host's hub: the lifecycle of a DM call, every refusal, and the timer that
ends a call whose participants went silent. Each user is a negotiated socket (tests/support/realtime.py)."""

import asyncio

import pytest

from tests.functions.voip.conftest import PARTICIPANT_TIMEOUT_SECONDS
from tests.support.realtime import socket_of
from tests.support.users import signup

pytestmark = pytest.mark.timeout(120)
OFFER = {"type": "offer", "sdp": "v=0 (opaque to the server)"}


def ok(answer):
    assert answer["success"] is True, answer
    return answer["data"]


def refused(answer, code):
    assert answer["success"] is False and answer["error"]["code"] == code, answer
    return answer["error"]


@pytest.fixture
def pair(host):
    return signup(host), signup(host)


async def start_call(caller_socket, callee):
    return ok(await caller_socket.event("voip_create_call", {"room_id": callee.id, "room_type": "dm"}))["call"]


async def test_a_dm_call_rings_the_partner_connects_both_relays_signalling_and_ends_when_both_leave(api, pair):
    alice, bob = pair
    async with socket_of(api, alice) as a, socket_of(api, bob) as b:
        created = ok(await a.event("voip_create_call", {"room_id": bob.id, "room_type": "dm", "room_name": "x"}))
        assert created["event"] == "voip_call_created"
        call = created["call"]
        assert call["room_type"] == "dm" and call["room_id"] == "_".join(sorted((alice.id, bob.id)))
        assert [p["user_id"] for p in call["participants"]] == [alice.id]
        ringing = await b.app_event("voip_incoming_call")
        assert ringing["data"]["call"]["id"] == call["id"] and ringing["data"]["caller"]["user_id"] == alice.id

        joined = ok(await b.event("voip_join_call", {"call_id": call["id"]}))
        assert joined["event"] == "voip_call_joined"
        assert {p["user_id"] for p in joined["call"]["participants"]} == {alice.id, bob.id}
        assert (await a.app_event("voip_user_joined"))["data"]["user"]["user_id"] == bob.id

        ok(await a.event("voip_offer", {"call_id": call["id"], "target_user_id": bob.id, "offer": OFFER}))
        offer = (await b.app_event("voip_offer"))["data"]
        assert offer == {"call_id": call["id"], "from_user_id": alice.id, "from_username": alice.username,
                         "offer": OFFER}
        ok(await b.event("voip_answer", {"call_id": call["id"], "target_user_id": alice.id,
                                         "answer": {"type": "answer", "sdp": "v=0"}}))
        assert (await a.app_event("voip_answer"))["data"]["from_user_id"] == bob.id
        candidate = {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
        ok(await b.event("voip_ice_candidate", {"call_id": call["id"], "target_user_id": alice.id,
                                                "candidate": candidate}))
        assert (await a.app_event("voip_ice_candidate"))["data"]["candidate"] == candidate

        ok(await b.event("voip_mute_toggle", {"call_id": call["id"], "is_muted": True}))
        assert (await a.app_event("voip_mute_status"))["data"] == {"call_id": call["id"], "user_id": bob.id,
                                                                   "is_muted": True}
        mine = api.get("/api/voip/calls/mine", headers=bob.headers).json()["data"]["call"]
        assert mine["id"] == call["id"] and next(p for p in mine["participants"] if p["user_id"] == bob.id)["is_muted"]

        assert ok(await b.event("voip_leave_call", {"call_id": call["id"]}))["event"] == "voip_left_call"
        assert (await a.app_event("voip_user_left"))["data"]["user"]["user_id"] == bob.id
        ok(await a.event("voip_leave_call", {"call_id": call["id"]}))
    active = api.get("/api/voip/calls/active", params={"room_id": bob.id, "room_type": "dm"}, headers=alice.headers)
    assert active.json()["data"] == {"call": None}
    history = api.get("/api/voip/calls/history", params={"room_id": alice.id, "room_type": "dm"},
                      headers=bob.headers).json()["data"]
    assert [(c["id"], c["status"], c["end_reason"]) for c in history["items"]] == [
        (call["id"], "ended", "no_participants")]


async def test_a_second_call_in_the_same_place_returns_the_first(api, pair):
    alice, bob = pair
    async with socket_of(api, alice) as a, socket_of(api, bob) as b:
        first = await start_call(a, bob)
        again = ok(await b.event("voip_create_call", {"room_id": alice.id, "room_type": "dm"}))
        assert again["event"] == "voip_call_exists" and again["call"]["id"] == first["id"]
        ok(await a.event("voip_leave_call", {"call_id": first["id"]}))


async def test_parallel_creates_make_one_call(api, pair):
    alice, bob = pair
    async with socket_of(api, alice) as a, socket_of(api, bob) as b:
        answers = await asyncio.gather(a.event("voip_create_call", {"room_id": bob.id, "room_type": "dm"}),
                                       b.event("voip_create_call", {"room_id": alice.id, "room_type": "dm"}))
        events = sorted(ok(answer)["event"] for answer in answers)
        assert events == ["voip_call_created", "voip_call_exists"]
        assert len({ok(answer)["call"]["id"] for answer in answers}) == 1


async def test_an_outsider_can_neither_join_nor_signal_nor_see_the_call(api, host, pair):
    alice, bob = pair
    mallory = signup(host)
    async with socket_of(api, alice) as a, socket_of(api, mallory) as m:
        call = await start_call(a, bob)
        refused(await m.event("voip_join_call", {"call_id": call["id"]}), "call_not_found")
        refused(await m.event("voip_offer", {"call_id": call["id"], "target_user_id": alice.id, "offer": OFFER}),
                "call_not_found")
        refused(await m.event("voip_heartbeat", {"call_id": call["id"]}), "call_not_found")
        # The DM of two others is no place of hers: the active-call lookups refuse it too.
        pair_id = "_".join(sorted((alice.id, bob.id)))
        refused(await m.event("voip_get_active_call", {"room_id": pair_id, "room_type": "dm"}), "room_not_found")
        assert api.get("/api/voip/calls/active", params={"room_id": pair_id, "room_type": "dm"},
                       headers=mallory.headers).status_code == 404
        assert "voip_offer" not in await a.heard_within(0.5)
        ok(await a.event("voip_leave_call", {"call_id": call["id"]}))


async def test_an_offer_to_a_user_who_is_not_in_the_call_is_refused_and_never_delivered(api, host, pair):
    alice, bob = pair
    carol = signup(host)
    async with socket_of(api, alice) as a, socket_of(api, carol) as c:
        call = await start_call(a, bob)  # bob was rung but has not joined
        for target in (bob.id, carol.id, alice.id):
            refused(await a.event("voip_offer", {"call_id": call["id"], "target_user_id": target, "offer": OFFER}),
                    "participant_not_found")
        assert await c.nothing_within(0.5)
        ok(await a.event("voip_leave_call", {"call_id": call["id"]}))


async def test_blocked_users_cannot_call_and_a_block_ends_their_call(api, host, pair):
    alice, bob = pair
    async with socket_of(api, alice) as a, socket_of(api, bob) as b:
        call = await start_call(a, bob)
        ok(await b.event("voip_join_call", {"call_id": call["id"]}))
        assert api.post(f"/api/users/{alice.id}/block", headers=bob.headers).status_code in (200, 201)
        ended = await a.app_event("voip_call_ended")
        assert ended["data"] == {"call_id": call["id"], "reason": "blocked"}
        refused(await a.event("voip_create_call", {"room_id": bob.id, "room_type": "dm"}), "call_not_allowed")
        refused(await b.event("voip_create_call", {"room_id": alice.id, "room_type": "dm"}), "call_not_allowed")


async def test_calls_with_nobody_or_in_a_room_that_does_not_exist_are_refused(api, host):
    alice = signup(host)
    async with socket_of(api, alice) as a:
        refused(await a.event("voip_create_call", {"room_id": alice.id, "room_type": "dm"}), "validation_error")
        refused(await a.event("voip_create_call", {"room_id": "0" * 32, "room_type": "dm"}), "user_not_found")
        refused(await a.event("voip_create_call", {"room_id": "nosuchroom", "room_type": "group"}), "room_not_found")
        refused(await a.event("voip_join_call", {"call_id": "not a call"}), "validation_error")


async def test_a_participant_who_vanishes_is_dropped_and_the_empty_call_ends_within_the_bound(api, host, pair):
    alice, bob = pair
    async with socket_of(api, alice) as a:
        async with socket_of(api, bob) as b:
            call = await start_call(a, bob)
            ok(await b.event("voip_join_call", {"call_id": call["id"]}))
        # bob's socket is gone and he sends no more heartbeats; alice keeps hers up
        deadline = asyncio.get_running_loop().time() + PARTICIPANT_TIMEOUT_SECONDS + 1
        while asyncio.get_running_loop().time() < deadline:
            ok(await a.event("voip_heartbeat", {"call_id": call["id"]}))
            await asyncio.sleep(0.5)
        await asyncio.to_thread(host.run_timer, "voip_end_stale_calls")
        left = await a.app_event("voip_user_left")
        assert left["data"]["user"]["user_id"] == bob.id and left["data"]["reason"] == "timeout"
    # now alice vanishes too: the next sweep after the bound ends the call, and the place is free again
    await asyncio.sleep(PARTICIPANT_TIMEOUT_SECONDS + 0.5)
    await asyncio.to_thread(host.run_timer, "voip_end_stale_calls")
    active = api.get("/api/voip/calls/active", params={"room_id": bob.id, "room_type": "dm"}, headers=alice.headers)
    assert active.json()["data"] == {"call": None}
    history = api.get("/api/voip/calls/history", params={"room_id": bob.id, "room_type": "dm"},
                      headers=alice.headers).json()["data"]["items"]
    assert history[0]["id"] == call["id"] and history[0]["end_reason"] == "no_participants"
