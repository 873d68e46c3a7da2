"""The call events through the official Web PubSub clients, unmodified: the node `@azure/web-pubsub-client` and
the Python `azure-messaging-webpubsubclient`, each with a URL from POST /api/realtime/negotiate. A call's lifecycle
and the refusals reach them as they would reach the frontend: the app's answer to each event is a server message
(the envelope), and what the app relays or announces arrives as server messages too."""

import asyncio
import json
import queue
import shutil
from pathlib import Path

import pytest

from tests.support.realtime import negotiate
from tests.support.users import signup

SCRIPT = Path(__file__).parents[1] / "messages" / "chat_client.mjs"  # the node client as a socket user
ROOT = Path(__file__).resolve().parents[3]
OFFER = {"type": "offer", "sdp": "v=0"}
pytestmark = pytest.mark.timeout(120)


class NodeParticipant:
    """The node client in a child process: commands on stdin, what it saw on stdout."""

    def __init__(self, process):
        self.process = process

    @classmethod
    async def start(cls, url):
        process = await asyncio.create_subprocess_exec(
            shutil.which("node") or "node", str(SCRIPT), url, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        participant = cls(process)
        await participant.until(lambda e: e["event"] == "started")
        return participant

    async def until(self, matches, timeout=20):
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
            if not line:
                raise AssertionError(f"the node client exited: {(await self.process.stderr.read()).decode()[-2000:]}")
            seen = json.loads(line)
            if seen["event"] in ("error", "event-refused"):
                raise AssertionError(f"the node client failed: {seen}")
            if matches(seen):
                return seen

    async def event(self, name, data):
        """Sends a user event and returns the app's answer (the envelope)."""
        self.process.stdin.write(f"event {name} {json.dumps(data)}\n".encode())
        await self.process.stdin.drain()
        answer = await self.until(lambda e: e["event"] == "server-message" and "success" in e["data"])
        return answer["data"]

    async def app_event(self, event_type):
        seen = await self.until(lambda e: e["event"] == "server-message" and e["data"].get("type") == event_type)
        return seen["data"]

    async def stop(self):
        if self.process.returncode is None:
            self.process.stdin.write(b"stop\n")
            await self.process.stdin.drain()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()


class PythonParticipant:
    def __init__(self, url):
        from azure.messaging.webpubsubclient import WebPubSubClient, WebPubSubClientCredential
        from azure.messaging.webpubsubclient.models import CallbackType

        self.messages: queue.Queue = queue.Queue()
        self.client = WebPubSubClient(credential=WebPubSubClientCredential(client_access_url_provider=lambda: url),
                                      message_retry_total=0, ack_timeout=5, start_timeout=10)
        self.client.subscribe(CallbackType.SERVER_MESSAGE, lambda e: self.messages.put(e.data))
        self.held: list = []

    async def _next(self, matches):
        for index, data in enumerate(self.held):
            if matches(data):
                return self.held.pop(index)
        while True:
            data = await asyncio.to_thread(self.messages.get, True, 20)
            if matches(data):
                return data
            self.held.append(data)

    async def event(self, name, data):
        from azure.messaging.webpubsubclient.models import WebPubSubDataType

        await asyncio.to_thread(self.client.send_event, name, data, WebPubSubDataType.JSON)
        return await self._next(lambda d: isinstance(d, dict) and "success" in d)

    async def app_event(self, event_type):
        return await self._next(lambda d: isinstance(d, dict) and d.get("type") == event_type)


async def test_a_call_between_the_node_and_the_python_client_with_every_refusal_on_the_way(api, host):
    alice, bob, mallory = signup(host), signup(host), signup(host)
    a = await NodeParticipant.start((await asyncio.to_thread(negotiate, api, alice))["url"])
    m = await NodeParticipant.start((await asyncio.to_thread(negotiate, api, mallory))["url"])
    b = PythonParticipant((await asyncio.to_thread(negotiate, api, bob))["url"])
    await asyncio.to_thread(b.client.open)
    try:
        created = await a.event("voip_create_call", {"room_id": bob.id, "room_type": "dm"})
        call_id = created["data"]["call"]["id"]
        assert created["data"]["event"] == "voip_call_created"
        assert (await b.app_event("voip_incoming_call"))["data"]["caller"]["user_id"] == alice.id

        # a second call in the same place is the first one
        again = await b.event("voip_create_call", {"room_id": alice.id, "room_type": "dm"})
        assert again["data"] == {"event": "voip_call_exists", "call": created["data"]["call"]}
        # an offer to someone not in the call (bob has not joined yet) is refused
        early = await a.event("voip_offer", {"call_id": call_id, "target_user_id": bob.id, "offer": OFFER})
        assert early["error"]["code"] == "participant_not_found"
        # an outsider can neither join nor signal
        assert (await m.event("voip_join_call", {"call_id": call_id}))["error"]["code"] == "call_not_found"
        outsider_offer = await m.event("voip_offer", {"call_id": call_id, "target_user_id": alice.id, "offer": OFFER})
        assert outsider_offer["error"]["code"] == "call_not_found"

        assert (await b.event("voip_join_call", {"call_id": call_id}))["data"]["event"] == "voip_call_joined"
        assert (await a.app_event("voip_user_joined"))["data"]["user"]["user_id"] == bob.id
        assert (await a.event("voip_offer", {"call_id": call_id, "target_user_id": bob.id, "offer": OFFER}))["success"]
        offer = await b.app_event("voip_offer")
        assert offer["data"] == {"call_id": call_id, "from_user_id": alice.id, "from_username": alice.username,
                                 "offer": OFFER}

        assert (await b.event("voip_leave_call", {"call_id": call_id}))["data"]["event"] == "voip_left_call"
        assert (await a.app_event("voip_user_left"))["data"]["user"]["user_id"] == bob.id
        await a.event("voip_leave_call", {"call_id": call_id})
    finally:
        await asyncio.to_thread(b.client.close)
        await a.stop()
        await m.stop()
