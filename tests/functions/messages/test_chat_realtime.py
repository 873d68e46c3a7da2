"""Chat over real sockets on the dev host's hub (both stacks): join_chat_room / leave_chat_room and the generic
join, gated by the same access as HTTP; events after each write; removal (kick, ban, leave, room deleted, losing
the topic) takes a user's sockets out at once. The official clients (node @azure/web-pubsub-client and the Python
azure-messaging-webpubsubclient) receive new_chat_room_message after an HTTP send."""

from __future__ import annotations

import asyncio
import json
import queue
import shutil
from pathlib import Path

from tests.functions.messages.conftest import build_room
from tests.support.communities import build_world, ok
from tests.support.realtime import negotiate, socket_of

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("chat_client.mjs")
QUIET = 1.0  # seconds a socket must hear nothing


def post_message(api, room_id, user, content):
    return ok(api.post(f"/api/chat-rooms/{room_id}/messages", json={"content": content}, headers=user.headers), 201)


def test_members_hear_each_write_and_outsiders_are_refused(host, api, public):
    chat = build_room(host, public, public=False)
    p = chat.people

    async def scenario():
        async with socket_of(api, p.member) as member, socket_of(api, p.other) as outsider, \
                socket_of(api, p.moderator) as moderator:
            assert (await member.event("join_chat_room", {"room_id": chat.id}))["success"] is True
            assert (await moderator.event("join", {"group": f"chat_room_{chat.id}"}))["success"] is True
            refused = await outsider.event("join_chat_room", {"room_id": chat.id})
            assert refused["success"] is False and refused["error"]["code"] == "room_not_found"
            generic = await outsider.event("join", {"group": f"chat_room_{chat.id}"})
            assert generic["success"] is False
            message = await asyncio.to_thread(post_message, api, chat.id, p.owner, "hello sockets")
            heard = await member.app_event("new_chat_room_message")
            assert heard["data"]["id"] == message["id"] and heard["data"]["content"] == "hello sockets"
            assert (await moderator.app_event("new_chat_room_message"))["data"]["id"] == message["id"]
            await asyncio.to_thread(api.patch, f"/api/chat-rooms/{chat.id}/messages/{message['id']}",
                                    json={"content": "edited"}, headers=p.owner.headers)
            assert (await member.app_event("message_updated"))["data"]["content"] == "edited"
            await asyncio.to_thread(api.put, f"/api/chat-rooms/{chat.id}/messages/{message['id']}/reactions/👍",
                                    headers=p.member.headers)
            assert (await member.app_event("reaction_updated"))["data"]["count"] == 1
            await asyncio.to_thread(api.delete, f"/api/chat-rooms/{chat.id}/messages/{message['id']}",
                                    headers=p.owner.headers)
            assert (await member.app_event("message_deleted"))["data"]["message_id"] == message["id"]
            await asyncio.to_thread(api.put, f"/api/chat-rooms/{chat.id}/settings", json={"voip_enabled": False},
                                    headers=p.owner.headers)
            assert (await member.app_event("chat_room_updated"))["data"]["voip_enabled"] is False
            assert await outsider.heard_within(QUIET) == []
            # leaving the group by event: nothing more arrives
            assert (await moderator.event("leave_chat_room", {"room_id": chat.id}))["success"] is True
            await asyncio.to_thread(post_message, api, chat.id, p.owner, "after leaving")
            assert "new_chat_room_message" in await member.heard_within(QUIET)
            assert "new_chat_room_message" not in await moderator.heard_within(QUIET)
            return True

    assert asyncio.run(scenario())


def test_a_kicked_or_banned_member_hears_nothing_more(host, api, public):
    chat = build_room(host, public, public=False, spares=True)
    p = chat.people
    kicked, banned, stays = p.spares[0], p.spares[1], p.member

    async def scenario():
        async with socket_of(api, kicked) as k, socket_of(api, banned) as b, socket_of(api, stays) as s:
            for client in (k, b, s):
                assert (await client.event("join_chat_room", {"room_id": chat.id}))["success"] is True
            await asyncio.to_thread(api.post, f"/api/chat-rooms/{chat.id}/kick/{kicked.id}", headers=p.owner.headers)
            await asyncio.to_thread(api.post, f"/api/chat-rooms/{chat.id}/ban/{banned.id}", headers=p.owner.headers)
            for client in (k, b):  # they may hear their own removal, then nothing
                await client.heard_within(0.3)
            await asyncio.to_thread(post_message, api, chat.id, p.owner, "after the kick")
            assert "new_chat_room_message" in await s.heard_within(QUIET)
            assert await k.heard_within(QUIET) == [] and await b.heard_within(QUIET) == []
            again = await k.event("join_chat_room", {"room_id": chat.id})
            assert again["success"] is False
            return True

    assert asyncio.run(scenario())


def test_a_member_who_leaves_and_a_deleted_room_hear_nothing_more(host, api, public):
    chat = build_room(host, public, public=False, spares=True)
    p = chat.people
    leaver = p.spares[0]

    async def scenario():
        async with socket_of(api, leaver) as gone, socket_of(api, p.member) as member:
            for client in (gone, member):
                assert (await client.event("join_chat_room", {"room_id": chat.id}))["success"] is True
            ok(await asyncio.to_thread(api.post, f"/api/chat-rooms/{chat.id}/leave", headers=leaver.headers))
            await asyncio.to_thread(post_message, api, chat.id, p.owner, "after leaving")
            assert "new_chat_room_message" in await member.heard_within(QUIET)
            assert "new_chat_room_message" not in await gone.heard_within(QUIET)
            ok(await asyncio.to_thread(api.delete, f"/api/chat-rooms/{chat.id}", headers=p.owner.headers), 202)
            assert "chat_room_updated" in await member.heard_within(QUIET)
            # even a message written by a moderator's path no client may see any more reaches nobody
            from shared.domain import events

            await asyncio.to_thread(host.run, lambda: events.publish(f"chat_room_{chat.id}", "probe", {}))
            assert await member.heard_within(QUIET) == []
            return True

    assert asyncio.run(scenario())


def test_losing_the_topic_drops_its_conversations(host, api, people):
    world = build_world(host, people, private=True)
    general = f"{world.id}_general"
    member = people.member

    async def scenario():
        async with socket_of(api, member) as socket, socket_of(api, people.moderator) as other:
            assert (await socket.event("join_chat_room", {"room_id": general}))["success"] is True
            assert (await other.event("join_chat_room", {"room_id": general}))["success"] is True
            ok(await asyncio.to_thread(api.post, f"/api/topics/{world.id}/kick", json={"user_id": member.id},
                                       headers=people.owner.headers))
            await asyncio.to_thread(post_message, api, general, people.owner, "members only")
            assert "new_chat_room_message" in await other.heard_within(QUIET)
            assert "new_chat_room_message" not in await socket.heard_within(QUIET)
            return True

    assert asyncio.run(scenario())


def test_an_invitation_reaches_the_invitee(host, api, public):
    chat = build_room(host, public, kind="group")
    p = chat.people
    invitee = p.spares[3]

    async def scenario():
        async with socket_of(api, invitee) as socket:
            ok(await asyncio.to_thread(api.post, f"/api/chat-rooms/{chat.id}/invite", json={"user_id": invitee.id},
                                       headers=p.owner.headers), 201)
            event = await socket.app_event("chat_room_invitation")
            assert event["data"]["room_id"] == chat.id and event["data"]["inviter"]["id"] == p.owner.id
            return True

    assert asyncio.run(scenario())


# ---------------------------------------------------------------------------------------------------------
# the official clients


class NodeClient:
    def __init__(self, process):
        self.process = process

    @classmethod
    async def start(cls, url):
        process = await asyncio.create_subprocess_exec(
            shutil.which("node") or "node", str(SCRIPT), url, cwd=ROOT, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        client = cls(process)
        await client.until(lambda e: e["event"] == "started")
        return client

    async def next(self, timeout=15):
        line = await asyncio.wait_for(self.process.stdout.readline(), timeout)
        if not line:
            raise AssertionError(f"the node client exited: {(await self.process.stderr.read()).decode()[-2000:]}")
        event = json.loads(line)
        if event["event"] == "error":
            raise AssertionError(f"the node client failed: {event}")
        return event

    async def until(self, wanted, timeout=15):
        while True:
            event = await self.next(timeout)
            if wanted(event):
                return event

    async def heard(self, seconds):
        heard = []
        try:
            while True:
                heard.append(await self.next(seconds))
        except TimeoutError:
            return heard

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


def _answer(event):
    return event["event"] == "server-message" and isinstance(event["data"], dict) and "success" in event["data"]


def _app_event(event, kind):
    return event["event"] == "server-message" and isinstance(event["data"], dict) and event["data"].get("type") == kind


def test_the_node_client_hears_a_message_sent_over_http_and_an_outsider_is_refused(host, api, public):
    chat = build_room(host, public, public=False)
    p = chat.people

    async def scenario():
        member = await NodeClient.start(negotiate(api, p.member)["url"])
        outsider = await NodeClient.start(negotiate(api, p.other)["url"])
        try:
            await member.command(f"event join_chat_room {json.dumps({'room_id': chat.id})}")
            assert (await member.until(_answer))["data"]["success"] is True
            await outsider.command(f"event join_chat_room {json.dumps({'room_id': chat.id})}")
            assert (await outsider.until(_answer))["data"]["success"] is False
            message = await asyncio.to_thread(post_message, api, chat.id, p.owner, "to node")
            heard = await member.until(lambda e: _app_event(e, "new_chat_room_message"))
            assert heard["data"]["data"]["id"] == message["id"]
            assert not [e for e in await outsider.heard(QUIET) if e["event"] == "server-message"]
        finally:
            await member.stop()
            await outsider.stop()
        return True

    assert asyncio.run(scenario())


def test_the_python_client_hears_a_message_sent_over_http_and_an_outsider_is_refused(host, api, public):
    from azure.messaging.webpubsubclient import WebPubSubClient, WebPubSubClientCredential
    from azure.messaging.webpubsubclient.models import CallbackType, WebPubSubDataType

    chat = build_room(host, public, public=False)
    p = chat.people

    def client_of(user):
        url = negotiate(api, user)["url"]
        inbox: queue.Queue = queue.Queue()
        client = WebPubSubClient(credential=WebPubSubClientCredential(client_access_url_provider=lambda: url),
                                 message_retry_total=0, ack_timeout=5, start_timeout=10)
        client.subscribe(CallbackType.SERVER_MESSAGE, lambda e: inbox.put(e.data))
        client.open()
        return client, inbox

    def next_matching(inbox, wanted, timeout=10.0):
        while True:
            data = inbox.get(True, timeout)
            if isinstance(data, dict) and wanted(data):
                return data

    member, member_inbox = client_of(p.member)
    outsider, outsider_inbox = client_of(p.other)
    try:
        member.send_event("join_chat_room", {"room_id": chat.id}, WebPubSubDataType.JSON)
        assert next_matching(member_inbox, lambda d: "success" in d)["success"] is True
        outsider.send_event("join_chat_room", {"room_id": chat.id}, WebPubSubDataType.JSON)
        assert next_matching(outsider_inbox, lambda d: "success" in d)["success"] is False
        message = post_message(api, chat.id, p.owner, "to python")
        heard = next_matching(member_inbox, lambda d: d.get("type") == "new_chat_room_message")
        assert heard["data"]["id"] == message["id"]
        try:
            stray = outsider_inbox.get(True, QUIET)
        except queue.Empty:
            stray = None
        assert stray is None
    finally:
        member.close()
        outsider.close()
