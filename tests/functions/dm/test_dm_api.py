"""Direct messages through the HTTP API (both stacks): the lifecycle (send, idempotent retry, history by anchor,
list, edit, reactions, unsend, delete and restore for me, report, read up to a message, unread counts, mute,
hide), the block, ban and privacy rules, read receipts both ways and off, and the conversation list's store
calls constant in its size."""

from __future__ import annotations

import uuid

from tests.functions.dm.conftest import code, conversations, dm, events_for, history, pair
from tests.support.communities import ok
from tests.support.counting import count_store_calls
from tests.support.users import signup


def test_the_lifecycle_of_a_conversation(host, api):
    alice, bob = pair(host)
    first = dm(api, alice, bob, "hi bob")
    assert first["conversation_id"] == "dm_" + "_".join(sorted((alice.id, bob.id)))
    assert first["author"]["id"] == alice.id and first["content"] == "hi bob"
    # an idempotent retry answers the same message
    headers = {**alice.headers, "Idempotency-Key": f"dm-{uuid.uuid4().hex}"}
    body = {"to_user_id": bob.id, "content": "once"}
    once = ok(api.post("/api/messages/private", json=body, headers=headers), 201)
    again = ok(api.post("/api/messages/private", json=body, headers=headers), 201)
    assert once["id"] == again["id"]
    reply = dm(api, bob, alice, "hi alice", reply_to=first["id"])
    assert reply["reply_to"] == first["id"]
    # both sides see the same history, oldest first, with anchors
    seen = history(api, bob, alice)
    assert [m["content"] for m in seen["items"]] == ["hi bob", "once", "hi alice"]
    assert history(api, alice, bob) == seen
    older = history(api, bob, alice, before=reply["id"], limit=1)
    assert [m["content"] for m in older["items"]] == ["once"] and older["has_older"] and older["has_newer"]
    assert [m["id"] for m in history(api, bob, alice, after=first["id"])["items"]] == [once["id"], reply["id"]]
    same = ok(api.get(f"/api/users/private-messages/{alice.id}", headers=bob.headers))
    assert same == seen
    # a stranger sees none of it
    eve = signup(host)
    assert history(api, eve, alice)["items"] == []
    assert api.patch(f"/api/messages/private/{first['id']}", json={"content": "x"},
                     headers=eve.headers).status_code == 404
    assert api.put(f"/api/messages/private/{first['id']}/reactions/👍", headers=eve.headers).status_code == 404
    assert api.post(f"/api/messages/private/{first['id']}/read", headers=eve.headers).status_code == 404
    assert api.get(f"/api/messages/{first['id']}", headers=eve.headers).status_code == 404
    # the lists: bob has 2 unread, alice none; the partner and last message come from the summary
    [bob_side] = conversations(api, bob)
    assert bob_side["other_user_id"] == alice.id and bob_side["other_user"]["username"] == alice.username
    assert bob_side["unread_count"] == 2 and bob_side["last_message"]["id"] == reply["id"]
    assert bob_side["last_message"]["is_from_me"] is True
    [alice_side] = ok(api.get("/api/users/private-messages/conversations", headers=alice.headers))["items"]
    assert alice_side["unread_count"] == 1 and alice_side["last_message"]["is_from_me"] is False
    # edit (with history kept by chat), reactions, unsend
    edited = ok(api.patch(f"/api/messages/private/{first['id']}", json={"content": "hi bob!"}, headers=alice.headers))
    assert edited["content"] == "hi bob!" and edited["edit_count"] == 1
    assert code(api.patch(f"/api/messages/private/{first['id']}", json={"content": "x"},
                          headers=bob.headers)) == "not_author"
    reacted = ok(api.put(f"/api/messages/private/{first['id']}/reactions/👍", headers=bob.headers))
    assert reacted == {"message_id": first["id"], "emoji": "👍", "count": 1, "reacted": True}
    assert events_for(host, alice, "reaction_updated")[-1]["count"] == 1
    assert events_for(host, bob, "reaction_updated")[-1]["count"] == 1
    assert api.post(f"/api/messages/private/{reply['id']}/unsend", headers=alice.headers).status_code == 403
    unsent = ok(api.post(f"/api/messages/private/{reply['id']}/unsend", headers=bob.headers))
    assert unsent["state"] == "deleted" and unsent["content"] is None
    assert history(api, alice, bob)["items"][-1]["content"] is None
    assert conversations(api, alice)[0]["last_message"]["preview"] is None
    assert events_for(host, alice, "message_deleted")[-1]["message_id"] == reply["id"]
    # events: the recipient heard new_private_message, the sender's other connections private_message_sent
    assert first["id"] in [e["id"] for e in events_for(host, bob, "new_private_message")]
    assert first["id"] in [e["id"] for e in events_for(host, alice, "private_message_sent")]
    assert events_for(host, bob, "message_updated")[-1]["content"] == "hi bob!"


def test_delete_for_me_restore_report_mute_hide_and_unread(host, api):
    alice, bob = pair(host)
    sent = [dm(api, alice, bob, f"m{i}") for i in range(4)]
    assert ok(api.get("/api/users/private-messages/unread-count", headers=bob.headers)) == \
        {"unread_count": 4, "conversations": 1}
    # read up to the second: it and the first are read
    read = ok(api.post(f"/api/messages/private/{sent[1]['id']}/read", headers=bob.headers))
    assert read["up_to_message_id"] == sent[1]["id"] and read["unread_count"] == 2
    assert ok(api.get("/api/messages/private/unread-count", headers=bob.headers))["unread_count"] == 2
    # reading an earlier one never moves the marker back
    assert ok(api.post(f"/api/messages/private/{sent[0]['id']}/read", headers=bob.headers))["read_seq"] == 2
    assert ok(api.post(f"/api/users/private-messages/{alice.id}/read", headers=bob.headers))["unread_count"] == 0
    assert conversations(api, bob)[0]["unread_count"] == 0
    # delete for me: gone from my history only, listed, restorable
    ok(api.post(f"/api/users/private-messages/{sent[2]['id']}/delete-for-me", headers=bob.headers))
    assert sent[2]["id"] not in [m["id"] for m in history(api, bob, alice)["items"]]
    assert sent[2]["id"] in [m["id"] for m in history(api, alice, bob)["items"]]
    deleted = ok(api.get("/api/users/private-messages/deleted", headers=bob.headers))["items"]
    assert [m["id"] for m in deleted] == [sent[2]["id"]]
    ok(api.post(f"/api/users/private-messages/{sent[2]['id']}/restore-for-me", headers=bob.headers))
    assert sent[2]["id"] in [m["id"] for m in history(api, bob, alice)["items"]]
    ok(api.delete(f"/api/messages/private/{sent[3]['id']}", headers=bob.headers))  # soft: for me
    assert sent[3]["id"] not in [m["id"] for m in history(api, bob, alice)["items"]]
    # report: the partner's message only, once
    report = ok(api.post(f"/api/messages/private/{sent[0]['id']}/report", json={"reason": "rude words"},
                         headers=bob.headers), 201)
    assert report["message_id"] == sent[0]["id"] and report["status"] == "open"
    own = api.post(f"/api/messages/private/{sent[0]['id']}/report", json={"reason": "rude words"},
                   headers=alice.headers)
    assert own.status_code == 403 and code(own) == "own_message"
    # mute, unmute; hide takes it off my list until something new arrives
    muted = ok(api.post(f"/api/users/private-messages/{alice.id}/mute", json={"minutes": 30}, headers=bob.headers))
    assert muted["is_muted"] is True and conversations(api, bob)[0]["is_muted"] is True
    ok(api.post(f"/api/users/private-messages/{alice.id}/mute", json={"minutes": 0}, headers=bob.headers))
    assert conversations(api, bob)[0]["is_muted"] is False
    ok(api.delete(f"/api/users/private-messages/{alice.id}", headers=bob.headers))
    assert conversations(api, bob) == [] and len(conversations(api, alice)) == 1
    dm(api, alice, bob, "still there?")
    assert len(conversations(api, bob)) == 1
    stranger = signup(host)
    assert api.post(f"/api/users/private-messages/{stranger.id}/mute", json={},
                    headers=bob.headers).status_code == 404


def test_a_self_conversation(host, api):
    me = signup(host)
    note = dm(api, me, me, "note to self")
    assert note["conversation_id"] == f"dm_{me.id}_{me.id}"
    [side] = conversations(api, me)
    assert side["other_user_id"] == me.id and side["unread_count"] == 0
    assert [m["content"] for m in history(api, me, me)["items"]] == ["note to self"]


def test_blocks_either_way_are_one_neutral_refusal(host, api):
    alice, bob = pair(host)
    first = dm(api, alice, bob)
    ok(api.post(f"/api/users/{bob.id}/block", headers=alice.headers), 201)
    by_blocker = api.post("/api/messages/private", json={"to_user_id": bob.id, "content": "x"}, headers=alice.headers)
    by_blocked = api.post("/api/messages/private", json={"to_user_id": alice.id, "content": "x"}, headers=bob.headers)
    assert by_blocker.status_code == by_blocked.status_code == 403
    assert by_blocker.json()["error"] == by_blocked.json()["error"]
    assert code(by_blocked) == "cannot_message"
    assert code(api.put(f"/api/messages/private/{first['id']}/reactions/👍", headers=bob.headers)) == "cannot_message"
    assert code(api.patch(f"/api/messages/private/{first['id']}", json={"content": "x"},
                          headers=alice.headers)) == "cannot_message"
    # the history stays readable, and an unsend still works
    assert len(history(api, bob, alice)["items"]) == 1
    ok(api.post(f"/api/messages/private/{first['id']}/unsend", headers=alice.headers))
    ok(api.delete(f"/api/users/{bob.id}/block", headers=alice.headers), 204)
    dm(api, bob, alice, "friends again")


def test_banned_accounts_cannot_send_or_be_written_to(host, api):
    admin = signup(host, admin=True)
    alice, bob = pair(host)
    dm(api, alice, bob)
    ok(api.post(f"/api/admin/users/{bob.id}/ban", json={"reason": "spamming people"}, headers=admin.headers))
    to_banned = api.post("/api/messages/private", json={"to_user_id": bob.id, "content": "x"}, headers=alice.headers)
    assert to_banned.status_code == 404 and code(to_banned) == "user_not_found"
    from_banned = api.post("/api/messages/private", json={"to_user_id": alice.id, "content": "x"},
                           headers=bob.headers)
    assert from_banned.status_code == 401  # a ban ends every session
    nobody = api.post("/api/messages/private", json={"to_user_id": uuid.uuid4().hex, "content": "x"},
                      headers=alice.headers)
    assert nobody.status_code == 404 and code(nobody) == "user_not_found"
    assert conversations(api, alice)[0]["other_user"] is None  # a banned partner shows no card


def test_who_may_start_a_conversation(host, api):
    alice, bob, carol = signup(host), signup(host), signup(host)
    dm(api, carol, bob, "before")
    settings = ok(api.put("/api/messages/private-settings", json={"allow_messages_from": "nobody"},
                          headers=bob.headers))
    assert settings == {"allow_messages_from": "nobody", "read_receipts": True}
    assert ok(api.get("/api/messages/private-settings", headers=bob.headers)) == settings
    refused = api.post("/api/messages/private", json={"to_user_id": bob.id, "content": "x"}, headers=alice.headers)
    assert refused.status_code == 403 and code(refused) == "cannot_message"
    dm(api, carol, bob, "a conversation already started goes on")
    dm(api, bob, alice, "bob may still start one himself")
    dm(api, alice, bob, "and now alice may answer")


def test_read_receipts_both_ways_and_off(host, api):
    alice, bob = pair(host)
    to_bob = dm(api, alice, bob, "read me")
    ok(api.post(f"/api/messages/private/{to_bob['id']}/read", headers=bob.headers))
    [receipt] = events_for(host, alice, "messages_read")
    assert receipt["conversation_id"] == to_bob["conversation_id"] and receipt["up_to_message_id"] == to_bob["id"]
    assert receipt["read_at"] and receipt["reader_id"] == bob.id
    assert conversations(api, alice)[0]["partner_read_up_to"] == to_bob["id"]
    to_alice = dm(api, bob, alice, "and me")
    ok(api.post(f"/api/messages/private/{to_alice['id']}/read", headers=alice.headers))
    assert events_for(host, bob, "messages_read")[-1]["up_to_message_id"] == to_alice["id"]
    assert conversations(api, bob)[0]["partner_read_up_to"] == to_alice["id"]
    # alice turns receipts off: neither side sees the other's any more
    ok(api.put("/api/messages/private-settings", json={"read_receipts": False}, headers=alice.headers))
    late = dm(api, alice, bob, "unseen receipt")
    ok(api.post(f"/api/messages/private/{late['id']}/read", headers=bob.headers))
    assert len(events_for(host, alice, "messages_read")) == 1
    back = dm(api, bob, alice, "yours too")
    ok(api.post(f"/api/messages/private/{back['id']}/read", headers=alice.headers))
    assert len(events_for(host, bob, "messages_read")) == 1
    assert conversations(api, alice)[0]["partner_read_up_to"] is None


def test_the_conversation_list_costs_the_same_at_any_size(host, api):
    me = signup(host)

    def calls_for_list():
        with count_store_calls(host) as calls:
            conversations(api, me, limit=50)
        return calls.total, calls.summary()

    partners = [signup(host) for _ in range(12)]
    dm(api, partners[0], me)
    small, small_summary = calls_for_list()
    for partner in partners[1:]:
        dm(api, partner, me)
        dm(api, me, partner)
    assert len(conversations(api, me, limit=50)) == 12
    large, large_summary = calls_for_list()
    assert small == large, (small_summary, large_summary)
    assert "messages" not in large_summary  # the summaries only, never the messages
    page = ok(api.get("/api/messages/private/conversations", params={"limit": 5}, headers=me.headers))
    rest = ok(api.get("/api/messages/private/conversations", params={"limit": 50, "cursor": page["next_cursor"]},
                      headers=me.headers))
    assert len(page["items"]) == 5 and len(rest["items"]) == 7
    assert api.get("/api/messages/private/conversations", params={"cursor": "forged"},
                   headers=me.headers).status_code == 400
