"""json.reliable.webpubsub.azure.v1: sequence ids, sequence acks, and resuming a dropped connection."""

import asyncio

import pytest
from azure.messaging.webpubsubservice.aio import WebPubSubServiceClient

from tests.devhost.hub_support import HUB, RELIABLE, connect_raw, eventually, start_hub


@pytest.fixture(scope="module")
def hub():
    running = start_hub(upstream=True, reconnect_window_seconds=1.5)
    yield running
    running.stop()


@pytest.fixture
async def sdk(hub):
    client = WebPubSubServiceClient.from_connection_string(hub.connection_string(), hub=HUB)
    yield client
    await client.close()


def resume_url(hub, client, token=None):
    token = token or client.connected["reconnectionToken"]
    return (f"ws://127.0.0.1:{hub.port}/client/hubs/{HUB}?awps_connection_id={client.connection_id}"
            f"&awps_reconnection_token={token}")


async def closed_code(client):
    with pytest.raises(Exception) as closed:
        await client.next()
    return closed.value.rcvd.code


async def test_a_resumed_connection_gets_every_unacked_message_again_in_order(hub, realtime, sdk):
    client = await connect_raw(await realtime.client_url("sam", groups=["resume_room"]), RELIABLE)
    await realtime.send_to_group("resume_room", {"n": 1})
    assert (await client.next())["sequenceId"] == 1
    await client.send(type="sequenceAck", sequenceId=1)
    await realtime.send_to_group("resume_room", {"n": 2})
    assert (await client.next())["sequenceId"] == 2  # received, but never acked

    assert await asyncio.to_thread(hub.call, lambda: hub.state.drop(client.connection_id))
    assert await closed_code(client) == 1011
    await realtime.send_to_group("resume_room", {"n": 3})  # while the client is away
    assert await sdk.connection_exists(client.connection_id)

    resumed = await connect_raw(resume_url(hub, client), RELIABLE, expect_connected=False)
    assert [(m["sequenceId"], m["data"]) for m in (await resumed.next(), await resumed.next())] == [
        (2, {"n": 2}), (3, {"n": 3})]
    await realtime.send_to_group("resume_room", {"n": 4})  # still in its groups, numbering goes on
    assert (await resumed.next())["sequenceId"] == 4
    await resumed.close()


async def test_a_client_side_network_failure_also_keeps_the_session(hub, realtime, sdk):
    client = await connect_raw(await realtime.client_url("tess"), RELIABLE)
    client.ws.transport.abort()  # no close frame: the hub sees an abnormal closure
    await realtime.send_to_user("tess", {"n": 1})
    resumed = await connect_raw(resume_url(hub, client), RELIABLE, expect_connected=False)
    assert (await resumed.next())["data"] == {"n": 1}
    assert await sdk.user_exists("tess")
    await resumed.close()


async def test_acked_messages_are_not_sent_again(hub, realtime):
    client = await connect_raw(await realtime.client_url("uma"), RELIABLE)
    for n in range(3):
        await realtime.send_to_user("uma", {"n": n})
        await client.next()
    await client.send(type="sequenceAck", sequenceId=3)
    await eventually(lambda: not hub.state.connection(client.connection_id).unacked)
    client.ws.transport.abort()
    resumed = await connect_raw(resume_url(hub, client), RELIABLE, expect_connected=False)
    assert await resumed.nothing_within(0.3)
    await resumed.close()


async def test_a_wrong_reconnection_token_is_told_to_start_afresh(hub, realtime):
    client = await connect_raw(await realtime.client_url("vic"), RELIABLE)
    client.ws.transport.abort()
    refused = await connect_raw(resume_url(hub, client, token="forg%C3%A9d"), RELIABLE, expect_connected=False)
    assert (await refused.next())["event"] == "disconnected"
    assert await closed_code(refused) == 1008  # 1008: the client must not try to resume again


async def test_a_deliberate_close_ends_the_session_at_once(hub, realtime, sdk):
    client = await connect_raw(await realtime.client_url("wes"), RELIABLE)
    await client.close()  # close code 1000
    await eventually(lambda: hub.state.connection(client.connection_id) is None)
    assert not await sdk.connection_exists(client.connection_id)


async def test_a_session_not_resumed_within_the_window_ends_with_a_disconnected_event(hub, realtime, sdk):
    client = await connect_raw(await realtime.client_url("xia"), RELIABLE)
    client.ws.transport.abort()
    await asyncio.sleep(0.2)
    assert await sdk.connection_exists(client.connection_id)
    await eventually(lambda: hub.state.connection(client.connection_id) is None, timeout=5)
    assert not await sdk.connection_exists(client.connection_id)
    disconnected = await eventually(lambda: [c for c in hub.receiver.of_type("azure.webpubsub.sys.disconnected")
                                             if c.headers["ce-connectionid"] == client.connection_id])
    assert "reconnection window" in disconnected[0].json()["reason"]
    late = await connect_raw(resume_url(hub, client), RELIABLE, expect_connected=False)
    assert (await late.next())["event"] == "disconnected"
    assert await closed_code(late) == 1008
