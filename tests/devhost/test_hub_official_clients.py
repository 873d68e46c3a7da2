"""The official Web PubSub clients, unmodified, against the dev hub.

Each connects with a URL minted by the server SDK (through our Realtime adapter) from the development connection
string, joins a group its roles allow, gets a Forbidden ack for one they don't, and receives what the server
sends to its group and to its user — and nothing sent to the group it could not join.
"""

import asyncio
import json
import queue
import shutil
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("hub_client.mjs")
ROOT = Path(__file__).resolve().parents[2]
ALLOWED, FORBIDDEN = "chat_room_1", "chat_room_2"


async def client_url(realtime, user_id):
    return await realtime.client_url(
        user_id, roles=[f"webpubsub.joinLeaveGroup.{ALLOWED}", f"webpubsub.sendToGroup.{ALLOWED}"])


class NodeClient:
    def __init__(self, process):
        self.process = process
        self.seen = []

    @classmethod
    async def start(cls, url, protocol):
        process = await asyncio.create_subprocess_exec(
            shutil.which("node") or "node", str(SCRIPT), url, protocol, ALLOWED, FORBIDDEN, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        return cls(process)

    async def next(self, timeout=15):
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            stderr = (await self.process.stderr.read()).decode()
            raise AssertionError(f"the node client exited early: {stderr[-2000:]}")
        event = json.loads(line)
        self.seen.append(event)
        return event

    async def until(self, name):
        while True:
            event = await self.next()
            if event["event"] == "error":
                raise AssertionError(f"the node client failed: {event}")
            if event["event"] == name:
                return event

    async def command(self, line):
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    async def stop(self):
        if self.process.returncode is None:
            await self.command("stop")
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@pytest.mark.parametrize("protocol", ["reliable", "json"])
async def test_the_node_client_joins_its_group_is_refused_another_and_receives_group_and_user_messages(
        hub, realtime, protocol):
    client = await NodeClient.start(await client_url(realtime, "alice"), protocol)
    try:
        await client.until("ready")
        connected = next(e for e in client.seen if e["event"] == "connected")
        assert connected["userId"] == "alice"
        refused = next(e for e in client.seen if e["event"] == "join-refused")
        assert refused["name"] == "Forbidden"

        # Sent first: if it leaked, it would arrive before the two messages the client may see.
        await realtime.send_to_group(FORBIDDEN, {"type": "secret"})
        await realtime.send_to_group(ALLOWED, {"type": "new_chat_room_message", "data": {"text": "hi"}})
        await realtime.send_to_user("alice", {"type": "notification", "data": {"n": 1}})

        first, second = await client.until("server-message"), await client.until("server-message")
        assert first["data"] == {"type": "new_chat_room_message", "data": {"text": "hi"}}
        assert second["data"] == {"type": "notification", "data": {"n": 1}}
        assert first["dataType"] == second["dataType"] == "json"
        if protocol == "reliable":
            assert [first["sequenceId"], second["sequenceId"]] == [1, 2]
        else:
            assert first["sequenceId"] is second["sequenceId"] is None

        await client.command(f'send {ALLOWED} {{"text": "from node"}}')
        echoed = await client.until("group-message")
        assert echoed["group"] == ALLOWED and echoed["data"] == {"text": "from node"}
        assert echoed["fromUserId"] == "alice"
        assert (await client.until("sent"))["isDuplicated"] is False
        assert not [e for e in client.seen if e.get("data") == {"type": "secret"}]
    finally:
        await client.stop()


async def test_the_node_reliable_client_recovers_a_dropped_socket_without_losing_messages(hub, realtime):
    client = await NodeClient.start(await client_url(realtime, "dave"), "reliable")
    try:
        await client.until("ready")
        connection_id = next(e for e in client.seen if e["event"] == "connected")["connectionId"]
        await realtime.send_to_user("dave", {"n": 1})
        assert (await client.until("server-message"))["data"] == {"n": 1}

        assert await asyncio.to_thread(hub.call, lambda: hub.state.drop(connection_id))
        await realtime.send_to_user("dave", {"n": 2})
        await realtime.send_to_user("dave", {"n": 3})

        received = [(await client.until("server-message"))["data"] for _ in range(2)]
        assert received == [{"n": 2}, {"n": 3}]
        # The same connection resumed: no new "connected", no "disconnected", still a member of its group.
        assert [e["event"] for e in client.seen].count("connected") == 1
        assert "disconnected" not in [e["event"] for e in client.seen]
        await realtime.send_to_group(ALLOWED, {"n": 4})
        assert (await client.until("server-message"))["data"] == {"n": 4}
    finally:
        await client.stop()


async def test_the_python_client_joins_its_group_is_refused_another_and_receives_group_and_user_messages(
        hub, realtime):
    from azure.messaging.webpubsubclient import WebPubSubClient, WebPubSubClientCredential
    from azure.messaging.webpubsubclient.models import CallbackType, SendMessageError, WebPubSubDataType

    url = await client_url(realtime, "bob")
    events: queue.Queue = queue.Queue()
    # This client waits on a condition variable after sending, so an ack that beats the wait is only noticed at
    # the timeout (the call still succeeds): short timeouts keep that race from costing 30 s on a busy machine.
    client = WebPubSubClient(credential=WebPubSubClientCredential(client_access_url_provider=lambda: url),
                             message_retry_total=0, ack_timeout=5, start_timeout=10)
    client.subscribe(CallbackType.CONNECTED, lambda e: events.put(("connected", e.user_id)))
    client.subscribe(CallbackType.GROUP_MESSAGE, lambda e: events.put(("group", e.group, e.data, e.from_user_id)))
    client.subscribe(CallbackType.SERVER_MESSAGE, lambda e: events.put(("server", e.data, e.sequence_id)))

    async def next_event():
        return await asyncio.to_thread(events.get, True, 10)

    await asyncio.to_thread(client.open)
    try:
        assert await next_event() == ("connected", "bob")
        await asyncio.to_thread(client.join_group, ALLOWED)
        with pytest.raises(SendMessageError) as refused:
            await asyncio.to_thread(client.join_group, FORBIDDEN)
        assert refused.value.error_detail.name == "Forbidden"

        await realtime.send_to_group(FORBIDDEN, {"type": "secret"})
        await realtime.send_to_group(ALLOWED, {"type": "new_chat_room_message"})
        await realtime.send_to_user("bob", {"type": "notification"})
        assert await next_event() == ("server", {"type": "new_chat_room_message"}, 1)
        assert await next_event() == ("server", {"type": "notification"}, 2)

        await asyncio.to_thread(client.send_to_group, ALLOWED, {"text": "from python"}, WebPubSubDataType.JSON)
        assert await next_event() == ("group", ALLOWED, {"text": "from python"}, "bob")
    finally:
        await asyncio.to_thread(client.close)
