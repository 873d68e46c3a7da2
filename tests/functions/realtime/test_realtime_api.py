"""Realtime through the real hub: negotiate, then join topic and post groups only where the HTTP API would let
the caller read, and receive what the app publishes there."""

import asyncio
import json

import httpx
import pytest

from shared.domain.realtime.signature import signature_header
from shared.settings import DEV_WEBPUBSUB_KEY
from tests.devhost.hub_support import connect_raw
from tests.support.communities import create_topic, ok
from tests.support.users import signup

PROTOCOL = "json.webpubsub.azure.v1"


@pytest.fixture(scope="module")
def alice(host):
    return signup(host)


@pytest.fixture(scope="module")
def bob(host):
    return signup(host)


def negotiate(api, user) -> dict:
    return ok(api.post("/api/realtime/negotiate", headers=user.headers))


async def join(client, group: str, ack_id: int) -> dict:
    """The app's answer to a join event (its envelope), after the service acked the event."""
    await client.send(type="event", event="join", ackId=ack_id, dataType="json", data={"group": group})
    acked, answer = False, None
    while not (acked and answer is not None):
        message = await client.next(timeout=10)
        if message.get("type") == "ack" and message.get("ackId") == ack_id:
            assert message["success"] is True, message
            acked = True
        elif message.get("type") == "message" and isinstance(message.get("data"), dict) \
                and "success" in message["data"]:
            answer = message["data"]
    return answer


async def next_app_event(client, event_type: str, timeout: float = 10) -> dict:
    while True:
        message = await client.next(timeout=timeout)
        data = message.get("data")
        if message.get("type") == "message" and isinstance(data, dict) and data.get("type") == event_type:
            return data


def test_negotiate_needs_a_signed_in_caller(api):
    response = api.post("/api/realtime/negotiate")
    assert response.status_code == 401


def test_a_client_starts_in_its_own_user_group_and_nothing_else(api, host, alice):
    access = negotiate(api, alice)
    assert access["groups"] == [f"user_{alice.id}"]

    async def scenario():
        client = await connect_raw(access["url"], PROTOCOL)
        assert client.connected["userId"] == alice.id
        # no group roles: joining a group directly is refused by the hub itself
        await client.send(type="joinGroup", group="topic_anything", ackId=1)
        ack = await client.next()
        await client.close()
        return ack

    ack = asyncio.run(scenario())
    assert ack["success"] is False and ack["error"]["name"] == "Forbidden"


def test_a_member_joins_a_topic_group_through_the_gate_and_receives_new_posts(api, host, alice):
    topic = create_topic(host, alice)
    access = negotiate(api, alice)

    async def scenario():
        client = await connect_raw(access["url"], PROTOCOL)
        answer = await join(client, f"topic_{topic['id']}", 1)
        body = {"title": "Hello realtime", "content": "hi"}
        created = await asyncio.to_thread(api.post, f"/api/posts/topics/{topic['id']}/posts", headers=alice.headers,
                                          json=body)
        event = await next_app_event(client, "new_post")
        await client.close()
        return answer, ok(created, 201), event

    answer, post, event = asyncio.run(scenario())
    assert answer == {"success": True, "data": {"group": f"topic_{topic['id']}", "joined": True}}
    assert event["data"]["id"] == post["id"]


def test_an_invite_only_topic_group_is_refused_to_a_non_member_without_revealing_it(api, host, alice, bob):
    secret = create_topic(host, alice, private=True)
    access = negotiate(api, bob)

    async def scenario():
        client = await connect_raw(access["url"], PROTOCOL)
        refused = await join(client, f"topic_{secret['id']}", 1)
        missing = await join(client, "topic_doesnotexist", 2)
        await client.close()
        return refused, missing

    refused, missing = asyncio.run(scenario())
    assert refused["success"] is False and missing["success"] is False
    assert refused["error"] == missing["error"]  # existence stays private: the same answer either way
    assert refused["error"]["code"] == "topic_not_found"
    assert host.devhost.hub.delivered(group=f"topic_{secret['id']}") == []


def test_an_event_that_is_not_signed_by_the_service_is_refused(host):
    url = f"{host.url}/api/realtime/events"
    headers = {"ce-type": "azure.webpubsub.user.join", "ce-eventName": "join", "ce-userId": "someone-else",
               "ce-connectionId": "conn-1", "content-type": "application/json"}
    body = json.dumps({"group": "topic_x"})
    assert httpx.post(url, headers=headers, content=body).status_code == 401
    forged = {**headers, "ce-signature": signature_header("conn-1", ["not-the-key-" * 4])}
    assert httpx.post(url, headers=forged, content=body).status_code == 401
    genuine = {**headers, "ce-signature": signature_header("conn-1", [DEV_WEBPUBSUB_KEY])}
    verified = httpx.post(url, headers=genuine, content=body)  # verified, then refused: we never accepted conn-1
    assert verified.status_code == 200 and verified.json()["error"]["code"] == "realtime_url_invalid"


def test_the_abuse_protection_check_only_allows_our_service(host):
    url = f"{host.url}/api/realtime/events"
    ours = httpx.options(url, headers={"WebHook-Request-Origin": "127.0.0.1"})
    assert ours.status_code == 200 and ours.headers["webhook-allowed-origin"] == "127.0.0.1"
    theirs = httpx.options(url, headers={"WebHook-Request-Origin": "evil.example"})
    assert theirs.status_code == 400
