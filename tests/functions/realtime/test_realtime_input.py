"""Hostile input over real sockets on the dev host's hub, on both stacks: JSON nested 100,000 levels deep and NUL
characters never crash the hub or the app's event handler. The hub refuses a frame it cannot parse (or that nests
too deeply) by closing that connection with 1008, as it does for any invalid JSON, and carries on; the app answers
an upstream event whose body nests too deeply with `invalid_json` (200 and the envelope for a user event, so the
client's connection stays up; 400 for `connect`), and refuses NUL in event data with `nul_character`."""

from __future__ import annotations

import asyncio

import httpx

from shared.domain.realtime.signature import signature_header
from shared.settings import DEV_WEBPUBSUB_KEY
from tests.support.communities import create_topic, ok
from tests.support.realtime import socket_of
from tests.support.users import signup

DEEP = 100_000


def deep_array(levels: int = DEEP) -> str:
    return "[" * levels + "]" * levels


def upstream(host, event_type: str, user_id: str, connection_id: str, body: bytes, **headers: str) -> httpx.Response:
    """A CloudEvents request signed like the service signs them."""
    return httpx.post(f"{host.url}/api/realtime/events", content=body, timeout=30, headers={
        "ce-type": event_type, "ce-userId": user_id, "ce-connectionId": connection_id,
        "ce-signature": signature_header(connection_id, [DEV_WEBPUBSUB_KEY]), "content-type": "application/json",
        **headers})


def test_a_frame_nested_100000_levels_deep_closes_only_that_socket(host, api):
    user = signup(host)
    topic = create_topic(host, user)

    async def scenario():
        async with socket_of(api, user) as doomed, socket_of(api, user) as bystander:
            await doomed.raw.ws.send('{"type":"event","event":"join_topic","ackId":1,"dataType":"json","data":'
                                     + deep_array() + "}")
            disconnected = await doomed.closed_by_server()
            assert disconnected is not None and "not valid JSON" in disconnected["message"]
            answer = await bystander.event("join_topic", {"topic_id": topic["id"]})
            assert answer["success"] is True
        async with socket_of(api, user) as again:  # and a new socket works as before
            assert (await again.event("join_topic", {"topic_id": topic["id"]}))["success"] is True

    asyncio.run(scenario())


def test_an_upstream_user_event_nested_too_deeply_is_answered_invalid_json_and_the_socket_stays(host, api):
    user = signup(host)
    topic = create_topic(host, user)

    async def scenario():
        async with socket_of(api, user) as client:
            for body in (deep_array(), '{"topic_id":' + deep_array(100) + "}"):
                answer = await asyncio.to_thread(upstream, host, "azure.webpubsub.user.join_topic", user.id,
                                                 client.connection_id, body.encode(), **{"ce-eventName": "join_topic"})
                assert answer.status_code == 200
                assert answer.json()["success"] is False and answer.json()["error"]["code"] == "invalid_json"
            assert (await client.event("join_topic", {"topic_id": topic["id"]}))["success"] is True

    asyncio.run(scenario())


def test_an_upstream_connect_nested_too_deeply_is_a_400(host):
    answer = upstream(host, "azure.webpubsub.sys.connect", "someone", "conn-deep",
                      ('{"claims":{},"query":' + deep_array() + "}").encode())
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_json"


def test_a_nul_in_event_data_is_refused_with_the_field_and_the_socket_stays(host, api):
    user = signup(host)
    topic = create_topic(host, user)

    async def scenario():
        async with socket_of(api, user) as client:
            refused = await client.event("join_topic", {"topic_id": topic["id"] + "\x00"})
            assert refused["success"] is False
            assert [(d["field"], d["code"]) for d in refused["error"]["details"]] == [("data.topic_id",
                                                                                        "nul_character")]
            assert (await client.event("join_topic", {"topic_id": topic["id"]}))["success"] is True

    asyncio.run(scenario())
    assert ok(api.get(f"/api/topics/{topic['id']}"))["id"] == topic["id"]
