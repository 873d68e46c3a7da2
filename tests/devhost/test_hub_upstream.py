"""Upstream CloudEvents: what the app's event handler receives, and how its answers steer the hub."""

import datetime as dt
import json

import pytest
from starlette.responses import JSONResponse, Response
from websockets.exceptions import InvalidStatus

from shared.adapters.realtime_webpubsub import WebPubSubRealtime
from shared.domain.realtime.signature import verify_signature
from shared.settings import DEV_WEBPUBSUB_KEY
from tests.devhost.hub_support import HUB, JSON, RELIABLE, connect_raw, eventually, start_hub


@pytest.fixture(scope="module")
def hub():
    running = start_hub(upstream=True, user_event_pattern="echo,fail,plain*,message")
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh_receiver(hub):
    hub.receiver.calls.clear()
    hub.receiver.answer = None
    hub.receiver.allowed_origin = "*"
    yield hub.receiver
    hub.receiver.answer = None


def answering(ce_type, reply):
    """A handler that answers one event type with reply(call) and everything else with 204."""
    return lambda call: reply(call) if call.ce_type == ce_type else Response(status_code=204)


def events_for(receiver, connection_id, ce_type=None):
    return [c for c in receiver.calls if c.headers.get("ce-connectionid") == connection_id
            and (ce_type is None or c.ce_type == ce_type)]


async def test_connect_connected_and_disconnected_arrive_as_signed_cloudevents(hub, realtime):
    client = await connect_raw(await realtime.client_url("yan", roles=["webpubsub.joinLeaveGroup"],
                                                          groups=["user_yan"]), RELIABLE)
    cid = client.connection_id
    await client.close()
    calls = await eventually(lambda: (c := events_for(hub.receiver, cid)) and len(c) == 3 and c)
    assert [c.ce_type for c in calls] == ["azure.webpubsub.sys.connect", "azure.webpubsub.sys.connected",
                                         "azure.webpubsub.sys.disconnected"]
    for call in calls:
        h = call.headers
        assert h["ce-specversion"] == "1.0"
        assert h["ce-source"] == f"/hubs/{HUB}/client/{cid}"
        assert h["ce-hub"] == HUB and h["ce-userid"] == "yan" and h["ce-connectionid"] == cid
        assert h["ce-eventname"] == call.ce_type.rsplit(".", 1)[1]
        assert h["ce-subprotocol"] == RELIABLE
        assert h["webhook-request-origin"] == "127.0.0.1"
        assert h["content-type"].startswith("application/json")
        assert dt.datetime.fromisoformat(h["ce-time"].replace("Z", "+00:00")).tzinfo is not None
        assert verify_signature(h["ce-signature"], cid, [DEV_WEBPUBSUB_KEY])
        assert not verify_signature(h["ce-signature"], cid, ["another-key-0123456789abcdef0123456789"])
    assert len({c.headers["ce-id"] for c in calls}) == 3

    connect = calls[0].json()
    assert set(connect) == {"claims", "query", "headers", "subprotocols", "clientCertificates"}
    assert connect["claims"]["sub"] == ["yan"]
    assert connect["claims"]["role"] == ["webpubsub.joinLeaveGroup"]
    assert connect["claims"]["webpubsub.group"] == ["user_yan"]
    assert "access_token" not in connect["query"]
    assert connect["subprotocols"] == [RELIABLE]
    assert calls[1].json() == {}
    assert calls[2].json() == {"reason": "The client closed the connection (code 1000)."}


async def test_the_hub_checks_that_the_handler_accepts_its_origin_before_sending_events(hub, realtime):
    # The check happens once per URL (already done by earlier tests on this hub), so use a fresh hub.
    fresh = start_hub(upstream=True)
    try:
        fresh.receiver.allowed_origin = "somewhere-else.example"
        adapter = WebPubSubRealtime.from_connection_string(fresh.connection_string(), HUB)
        with pytest.raises(InvalidStatus) as refused:
            await connect_raw(await adapter.client_url("zed"), JSON)
        assert refused.value.response.status_code == 500
        assert fresh.receiver.calls == []  # nothing was delivered to a handler that did not allow us
        fresh.receiver.allowed_origin = "127.0.0.1"
        client = await connect_raw(await adapter.client_url("zed"), JSON)
        assert client.connected["userId"] == "zed"
        await client.close()
        await adapter.close()
    finally:
        fresh.stop()


async def test_without_an_event_handler_function_clients_still_connect_and_no_events_are_sent():
    # The app's handler URL answers 404 (no such function yet): as if the hub had no event handler configured.
    bare = start_hub(upstream=True, upstream_path="/api/realtime/events")
    try:
        adapter = WebPubSubRealtime.from_connection_string(bare.connection_string(), HUB)
        client = await connect_raw(await adapter.client_url("gus"), JSON)
        await client.send(type="event", event="anything", ackId=1, data={})
        assert (await client.next())["success"] is True
        await client.close()
        await adapter.close()
        assert bare.receiver.calls == []
    finally:
        bare.stop()


async def test_a_connect_handler_can_reject_the_client_with_its_status(hub, realtime):
    hub.receiver.answer = lambda call: Response("banned", status_code=403)
    with pytest.raises(InvalidStatus) as refused:
        await connect_raw(await realtime.client_url("banned-user"), JSON)
    assert refused.value.response.status_code == 403
    assert refused.value.response.body == b"banned"


async def test_a_connect_handler_can_set_user_roles_and_groups(hub, realtime):
    hub.receiver.answer = answering("azure.webpubsub.sys.connect", lambda call: JSONResponse(
        {"userId": "assigned", "roles": ["webpubsub.joinLeaveGroup.extra"], "groups": ["from_connect"]}))
    client = await connect_raw(await realtime.client_url(None), JSON)
    assert client.connected["userId"] == "assigned"
    await client.send(type="joinGroup", group="extra", ackId=1)
    assert (await client.next())["success"] is True
    await realtime.send_to_group("from_connect", {"n": 1})
    assert (await client.next())["data"] == {"n": 1}
    connected = await eventually(lambda: events_for(hub.receiver, client.connection_id,
                                                    "azure.webpubsub.sys.connected"))
    assert connected[0].headers["ce-userid"] == "assigned"
    await client.close()


async def test_a_user_event_reaches_the_handler_and_its_reply_comes_back_to_the_client(hub, realtime):
    hub.receiver.answer = answering("azure.webpubsub.user.echo", lambda call: JSONResponse(
        {"echo": call.json() if call.headers["content-type"].startswith("application/json") else call.body.decode()},
        headers={"ce-connectionState": "c3RhdGU="}))
    client = await connect_raw(await realtime.client_url("amy"), RELIABLE)
    await client.send(type="event", event="echo", ackId=1, dataType="json", data={"q": 1})
    assert await client.next() == {"type": "ack", "ackId": 1, "success": True}
    assert await client.next() == {"type": "message", "from": "server", "dataType": "json",
                                   "data": {"echo": {"q": 1}}, "sequenceId": 1}
    [event] = events_for(hub.receiver, client.connection_id, "azure.webpubsub.user.echo")
    assert event.headers["ce-eventname"] == "echo"
    assert event.headers["content-type"].startswith("application/json")
    assert verify_signature(event.headers["ce-signature"], client.connection_id, [DEV_WEBPUBSUB_KEY])

    # The state the handler set travels with the connection's later events.
    await client.send(type="event", event="echo", ackId=2, dataType="text", data="again")
    assert (await client.next())["success"] is True
    assert (await client.next())["data"] == {"echo": "again"}
    later = events_for(hub.receiver, client.connection_id, "azure.webpubsub.user.echo")[-1]
    assert later.headers["ce-connectionstate"] == "c3RhdGU="
    assert later.headers["content-type"].startswith("text/plain") and later.body == b"again"
    await client.close()


async def test_events_the_hub_is_not_configured_for_are_acked_and_not_forwarded(hub, realtime):
    client = await connect_raw(await realtime.client_url("ben"), JSON)
    await client.send(type="event", event="unrouted", ackId=1, data={"x": 1})
    assert (await client.next())["success"] is True
    assert not events_for(hub.receiver, client.connection_id, "azure.webpubsub.user.unrouted")
    await client.close()


async def test_a_failing_user_event_handler_fails_the_ack_and_drops_the_connection(hub, realtime):
    hub.receiver.answer = answering("azure.webpubsub.user.fail", lambda call: Response(status_code=500))
    client = await connect_raw(await realtime.client_url("cal"), JSON)
    await client.send(type="event", event="fail", ackId=1, data={})
    ack = await client.next()
    assert ack["success"] is False and ack["error"]["name"] == "InternalServerError"
    assert (await client.next())["event"] == "disconnected"
    with pytest.raises(Exception) as closed:
        await client.next()
    assert closed.value.rcvd.code == 1008


async def test_a_plain_socket_sends_message_events_and_gets_the_reply_as_a_frame(hub, realtime):
    hub.receiver.answer = answering("azure.webpubsub.user.message",
                                    lambda call: Response(call.body.upper(), media_type="text/plain"))
    client = await connect_raw(await realtime.client_url("dee"), protocol=None)
    await client.ws.send("hello")
    assert await client.next() == "HELLO"
    await client.ws.send(b"\x00bytes")
    assert await client.next() == "\x00BYTES"
    calls = await eventually(lambda: [c for c in hub.receiver.of_type("azure.webpubsub.user.message")
                                      if c.headers["ce-userid"] == "dee"])
    assert calls[0].headers["content-type"].startswith("text/plain") and calls[0].body == b"hello"
    assert calls[1].headers["content-type"] == "application/octet-stream" and calls[1].body == b"\x00bytes"
    assert "ce-subprotocol" not in calls[0].headers
    await client.close()


async def test_invoke_returns_the_handlers_reply_as_an_invoke_response(hub, realtime):
    hub.receiver.answer = answering("azure.webpubsub.user.plain_invoke",
                                    lambda call: Response("pong", media_type="text/plain"))
    client = await connect_raw(await realtime.client_url("eve"), JSON)
    await client.send(type="invoke", invocationId="7", target="event", event="plain_invoke", dataType="text",
                      data="ping")
    assert await client.next() == {"type": "invokeResponse", "invocationId": "7", "success": True,
                                   "dataType": "text", "data": "pong"}
    await client.close()


async def test_the_delivery_log_records_upstream_replies(hub, realtime):
    hub.receiver.answer = answering("azure.webpubsub.user.echo", lambda call: JSONResponse({"type": "reply"}))
    client = await connect_raw(await realtime.client_url("fay"), JSON)
    await client.send(type="event", event="echo", ackId=1, data=json.dumps({}))
    await client.next()
    await client.next()
    [logged] = hub.state.delivered(user="fay", type="reply")
    assert logged.source == "upstream" and logged.connection == client.connection_id
    await client.close()
