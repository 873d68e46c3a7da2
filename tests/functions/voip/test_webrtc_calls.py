"""Two real WebRTC peers (aiortc) negotiate through the app's call signalling, over their own sockets to the dev
host's hub, and exchange data over a data channel: directly with host candidates on loopback, and relay-only through
a real coturn with the TURN credentials each user got from GET /api/voip/ice-servers."""

import asyncio
import contextlib

import pytest

from tests.support.call_signalling import AppSignalling, PumpedSocket
from tests.support.realtime import connect, negotiate
from tests.support.users import signup
from tests.support.webrtc import connected_peers, exchange_both_ways

pytestmark = pytest.mark.timeout(180)


@contextlib.asynccontextmanager
async def call_between(api, caller, callee):
    """Both users' sockets, in one DM call: (caller's signalling, callee's signalling)."""
    sockets = [PumpedSocket(await connect((await asyncio.to_thread(negotiate, api, user))["url"]))
               for user in (caller, callee)]
    try:
        created = await sockets[0].event("voip_create_call", {"room_id": callee.id, "room_type": "dm"})
        call_id = created["data"]["call"]["id"]
        assert (await sockets[1].event("voip_join_call", {"call_id": call_id}))["success"] is True
        yield AppSignalling(sockets[0], call_id, callee.id), AppSignalling(sockets[1], call_id, caller.id)
        await sockets[0].event("voip_leave_call", {"call_id": call_id})
        await sockets[1].event("voip_leave_call", {"call_id": call_id})
    finally:
        for socket in sockets:
            await socket.close()
            await socket.client.close()


def ice_servers(api, user):
    return api.get("/api/voip/ice-servers", headers=user.headers).json()["data"]["ice_servers"]


async def test_two_peers_negotiate_through_the_apps_signalling_and_talk_directly_on_loopback(api, host):
    alice, bob = signup(host), signup(host)
    async with call_between(api, alice, bob) as (caller_signalling, callee_signalling):
        async with connected_peers(caller_signalling, callee_signalling) as (caller, callee):
            assert await exchange_both_ways(caller, callee) == ("hello from caller", "hello from callee")
            assert (caller.selected_pair().local_type, caller.selected_pair().remote_type) == ("host", "host")
        # what went through the app: the description first, then the candidates one by one (trickled)
        assert caller_signalling.sent[0] == "offer" and callee_signalling.sent[0] == "answer"
        assert set(caller_signalling.sent[1:]) == {"candidate"}


async def test_relay_only_peers_talk_through_coturn_with_the_credentials_the_api_issued(api, host):
    alice, bob = signup(host), signup(host)
    each_users_own = {"ice_servers": ice_servers(api, alice), "callee_ice_servers": ice_servers(api, bob)}
    async with call_between(api, alice, bob) as signalling, \
            connected_peers(*signalling, relay_only=True, **each_users_own) as (caller, callee):
        assert await exchange_both_ways(caller, callee) == ("hello from caller", "hello from callee")
        for peer in (caller, callee):
            assert set(peer.local_candidate_types()) == {"relay"}
            assert peer.selected_pair().relayed
