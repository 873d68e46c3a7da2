"""The WebRTC harness the call tests stand on: two aiortc peers with a data channel, directly on loopback and
relay-only through a real coturn that checks the TURN credentials the app issues."""

import asyncio
import time

import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint

from shared.domain.voip.turn import ice_servers_for, issue_turn_credentials, turn_password
from shared.settings import Settings
from tests.support.turn import (
    TurnServer,
    coturn_fixture,  # noqa: F401 - pytest registers the `coturn` fixture from this module's names
    require_turnserver,
)
from tests.support.webrtc import (
    ANSWER,
    CANDIDATE,
    OFFER,
    Peer,
    connected_peers,
    exchange_both_ways,
    in_memory_signalling,
)

pytestmark = pytest.mark.timeout(120)


def app_ice_servers(coturn: TurnServer, user_id: str, transport: str = "udp", *, now: float | None = None):
    """What GET /api/voip/ice-servers would hand `user_id`, for the app configured against this coturn."""
    settings = Settings(voip_stun_urls=[], voip_turn_urls=[f"turn:127.0.0.1:{coturn.port}?transport={transport}"],
                        voip_turn_secret=coturn.secret, voip_turn_ttl_seconds=600)
    return ice_servers_for(user_id, settings, now=now)


async def allocate(coturn: TurnServer, username: str, password: str):
    """One TURN allocation, the first thing a relaying client asks for; returns its transport (close it)."""
    transport, _ = await asyncio.wait_for(
        create_turn_endpoint(asyncio.DatagramProtocol, coturn.address, username, password), timeout=30)
    return transport


async def assert_refused(coturn: TurnServer, username: str, password: str) -> None:
    with pytest.raises(stun.TransactionFailed) as refused:
        (await allocate(coturn, username, password)).close()
    assert refused.value.response.error_code == 401


# ---- direct, host candidates on loopback ---------------------------------------------------------------------

@pytest.mark.parametrize("trickle", [True, False], ids=["candidates-trickled", "candidates-in-sdp"])
async def test_two_peers_on_loopback_exchange_data_both_ways_over_a_data_channel(trickle):
    caller_signalling, callee_signalling = in_memory_signalling()
    async with connected_peers(caller_signalling, callee_signalling, trickle=trickle) as (caller, callee):
        assert await exchange_both_ways(caller, callee) == ("hello from caller", "hello from callee")
        pair = caller.selected_pair()
        assert (pair.local_type, pair.remote_type) == ("host", "host")
        assert pair.local_address[0] == pair.remote_address[0] == "127.0.0.1"
        assert callee.selected_pair().local_type == "host"


async def test_trickled_negotiation_sends_the_description_then_each_candidate_then_the_end_marker():
    caller_signalling, callee_signalling = in_memory_signalling()
    async with connected_peers(caller_signalling, callee_signalling, trickle=True):
        for signalling, description in ((caller_signalling, OFFER), (callee_signalling, ANSWER)):
            assert signalling.sent[0] == description
            assert set(signalling.sent[1:]) == {CANDIDATE} and len(signalling.sent) >= 3  # a candidate, the end


# ---- relay-only through coturn, with the app's credentials ----------------------------------------------------

@pytest.mark.parametrize("transport", ["udp", "tcp"])
async def test_relay_only_peers_exchange_data_through_coturn_with_the_apps_credentials(coturn, transport):
    caller_signalling, callee_signalling = in_memory_signalling()
    each_users_own = {"ice_servers": app_ice_servers(coturn, "user-caller", transport),
                      "callee_ice_servers": app_ice_servers(coturn, "user-callee", transport)}
    async with connected_peers(caller_signalling, callee_signalling, relay_only=True, **each_users_own) as peers:
        caller, callee = peers
        assert await exchange_both_ways(caller, callee) == ("hello from caller", "hello from callee")
        for peer in (caller, callee):
            assert set(peer.local_candidate_types()) == {"relay"}
            pair = peer.selected_pair()
            assert pair.relayed, pair
            assert pair.local_address[0] == "127.0.0.1"


async def test_a_relay_only_peer_with_expired_credentials_gathers_no_candidate_to_offer(coturn):
    expired = app_ice_servers(coturn, "user-late", now=time.time() - 3600)
    caller_signalling, _ = in_memory_signalling()
    peer = Peer("late", caller_signalling, ice_servers=expired, relay_only=True)
    try:
        await asyncio.wait_for(peer.call(), timeout=30)
        assert peer.local_candidate_types() == []
    finally:
        await peer.close()


# ---- coturn checks the credentials ------------------------------------------------------------------------------

async def test_coturn_allocates_a_relay_for_credentials_the_app_issued(coturn):
    credentials = issue_turn_credentials(coturn.secret, "user-1", 600)
    transport = await allocate(coturn, credentials.username, credentials.credential)
    try:
        assert transport.get_extra_info("sockname")[0] == "127.0.0.1"
    finally:
        transport.close()


async def test_coturn_refuses_a_password_signed_with_another_secret(coturn):
    credentials = issue_turn_credentials("not-" + coturn.secret, "user-1", 600)
    await assert_refused(coturn, credentials.username, credentials.credential)


async def test_coturn_refuses_a_username_whose_expiry_was_pushed_back_without_re_signing(coturn):
    credentials = issue_turn_credentials(coturn.secret, "user-1", 600)
    later = f"{credentials.expires_at + 86400}:user-1"
    await assert_refused(coturn, later, credentials.credential)


async def test_coturn_refuses_a_correctly_signed_but_expired_username(coturn):
    credentials = issue_turn_credentials(coturn.secret, "user-1", 60, now=time.time() - 3600)
    assert credentials.credential == turn_password(coturn.secret, credentials.username)
    await assert_refused(coturn, credentials.username, credentials.credential)


async def test_an_allocation_made_in_time_outlives_its_credential(coturn):
    """Why the TTL bounds when a call can start, not how long it lasts (docs/voip.md): coturn checks the expiry
    when an allocation is made, and keeps refreshing it afterwards."""
    credentials = issue_turn_credentials(coturn.secret, "user-1", 2)
    transport = await allocate(coturn, credentials.username, credentials.credential)
    try:
        while time.time() <= credentials.expires_at + 1:  # waiting for the clock itself, not for an event
            await asyncio.sleep(0.2)
        assert await refresh(transport, lifetime=600) == 600
    finally:
        transport.close()


async def refresh(transport, lifetime: int) -> int:
    """A TURN Refresh on the allocation's own authenticated session; returns the lifetime coturn granted."""
    client = transport._TurnTransport__inner_protocol  # aioice keeps its TURN client private (it refreshes on its own)
    request = stun.Message(message_method=stun.Method.REFRESH, message_class=stun.Class.REQUEST)
    request.attributes["LIFETIME"] = lifetime
    response, _ = await asyncio.wait_for(client.request_with_retry(request), timeout=30)
    return response.attributes["LIFETIME"]


async def test_coturn_never_writes_the_secret_or_a_credential_to_its_log(coturn):
    credentials = issue_turn_credentials(coturn.secret, "user-log", 600)
    (await allocate(coturn, credentials.username, credentials.credential)).close()
    await assert_refused(coturn, credentials.username, turn_password("wrong", credentials.username))
    log = coturn.log_path.read_text(errors="replace")
    assert credentials.username in log  # the log is the one we think it is, and it is being written
    assert coturn.secret not in log
    assert credentials.credential not in log


def test_a_machine_without_coturn_fails_the_relay_tests_instead_of_skipping_them(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pytest.fail.Exception, match=r"ensure-coturn\.sh"):
        require_turnserver()
