"""Messages of chat rooms through the HTTP API: send, history by anchor, edit, delete, reactions, search, one
message by id, the old topic chat, read state and unread counts; anonymous messages never carry their author."""

from __future__ import annotations

import json

from tests.functions.messages.conftest import build_room, code, forget_chat_limits
from tests.support.communities import create_topic, everyone, ok


def send(api, room_id, user, content="hello", **fields):
    return ok(api.post(f"/api/chat-rooms/{room_id}/messages", json={"content": content, **fields},
                       headers=user.headers), 201)


def history(api, room_id, user, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return ok(api.get(f"/api/chat-rooms/{room_id}/messages?{params}", headers=user.headers if user else {}))


def test_history_pages_by_anchor_both_ways(host, api, public, people):
    chat = build_room(host, public)
    member = people.member
    sent = [send(api, chat.id, member, f"m{i}") for i in range(7)]
    assert [m["seq"] for m in sent] == list(range(1, 8))
    newest = history(api, chat.id, member, limit=3)
    assert [m["content"] for m in newest["items"]] == ["m4", "m5", "m6"]
    assert newest["has_older"] and not newest["has_newer"]
    older = history(api, chat.id, member, limit=3, before=newest["items"][0]["id"])
    assert [m["content"] for m in older["items"]] == ["m1", "m2", "m3"] and older["has_older"] and older["has_newer"]
    oldest = history(api, chat.id, member, limit=3, before=older["items"][0]["id"])
    assert [m["content"] for m in oldest["items"]] == ["m0"] and not oldest["has_older"] and oldest["has_newer"]
    after = history(api, chat.id, member, limit=2, after=sent[0]["id"])
    assert [m["content"] for m in after["items"]] == ["m1", "m2"] and after["has_older"] and after["has_newer"]
    around = history(api, chat.id, member, limit=4, around=sent[3]["id"])
    assert [m["content"] for m in around["items"]] == ["m1", "m2", "m3", "m4"]
    assert around["has_older"] and around["has_newer"]
    both = history(api, chat.id, member, limit=3, before=sent[1]["id"], after=sent[3]["id"])
    assert [m["content"] for m in both["items"]] == ["m0"]  # one anchor: around, else before, else after
    foreign = api.get(f"/api/chat-rooms/{chat.id}/messages?before={public.id}_general_m0000000001",
                      headers=member.headers)
    assert foreign.status_code == 404


def test_send_rules_reply_and_gif_hosts(host, api, public, people):
    chat = build_room(host, public)
    member = people.member
    first = send(api, chat.id, member)
    reply = send(api, chat.id, people.moderator, "re", reply_to=first["id"])
    assert reply["reply_to"] == first["id"] and reply["author"]["id"] == people.moderator.id
    too_long = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "x" * 2001}, headers=member.headers)
    assert too_long.status_code == 422
    gif = ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"gif_url": "https://media.tenor.com/a.gif"},
                      headers=member.headers), 201)
    assert gif["gif_url"] == "https://media.tenor.com/a.gif" and gif["content"] is None
    elsewhere = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"gif_url": "https://evil.example/a.gif"},
                         headers=member.headers)
    assert elsewhere.status_code == 422 and code(elsewhere) == "gif_host_not_allowed"
    document = api.get("/api/openapi.json").json()
    gif = document["components"]["schemas"]["MessageCreate"]["properties"]["gif_url"]
    assert "media\\.tenor\\.com" in gif["pattern"]  # the document says which hosts
    assert api.post(f"/api/chat-rooms/{chat.id}/messages", json={}, headers=member.headers).status_code == 422
    missing = api.post(f"/api/chat-rooms/{chat.id}/messages",
                       json={"content": "x", "reply_to": f"{chat.id}_m0000009999"}, headers=member.headers)
    assert missing.status_code == 404
    banned = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "x"}, headers=people.banned.headers)
    assert banned.status_code == 403 and code(banned) == "banned_from_room"
    assert api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "x"}).status_code == 401


def test_edit_keeps_history_and_delete_unsends_or_removes(host, api, public, people):
    chat = build_room(host, public)
    member, mod = people.member, people.moderator
    message = send(api, chat.id, member, "first")
    edited = ok(api.patch(f"/api/chat-rooms/{chat.id}/messages/{message['id']}", json={"content": "second"},
                          headers=member.headers))
    assert edited["content"] == "second" and edited["edit_count"] == 1 and edited["edited_at"]
    assert code(api.patch(f"/api/chat-rooms/{chat.id}/messages/{message['id']}", json={"content": "x"},
                          headers=mod.headers)) == "not_author"

    def revisions():
        from shared.domain.chat.documents import revision_docs

        async def read():
            return await revision_docs.find(chat.id, f"{message['id']}.v1")

        return host.run(read)

    assert revisions()["content"] == "first"
    # a moderator removes someone else's message only with a reason, which goes to the log
    no_reason = api.delete(f"/api/chat-rooms/{chat.id}/messages/{message['id']}", headers=mod.headers)
    assert no_reason.status_code == 422 and code(no_reason) == "reason_required"
    other = send(api, chat.id, people.spares[0], "x")
    assert code(api.delete(f"/api/chat-rooms/{chat.id}/messages/{other['id']}",
                           headers=member.headers)) == "not_author"
    removed = ok(api.delete(f"/api/chat-rooms/{chat.id}/messages/{message['id']}?reason=rude", headers=mod.headers))
    assert removed["state"] == "removed" and removed["content"] is None
    unsent = ok(api.delete(f"/api/chat-rooms/{chat.id}/messages/{other['id']}", headers=people.spares[0].headers))
    assert unsent["state"] == "deleted"
    page = history(api, chat.id, member)
    assert [(m["state"], m["content"]) for m in page["items"][-2:]] == [("removed", None), ("deleted", None)]

    def log():
        from shared.domain.chat.documents import room_log_docs
        from shared.ports import Query

        async def read():
            return (await room_log_docs.query(Query(), pk=chat.id)).items

        return host.run(read)

    removals = [e for e in log() if e["action"] == "message_removed"]
    assert removals and removals[0]["reason"] == "rude" and removals[0]["message_id"] == message["id"]


def test_reactions_search_and_get_by_id(host, api, public, people):
    chat = build_room(host, public, public=False)
    member = people.member
    message = send(api, chat.id, member, "The Quick brown fox (a.*b)")
    send(api, chat.id, member, "nothing here")
    url = f"/api/chat-rooms/{chat.id}/messages/{message['id']}/reactions/👍"
    assert ok(api.put(url, headers=member.headers))["count"] == 1
    assert ok(api.put(url, headers=member.headers))["count"] == 1  # once per user and emoji
    assert ok(api.put(url, headers=people.moderator.headers))["count"] == 2
    got = ok(api.get(f"/api/messages/{message['id']}", headers=member.headers))
    assert got["reactions"] == [{"emoji": "👍", "count": 2}]
    assert ok(api.delete(url, headers=member.headers)) == {"message_id": message["id"], "emoji": "👍", "count": 1,
                                                           "reacted": False}
    found = ok(api.get(f"/api/chat-rooms/{chat.id}/messages/search?q=quick", headers=member.headers))
    assert [m["id"] for m in found["items"]] == [message["id"]]
    literal = ok(api.get(f"/api/chat-rooms/{chat.id}/messages/search?q=(a.*b)", headers=member.headers))
    assert [m["id"] for m in literal["items"]] == [message["id"]]
    assert ok(api.get(f"/api/chat-rooms/{chat.id}/messages/search?q=a.%2Az",
                      headers=member.headers))["items"] == []
    # a private room's message is not found for outsiders, by any path
    for who in (people.other.headers, {}):
        assert code(api.get(f"/api/messages/{message['id']}", headers=who)) == "message_not_found"
        assert api.get(f"/api/chat-rooms/{chat.id}/messages", headers=who).status_code == 404
        assert api.get(f"/api/chat-rooms/{chat.id}/messages/search?q=quick", headers=who).status_code == 404
    assert code(api.get("/api/messages/not-a-message", headers=member.headers)) == "message_not_found"


def test_the_old_topic_chat_is_the_general_conversation(host, api, public, people):
    forget_chat_limits(host, *everyone(people))
    sent = ok(api.post(f"/api/messages/topic/{public.id}", json={"content": "hi topic"},
                       headers=people.member.headers), 201)
    assert sent["conversation_id"] == f"{public.id}_general"
    page = ok(api.get(f"/api/messages/topic/{public.id}?limit=100"))
    assert sent["id"] in [m["id"] for m in page["items"]]
    same = history(api, f"{public.id}_general", None, limit=100)
    assert sent["id"] in [m["id"] for m in same["items"]]
    banned = api.post(f"/api/messages/topic/{public.id}", json={"content": "x"}, headers=people.banned.headers)
    assert banned.status_code == 403 and code(banned) == "banned_from_topic"


def test_anonymous_messages_never_carry_their_author(host, api, people):
    forget_chat_limits(host, *everyone(people))
    topic = create_topic(host, people.owner, settings={"allow_anonymous": True})
    rid = f"{topic['id']}_general"
    message = send(api, rid, people.member, "secret", use_anonymous=True)
    assert message["is_anonymous"] and message["author"] is None
    alias = message["display_name"]
    assert alias and alias != people.member.username
    for text in (json.dumps(message), api.get(f"/api/messages/{message['id']}").text,
                 api.get(f"/api/chat-rooms/{rid}/messages").text,
                 api.get(f"/api/chat-rooms/{rid}/messages/search?q=secret").text,
                 json.dumps(host.events(group=f"chat_room_{rid}"))):
        assert people.member.id not in text and people.member.username not in text
    events = [e for e in host.events(group=f"chat_room_{rid}", type="new_chat_room_message")
              if e["data"]["id"] == message["id"]]
    assert events and events[0]["data"]["display_name"] == alias
    group = ok(api.post("/api/chat-rooms/group", json={"name": f"g{message['seq']}{topic['id'][:8]}"},
                        headers=people.member.headers), 201)
    refused = api.post(f"/api/chat-rooms/{group['id']}/messages", json={"content": "x", "use_anonymous": True},
                       headers=people.member.headers)
    assert refused.status_code == 403 and code(refused) == "anonymous_not_allowed"


def test_read_state_and_unread_counts_in_lists(host, api, public, people):
    chat = build_room(host, public, kind="group")
    owner, member = people.owner, people.member
    sent = [send(api, chat.id, owner, f"n{i}") for i in range(4)]

    def unread(user):
        rooms = ok(api.get("/api/chat-rooms/group/list?limit=100", headers=user.headers))["items"]
        return next(r["unread_count"] for r in rooms if r["id"] == chat.id)

    assert unread(member) == 4
    state = ok(api.post(f"/api/chat-rooms/{chat.id}/read", json={"message_id": sent[1]["id"]},
                        headers=member.headers))
    assert state["unread_count"] == 2 and state["read_seq"] == 2
    assert unread(member) == 2
    ok(api.post(f"/api/chat-rooms/{chat.id}/read", json={"message_id": sent[0]["id"]}, headers=member.headers))
    assert unread(member) == 2  # never moves back
    assert ok(api.get(f"/api/chat-rooms/{chat.id}", headers=member.headers))["unread_count"] == 2
    foreign = api.post(f"/api/chat-rooms/{chat.id}/read", json={"message_id": f"{public.id}_general_m0000000001"},
                       headers=member.headers)
    assert foreign.status_code == 404


def test_reports_and_the_moderation_log(host, api, public, people):
    chat = build_room(host, public, public=False)
    message = send(api, chat.id, people.member, "report me")
    created = ok(api.post(f"/api/messages/{message['id']}/report", json={"reason": "rude words"},
                          headers=people.moderator.headers), 201)
    assert created["status"] == "open"
    again = api.post(f"/api/messages/{message['id']}/report", json={"reason": "rude words"},
                     headers=people.moderator.headers)
    assert again.status_code == 409 and code(again) == "already_reported"
    outsider = api.post(f"/api/messages/{message['id']}/report", json={"reason": "nosy"}, headers=people.other.headers)
    assert outsider.status_code == 404 and code(outsider) == "message_not_found"
    reports = ok(api.get(f"/api/chat-rooms/{chat.id}/reports", headers=people.owner.headers))["items"]
    assert [(r["message_id"], r["reporter"]["id"], r["excerpt"]) for r in reports] == [
        (message["id"], people.moderator.id, "report me")]
    assert code(api.get(f"/api/chat-rooms/{chat.id}/reports", headers=people.member.headers)) == "moderators_only"
    ok(api.delete(f"/api/chat-rooms/{chat.id}/messages/{message['id']}?reason=rude", headers=people.owner.headers))
    log = ok(api.get(f"/api/chat-rooms/{chat.id}/moderation-log", headers=people.moderator.headers))["items"]
    assert [e["action"] for e in log][:2] == ["message_removed", "ban"]  # newest first; build_room banned someone
    assert log[0]["reason"] == "rude" and log[0]["by"]["id"] == people.owner.id
    assert code(api.get(f"/api/chat-rooms/{chat.id}/moderation-log",
                        headers=people.member.headers)) == "moderators_only"


def test_the_purge_timer_removes_deleted_messages_after_their_time(host, api, public, people):
    chat = build_room(host, public)
    kept = send(api, chat.id, people.member, "kept")
    gone = send(api, chat.id, people.member, "gone")
    waiting = send(api, chat.id, people.member, "waiting")
    ok(api.put(f"/api/chat-rooms/{chat.id}/messages/{gone['id']}/reactions/👍", headers=people.member.headers))
    for message in (gone, waiting):
        ok(api.delete(f"/api/chat-rooms/{chat.id}/messages/{message['id']}", headers=people.member.headers))
    from shared import clock
    from shared.domain.chat.documents import message_docs, reaction_docs
    from shared.ports import Patch

    async def age():
        await message_docs.patch(chat.id, gone["id"], [Patch("set", "/permanent_delete_at",
                                                             clock.later_iso(days=-1))])

    host.run(age)
    host.run_timer("purge_deleted_chat_messages")
    ids = [m["id"] for m in history(api, chat.id, people.member, limit=100)["items"]]
    assert kept["id"] in ids and waiting["id"] in ids and gone["id"] not in ids

    async def reactions_left():
        return await reaction_docs.read_many([(gone["id"], "f09f918d:" + people.member.id)])

    assert host.run(reactions_left) == []
