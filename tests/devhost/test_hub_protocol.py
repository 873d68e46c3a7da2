"""The JSON subprotocols frame by frame: roles, acks, duplicates, echo, ping, and what plain sockets get."""

import base64
import json

import pytest

from tests.devhost.hub_support import JSON, RELIABLE, connect_raw


@pytest.fixture
async def open_client(realtime):
    opened = []

    async def open_(user_id, *, protocol=JSON, roles=(), groups=()):
        client = await connect_raw(await realtime.client_url(user_id, roles=roles, groups=groups), protocol)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        await client.close()


async def test_the_connected_message_names_the_connection_and_user(open_client):
    plain = await open_client("frank")
    assert set(plain.connected) == {"type", "event", "userId", "connectionId"}
    reliable = await open_client("frank", protocol=RELIABLE)
    assert reliable.connected["userId"] == "frank"
    assert len(reliable.connected["reconnectionToken"]) >= 32
    assert reliable.connection_id != plain.connection_id


async def test_without_roles_a_client_may_not_join_or_publish(open_client):
    client = await open_client("grace")
    await client.send(type="joinGroup", group="topic_1", ackId=1)
    await client.send(type="leaveGroup", group="topic_1", ackId=2)
    await client.send(type="sendToGroup", group="topic_1", ackId=3, dataType="text", data="hi")
    for ack_id in (1, 2, 3):
        ack = await client.next()
        assert ack["ackId"] == ack_id and ack["success"] is False
        assert ack["error"]["name"] == "Forbidden"


async def test_a_hub_wide_role_allows_any_group_and_a_group_role_only_its_group(open_client):
    anywhere = await open_client("heidi", roles=["webpubsub.joinLeaveGroup"])
    await anywhere.send(type="joinGroup", group="any_group", ackId=1)
    assert (await anywhere.next())["success"] is True
    one = await open_client("ivan", roles=["webpubsub.sendToGroup.topic_2"])
    await one.send(type="sendToGroup", group="topic_2", ackId=1, data={"ok": True})
    await one.send(type="sendToGroup", group="topic_3", ackId=2, data={"ok": False})
    assert (await one.next())["success"] is True
    assert (await one.next())["error"]["name"] == "Forbidden"


async def test_a_repeated_ack_id_is_acknowledged_as_a_duplicate_and_not_sent_twice(open_client, hub):
    sender = await open_client("judy", roles=["webpubsub.sendToGroup"], groups=["dup_room"])
    await sender.send(type="sendToGroup", group="dup_room", ackId=5, data={"n": 1})
    first = [await sender.next(), await sender.next()]
    assert {"type": "ack", "ackId": 5, "success": True} in first
    await sender.send(type="sendToGroup", group="dup_room", ackId=5, data={"n": 1})
    assert await sender.next() == {"type": "ack", "ackId": 5, "success": False, "error": {
        "name": "Duplicate", "message": "Message with ack-id: 5 has been processed"}}
    assert len(hub.state.delivered(group="dup_room")) == 1


async def test_group_messages_carry_the_sender_and_respect_no_echo(open_client):
    roles = ["webpubsub.sendToGroup.room_e"]
    sender = await open_client("kim", roles=roles, groups=["room_e"])
    listener = await open_client("lee", protocol=RELIABLE, groups=["room_e"])
    await sender.send(type="sendToGroup", group="room_e", ackId=1, noEcho=True, dataType="binary",
                      data=base64.b64encode(b"\x01\x02").decode())
    assert await listener.next() == {"type": "message", "from": "group", "group": "room_e", "dataType": "binary",
                                     "data": "AQI=", "fromUserId": "kim", "sequenceId": 1}
    assert (await sender.next())["type"] == "ack"
    assert await sender.nothing_within(0.2)


async def test_a_client_can_leave_a_group_it_joined(open_client, realtime):
    client = await open_client("mia", roles=["webpubsub.joinLeaveGroup.room_l"])
    await client.send(type="joinGroup", group="room_l", ackId=1)
    await client.next()
    await realtime.send_to_group("room_l", {"n": 1})
    assert (await client.next())["data"] == {"n": 1}
    await client.send(type="leaveGroup", group="room_l", ackId=2)
    assert (await client.next())["success"] is True
    await realtime.send_to_group("room_l", {"n": 2})
    assert await client.nothing_within(0.2)


async def test_ping_is_answered_with_pong(open_client):
    client = await open_client("nia")
    await client.send(type="ping")
    assert await client.next() == {"type": "pong"}


async def test_invalid_binary_data_is_a_failed_ack_not_a_crash(open_client):
    client = await open_client("omar", roles=["webpubsub.sendToGroup"])
    await client.send(type="sendToGroup", group="g", ackId=1, dataType="binary", data="***")
    assert (await client.next())["success"] is False
    await client.send(type="ping")
    assert await client.next() == {"type": "pong"}


async def test_a_frame_that_is_not_json_ends_the_connection(open_client):
    client = await open_client("pat")
    await client.ws.send("this is not json")
    assert (await client.next())["event"] == "disconnected"
    with pytest.raises(Exception) as closed:
        await client.next()
    assert closed.value.rcvd.code == 1008


async def test_an_ack_id_that_is_not_an_unsigned_integer_ends_the_connection(open_client):
    client = await open_client("paz")
    await client.send(type="joinGroup", group="g", ackId={"not": "a number"})
    assert (await client.next())["message"] == "ackId must be an unsigned integer."
    with pytest.raises(Exception) as closed:
        await client.next()
    assert closed.value.rcvd.code == 1008


async def test_a_plain_websocket_gets_no_system_messages_and_raw_group_data(realtime, hub):
    plain = await connect_raw(await realtime.client_url("quinn", groups=["raw_room"]), protocol=None)
    await realtime.send_to_group("raw_room", {"type": "x"})
    assert await plain.next() == '{"type":"x"}'
    await plain.close()


async def test_a_socket_offering_only_unknown_subprotocols_is_served_as_a_plain_client(realtime):
    client = await connect_raw(await realtime.client_url("rae", groups=["raw_room_2"]),
                               protocol="protobuf.webpubsub.azure.v1", expect_connected=False)
    assert client.ws.subprotocol is None
    await realtime.send_to_group("raw_room_2", {"type": "y"})
    assert await client.next() == '{"type":"y"}'
    await client.close()


DEEP = 100_000


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("frame", [nested(DEEP), '{"type":"ping","x":' + nested(DEEP) + "}",
                                   '{"type":"sendToGroup","group":"g","data":' + nested(200) + "}"],
                         ids=["100000 levels", "100000 levels inside a message", "deeper than the hub allows"])
async def test_a_frame_nested_too_deeply_ends_the_connection_like_any_invalid_json(open_client, frame):
    client = await open_client("rita", roles=["webpubsub.sendToGroup"])
    await client.ws.send(frame)
    ended = await client.next()
    assert ended["event"] == "disconnected"
    assert ended["message"] == "The message is not valid JSON for the json subprotocol."
    with pytest.raises(Exception) as closed:
        await client.next()
    assert closed.value.rcvd.code == 1008
    # the hub itself is unharmed
    other = await open_client("sam")
    await other.send(type="ping")
    assert await other.next() == {"type": "pong"}


async def test_data_nested_within_the_limit_still_travels(open_client):
    sender = await open_client("tess", roles=["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup"])
    await sender.send(type="joinGroup", group="deep", ackId=1)
    assert (await sender.next())["success"] is True
    data = json.loads(nested(100))
    await sender.send(type="sendToGroup", group="deep", ackId=2, data=data)
    received = [await sender.next(), await sender.next()]
    assert {"type": "ack", "ackId": 2, "success": True} in received
    assert any(m.get("type") == "message" and m["data"] == data for m in received)
