"""Mentions in room messages: one notification per mentioned member (never twice, never to outsiders, honouring
mutes and blocks), the room's mention_count for them until they read; `@everyone` in private rooms from the owner
or a moderator; anonymous authors stay anonymous in the notification."""

from __future__ import annotations

import json

from tests.functions.messages.conftest import build_room, forget_chat_limits
from tests.support.communities import create_topic, everyone, ok


def mentions_of(api, user, message_id):
    items = ok(api.get("/api/notifications?limit=100", headers=user.headers))["items"]
    return [n for n in items if n["id"] == f"mention_{message_id}"]


def mention_count(api, user, room_id):
    return ok(api.get(f"/api/chat-rooms/{room_id}", headers=user.headers))["mention_count"]


def test_a_mentioned_member_is_notified_once_and_counted_until_they_read(host, api, public):
    chat = build_room(host, public, public=False, spares=True)
    p = chat.people
    muted, blocker = p.spares[0], p.spares[1]
    ok(api.post(f"/api/chat-rooms/{chat.id}/mute", json={"minutes": -1}, headers=muted.headers))
    ok(api.post(f"/api/users/{p.member.id}/block", headers=blocker.headers), 201)
    text = (f"hi @{p.moderator.username} @{p.moderator.username.upper()} @{p.other.username} "
            f"@{muted.username} @{blocker.username} @{p.member.username}")
    message = ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": text}, headers=p.member.headers),
                 201)
    notified = mentions_of(api, p.moderator, message["id"])
    assert len(notified) == 1 and notified[0]["data"] == {"room_id": chat.id, "message_id": message["id"]}
    assert notified[0]["actor"]["user_id"] == p.member.id
    for nobody in (p.other, muted, blocker, p.member):  # not a member, muted, blocked the author, the author
        assert mentions_of(api, nobody, message["id"]) == []
    assert mention_count(api, p.moderator, chat.id) == 1
    ok(api.post(f"/api/chat-rooms/{chat.id}/read", json={"message_id": message["id"]}, headers=p.moderator.headers))
    assert mention_count(api, p.moderator, chat.id) == 0


def test_everyone_is_for_owners_and_moderators_of_private_rooms(host, api, public):
    chat = build_room(host, public, kind="group", spares=True)
    p = chat.people
    by_member = ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "@everyone look"},
                            headers=p.member.headers), 201)
    assert mentions_of(api, p.spares[0], by_member["id"]) == []
    by_owner = ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "@everyone look"},
                           headers=p.owner.headers), 201)
    for user in (p.member, p.moderator, *p.spares):
        assert len(mentions_of(api, user, by_owner["id"])) == 1
    assert mentions_of(api, p.owner, by_owner["id"]) == []
    public_room = build_room(host, public, public=True, spares=True)
    in_public = ok(api.post(f"/api/chat-rooms/{public_room.id}/messages", json={"content": "@everyone look"},
                            headers=p.owner.headers), 201)
    assert mentions_of(api, p.member, in_public["id"]) == []


def test_an_anonymous_author_stays_anonymous_in_the_mention(host, api, people):
    forget_chat_limits(host, *everyone(people))
    topic = create_topic(host, people.owner, settings={"allow_anonymous": True})
    rid = f"{topic['id']}_general"
    ok(api.post(f"/api/chat-rooms/{rid}/join", headers=people.moderator.headers))
    message = ok(api.post(f"/api/chat-rooms/{rid}/messages",
                          json={"content": f"psst @{people.moderator.username}", "use_anonymous": True},
                          headers=people.member.headers), 201)
    notified = mentions_of(api, people.moderator, message["id"])
    assert len(notified) == 1 and notified[0]["actor"]["anonymous"] is True
    assert notified[0]["actor"]["user_id"] is None
    text = json.dumps(notified)
    assert people.member.id not in text and people.member.username not in text


def test_followers_hear_of_a_busy_room_once_per_window(host, api, public):
    chat = build_room(host, public, public=False, spares=True)
    p = chat.people
    ok(api.post(f"/api/chat-rooms/{chat.id}/mute", json={"minutes": -1}, headers=p.spares[0].headers))
    assert api.post(f"/api/users/{p.member.id}/block", headers=p.spares[1].headers).status_code in (200, 201, 409)
    for i in range(3):
        ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": f"busy {i}"}, headers=p.member.headers),
           201)

    def room_notices(user):
        items = ok(api.get("/api/notifications?limit=100", headers=user.headers))["items"]
        return [n for n in items if n["type"] == "chatroom_message" and n["data"].get("room_id") == chat.id]

    for follower in (p.owner, p.moderator, p.spares[2], p.spares[3]):
        notices = room_notices(follower)
        assert len(notices) == 1 and notices[0]["message"] == "busy 0", notices
    assert room_notices(p.spares[0]) == []  # muted the room
    assert room_notices(p.spares[1]) == []  # blocked the author
    assert room_notices(p.member) == []  # the author
    assert room_notices(p.other) == []  # no member
