"""Presence and typing over the dev host's hub with the official clients (node @azure/web-pubsub-client and the
Python azure-messaging-webpubsubclient), both stacks: one user with two connections goes online once and
offline once, after both closed and the grace period; a blocked user sees no presence, neither by event nor by
HTTP; typing reaches the partner (never the sender) with a server-set expires_in, stops, and is rate-limited."""

from __future__ import annotations

import asyncio
import json
import queue
import shutil
import time
from pathlib import Path

from tests.functions.dm.conftest import dm, pair
from tests.functions.messages import test_chat_realtime
from tests.functions.messages.test_chat_realtime import _answer, _app_event
from tests.support.communities import ok
from tests.support.realtime import negotiate
from tests.support.users import signup

SCRIPT = Path(__file__).with_name("dm_client.mjs")
GRACE = 5.0  # the default presence_grace_seconds
TIMER = 3.0  # the presence timer's period


class NodeClient(test_chat_realtime.NodeClient):
    """chat's driver of the node client, with dm_client.mjs (a stop that waits for the clean close)."""

    @classmethod
    async def start(cls, url):
        process = await asyncio.create_subprocess_exec(
            shutil.which("node") or "node", str(SCRIPT), url, cwd=test_chat_realtime.ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        client = cls(process)
        await client.until(lambda e: e["event"] == "started")
        return client


def presence_events(events, kind, user_id):
    return [e for e in events if _app_event(e, kind) and e["data"]["data"]["user_id"] == user_id]


async def settle():
    await asyncio.sleep(0.7)  # the hub delivers `connected` upstream after the client has started


def test_two_connections_go_online_once_and_offline_once_after_the_grace_period(host, api):
    alice, bob = pair(host)
    dm(api, alice, bob, "partners see each other")

    async def scenario():
        watcher = await NodeClient.start(negotiate(api, bob)["url"])
        try:
            await settle()
            first = await NodeClient.start(negotiate(api, alice)["url"])
            second = await NodeClient.start(negotiate(api, alice)["url"])
            await settle()
            heard = await watcher.heard(1.0)
            assert len(presence_events(heard, "user_online", alice.id)) == 1
            state = await asyncio.to_thread(lambda: ok(api.get(f"/api/users/{alice.id}/presence",
                                                              headers=bob.headers)))
            assert state == {"user_id": alice.id, "is_online": True, "last_seen": None}
            online = await asyncio.to_thread(lambda: ok(api.get("/api/users/online", headers=bob.headers)))
            assert [u["id"] for u in online["items"]] == [alice.id]
            await first.stop()
            await asyncio.sleep(1.0)
            assert presence_events(await watcher.heard(0.5), "user_offline", alice.id) == []  # one still open
            await second.stop()
            closed = time.monotonic()
            early = await watcher.heard(GRACE - 1.5)
            assert presence_events(early, "user_offline", alice.id) == []  # not before the grace period
            later = await watcher.heard(GRACE + TIMER + 1.5 - (time.monotonic() - closed))
            offline = presence_events(later, "user_offline", alice.id)
            assert len(offline) == 1 and offline[0]["data"]["data"]["last_seen"]
            assert presence_events(early + later, "user_online", alice.id) == []
            state = await asyncio.to_thread(lambda: ok(api.get(f"/api/users/{alice.id}/presence",
                                                              headers=bob.headers)))
            assert state["is_online"] is False and state["last_seen"]
        finally:
            await watcher.stop()
        return True

    assert asyncio.run(scenario())


def test_a_reconnect_within_the_grace_period_is_no_flicker(host, api):
    alice, bob = pair(host)
    dm(api, bob, alice)

    async def scenario():
        watcher = await NodeClient.start(negotiate(api, bob)["url"])
        try:
            await settle()
            first = await NodeClient.start(negotiate(api, alice)["url"])
            await settle()
            await first.stop()
            await asyncio.sleep(1.0)
            again = await NodeClient.start(negotiate(api, alice)["url"])
            heard = await watcher.heard(GRACE + TIMER + 1.0)
            assert len(presence_events(heard, "user_online", alice.id)) == 1
            assert presence_events(heard, "user_offline", alice.id) == []
            await again.stop()
        finally:
            await watcher.stop()
        return True

    assert asyncio.run(scenario())


def test_a_blocked_user_sees_no_presence(host, api):
    alice, carol = pair(host)
    dm(api, alice, carol, "before the block")
    stranger = signup(host)

    async def scenario():
        blocked = await NodeClient.start(negotiate(api, carol)["url"])
        outsider = await NodeClient.start(negotiate(api, stranger)["url"])
        try:
            await settle()
            ok(await asyncio.to_thread(api.post, f"/api/users/{carol.id}/block", headers=alice.headers), 201)
            await outsider.command(f"event watch_presence {json.dumps({'user_ids': [alice.id]})}")
            assert (await outsider.until(_answer))["data"]["data"]["watching"] == []
            await blocked.command(f"event watch_presence {json.dumps({'user_ids': [alice.id]})}")
            assert (await blocked.until(_answer))["data"]["data"]["watching"] == []
            client = await NodeClient.start(negotiate(api, alice)["url"])
            await settle()
            await client.stop()
            heard = await blocked.heard(GRACE + TIMER + 1.0)
            assert presence_events(heard, "user_online", alice.id) == []
            assert presence_events(heard, "user_offline", alice.id) == []
            assert not [e for e in await outsider.heard(0.3) if _app_event(e, "user_online")]
            for viewer in (carol, stranger):
                state = await asyncio.to_thread(lambda v=viewer: ok(api.get(f"/api/users/{alice.id}/presence",
                                                                            headers=v.headers)))
                assert state == {"user_id": alice.id, "is_online": False, "last_seen": None}
            state = await asyncio.to_thread(lambda: ok(api.get(f"/api/users/{carol.id}/presence",
                                                              headers=alice.headers)))
            assert state["last_seen"] is None  # both ways
        finally:
            await blocked.stop()
            await outsider.stop()
        return True

    assert asyncio.run(scenario())


def test_hidden_online_status_hides_the_user(host, api):
    alice, bob = pair(host)
    dm(api, alice, bob)
    ok(api.patch("/api/users/me/preferences", json={"show_online_status": False}, headers=alice.headers))

    async def scenario():
        watcher = await NodeClient.start(negotiate(api, bob)["url"])
        try:
            await settle()
            client = await NodeClient.start(negotiate(api, alice)["url"])
            await settle()
            assert presence_events(await watcher.heard(1.0), "user_online", alice.id) == []
            state = await asyncio.to_thread(lambda: ok(api.get(f"/api/users/{alice.id}/presence",
                                                              headers=bob.headers)))
            assert state == {"user_id": alice.id, "is_online": False, "last_seen": None}
            online = await asyncio.to_thread(lambda: ok(api.get("/api/users/online", headers=bob.headers)))
            assert online["items"] == []
            # showing oneself again while online is seen at once, and hiding again too
            await asyncio.to_thread(api.patch, "/api/users/me/preferences", json={"show_online_status": True},
                                    headers=alice.headers)
            assert len(presence_events(await watcher.heard(1.0), "user_online", alice.id)) == 1
            await asyncio.to_thread(api.patch, "/api/users/me/preferences", json={"show_online_status": False},
                                    headers=alice.headers)
            hidden = presence_events(await watcher.heard(1.0), "user_offline", alice.id)
            assert len(hidden) == 1 and hidden[0]["data"]["data"]["last_seen"] is None
            await client.stop()
            assert presence_events(await watcher.heard(GRACE + TIMER + 1.0), "user_offline", alice.id) == []
        finally:
            await watcher.stop()
        return True

    assert asyncio.run(scenario())


def test_typing_reaches_the_partner_only_expires_and_is_rate_limited(host, api):
    from azure.messaging.webpubsubclient import WebPubSubClient, WebPubSubClientCredential
    from azure.messaging.webpubsubclient.models import CallbackType

    alice, bob = pair(host)
    dm(api, alice, bob)
    stranger = signup(host)
    ok(api.put("/api/messages/private-settings", json={"allow_messages_from": "nobody"}, headers=stranger.headers))
    url = negotiate(api, bob)["url"]
    inbox: queue.Queue = queue.Queue()
    receiver = WebPubSubClient(credential=WebPubSubClientCredential(client_access_url_provider=lambda: url),
                               message_retry_total=0, ack_timeout=5, start_timeout=10)
    receiver.subscribe(CallbackType.SERVER_MESSAGE, lambda e: inbox.put(e.data))
    receiver.open()

    def next_of(kind, timeout=10.0):
        while True:
            data = inbox.get(True, timeout)
            if isinstance(data, dict) and data.get("type") == kind:
                return data["data"]

    async def scenario():
        sender = await NodeClient.start(negotiate(api, alice)["url"])
        try:
            await sender.command(f"event typing_start {json.dumps({'other_user_id': bob.id})}")
            answer = (await sender.until(_answer))["data"]
            assert answer["success"] is True and answer["data"]["expires_in"] == 8
            typing = await asyncio.to_thread(next_of, "user_typing")
            assert typing["user_id"] == alice.id and typing["other_user_id"] == alice.id
            assert typing["expires_in"] == 8 and typing["conversation_id"].startswith("dm_")
            await sender.command(f"event typing_stop {json.dumps({'other_user_id': bob.id})}")
            assert (await sender.until(_answer))["data"]["success"] is True
            stopped = await asyncio.to_thread(next_of, "user_stop_typing")
            assert stopped["user_id"] == alice.id and "expires_in" not in stopped
            # the sender never hears its own typing
            assert not [e for e in await sender.heard(0.5) if _app_event(e, "user_typing")]
            # nowhere to write, nothing relayed
            await sender.command(f"event typing_start {json.dumps({'other_user_id': stranger.id})}")
            refused = (await sender.until(_answer))["data"]
            assert refused["success"] is False and refused["error"]["code"] == "cannot_message"
            await sender.command(f"event typing_start {json.dumps({'room_id': 'grp' + '0' * 20})}")
            assert (await sender.until(_answer))["data"]["success"] is False
            # rate-limited per connection
            answers = []
            for _ in range(12):
                await sender.command(f"event typing_start {json.dumps({'other_user_id': bob.id})}")
                answers.append((await sender.until(_answer))["data"])
            codes = [a.get("error", {}).get("code") for a in answers if not a["success"]]
            assert codes and set(codes) == {"typing_rate_limited"}
        finally:
            await sender.stop()
        return True

    try:
        assert asyncio.run(scenario())
    finally:
        receiver.close()


def test_a_grace_period_outlives_the_worker_that_started_it(host, api):
    """The delayed check is lost with its worker (cancelled here); the state is in Redis, so the presence timer,
    in any worker, publishes the one user_offline."""
    alice, bob = pair(host)
    dm(api, alice, bob)

    async def disconnect_and_lose_the_worker():
        from shared.domain.dm import presence

        await presence.on_connected(alice.id, "gone-1")
        await presence.on_disconnected(alice.id, "gone-1")
        for task in list(presence._tasks):
            task.cancel()

    host.run(disconnect_and_lose_the_worker)
    time.sleep(GRACE + 0.2)
    host.run_timer("finish_presence_grace_periods")
    offline = host.events(group=f"presence_{alice.id}", type="user_offline")
    assert len(offline) == 1 and offline[0]["data"]["user_id"] == alice.id
    host.run_timer("finish_presence_grace_periods")
    assert len(host.events(group=f"presence_{alice.id}", type="user_offline")) == 1
