"""Chat rooms through the HTTP API: topic conversations and group chats, their lifecycle, membership, moderation,
invitations, settings and mutes; private rooms invisible to outsiders, lists included."""

from __future__ import annotations

import pytest

from tests.functions.messages.conftest import build_room, code, forget_chat_limits, room_name
from tests.support.communities import everyone, ok


def test_a_topic_has_a_built_in_general_conversation_listed_first(api, public):
    rooms = ok(api.get(f"/api/chat-rooms/topics/{public.id}/conversations"))["items"]
    assert rooms[0]["id"] == f"{public.id}_general" and rooms[0]["built_in"] and rooms[0]["name"] == "general"
    room = ok(api.get(f"/api/chat-rooms/{public.id}_general"))
    assert room["kind"] == "topic" and room["is_public"] and room["topic_id"] == public.id


def test_conversation_lifecycle(host, api, public, people):
    forget_chat_limits(host, *everyone(people))
    owner, member = people.owner, people.member
    name = room_name()
    room = ok(api.post(f"/api/chat-rooms/topics/{public.id}/conversations",
                       json={"name": name, "description": "d", "tags": ["x"]}, headers=member.headers), 201)
    assert room["role"] == "owner" and room["member_count"] == 1 and room["user_is_member"]
    again = api.post(f"/api/chat-rooms/topics/{public.id}/conversations", json={"name": name.upper()},
                     headers=owner.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "room_name_taken"
    general = api.post(f"/api/chat-rooms/topics/{public.id}/conversations", json={"name": "General"},
                       headers=owner.headers)
    assert general.status_code == 409
    rid = room["id"]
    joined = ok(api.post(f"/api/chat-rooms/{rid}/join", headers=people.other.headers))
    assert joined == {"room_id": rid, "status": "joined", "member_count": 2}
    assert ok(api.post(f"/api/chat-rooms/{rid}/join", headers=people.other.headers))["status"] == "already_member"
    members = ok(api.get(f"/api/chat-rooms/{rid}/members?limit=1", headers=member.headers))
    assert len(members["items"]) == 1 and members["next_cursor"]
    rest = ok(api.get(f"/api/chat-rooms/{rid}/members?limit=1&cursor={members['next_cursor']}",
                      headers=member.headers))
    assert [m["user"]["id"] for m in members["items"] + rest["items"]] == [member.id, people.other.id]
    renamed = ok(api.patch(f"/api/chat-rooms/{rid}", json={"name": name + " 2"}, headers=member.headers))
    assert renamed["name"] == name + " 2"
    # the old name is free again
    reused = ok(api.post(f"/api/chat-rooms/topics/{public.id}/conversations", json={"name": name},
                         headers=owner.headers), 201)
    assert reused["name"] == name
    assert code(api.post(f"/api/chat-rooms/{rid}/leave", headers=member.headers)) == "owner_cannot_leave"
    left = ok(api.post(f"/api/chat-rooms/{rid}/leave", headers=people.other.headers))
    assert left["status"] == "left" and left["member_count"] == 1
    settings = ok(api.put(f"/api/chat-rooms/{rid}/settings", json={"voip_enabled": False}, headers=member.headers))
    assert settings["voip_enabled"] is False
    deleted = ok(api.delete(f"/api/chat-rooms/{rid}", headers=member.headers), 202)
    assert deleted["status"] == "pending_deletion"
    assert api.get(f"/api/chat-rooms/{rid}", headers=member.headers).status_code == 404
    assert ok(api.get(f"/api/chat-rooms/{rid}", headers=people.admin.headers))["status"] == "pending_deletion"
    listed = ok(api.get(f"/api/chat-rooms/topics/{public.id}/conversations?limit=100", headers=member.headers))
    assert rid not in [r["id"] for r in listed["items"]]


def test_private_rooms_are_invisible_to_outsiders_lists_included(host, api, public):
    chat = build_room(host, public, public=False)
    p = chat.people
    for who in (p.other, None):
        headers = who.headers if who else {}
        assert api.get(f"/api/chat-rooms/{chat.id}", headers=headers).json()["error"]["code"] == "room_not_found"
        listed = ok(api.get(f"/api/chat-rooms/topics/{public.id}/conversations?limit=100", headers=headers))
        assert chat.id not in [r["id"] for r in listed["items"]]
    assert api.post(f"/api/chat-rooms/{chat.id}/join", headers=p.other.headers).status_code == 404
    listed = ok(api.get(f"/api/chat-rooms/topics/{public.id}/conversations?limit=100", headers=p.member.headers))
    assert chat.id in [r["id"] for r in listed["items"]]
    assert chat.id in [r["id"] for r in ok(api.get(f"/api/chat-rooms/topics/{public.id}/conversations?limit=100",
                                                   headers=p.admin.headers))["items"]]


def test_a_private_topic_hides_its_conversations(host, api, private, people):
    outsider = people.other
    assert api.get(f"/api/chat-rooms/topics/{private.id}/conversations",
                   headers=outsider.headers).json()["error"]["code"] == "topic_not_found"
    assert api.get(f"/api/chat-rooms/{private.id}_general", headers=outsider.headers).status_code == 404
    assert ok(api.get(f"/api/chat-rooms/{private.id}_general", headers=people.member.headers))["built_in"]


def test_group_chats_invitations_and_the_group_list(host, api, people):
    forget_chat_limits(host, *everyone(people))
    owner, invitee = people.owner, people.spares[0]
    name = room_name("Group")
    group = ok(api.post("/api/chat-rooms/group", json={"name": name, "invited_users": [invitee.id, "nobody_here"]},
                        headers=owner.headers), 201)
    assert group["kind"] == "group" and not group["is_public"]
    taken = api.post("/api/chat-rooms/group", json={"name": name.lower()}, headers=people.member.headers)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "room_name_taken"
    assert api.get(f"/api/chat-rooms/{group['id']}", headers=invitee.headers).status_code == 404
    invitations = ok(api.get("/api/chat-rooms/invitations", headers=invitee.headers))["items"]
    mine = [i for i in invitations if i["room_id"] == group["id"]]
    assert mine and mine[0]["inviter"]["id"] == owner.id and mine[0]["room_name"] == name
    accepted = ok(api.post(f"/api/chat-rooms/invitations/{mine[0]['id']}/accept", headers=invitee.headers))
    assert accepted["status"] == "accepted"
    assert api.post(f"/api/chat-rooms/invitations/{mine[0]['id']}/accept",
                    headers=invitee.headers).json()["error"]["code"] == "invitation_answered"
    groups = ok(api.get("/api/chat-rooms/group/list", headers=invitee.headers))["items"]
    assert group["id"] in [g["id"] for g in groups]
    # decline
    ok(api.post(f"/api/chat-rooms/{group['id']}/invite", json={"username": people.spares[1].username},
                headers=owner.headers), 201)
    declined = ok(api.post(f"/api/chat-rooms/invitations/rinv_{group['id']}/decline",
                           headers=people.spares[1].headers))
    assert declined["status"] == "declined"
    assert api.get(f"/api/chat-rooms/{group['id']}", headers=people.spares[1].headers).status_code == 404
    already = api.post(f"/api/chat-rooms/{group['id']}/invite", json={"user_id": invitee.id}, headers=owner.headers)
    assert already.json()["error"]["code"] == "already_member"
    unknown = api.post(f"/api/chat-rooms/{group['id']}/invite", json={"user_id": "no-such-user"},
                       headers=owner.headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "user_not_found"


def test_bans_are_checked_on_join_and_kicks_remove_members(host, api, public):
    chat = build_room(host, public, public=True)
    p = chat.people
    target = p.spares[2]
    ok(api.post(f"/api/chat-rooms/{chat.id}/join", headers=target.headers))
    kicked = ok(api.post(f"/api/chat-rooms/{chat.id}/kick/{target.id}", headers=p.moderator.headers))
    assert kicked["status"] == "kicked"
    assert not ok(api.get(f"/api/chat-rooms/{chat.id}", headers=target.headers))["user_is_member"]
    ok(api.post(f"/api/chat-rooms/{chat.id}/join", headers=target.headers))  # a kick is no ban
    ok(api.post(f"/api/chat-rooms/{chat.id}/ban/{target.id}", headers=p.moderator.headers))
    refused = api.post(f"/api/chat-rooms/{chat.id}/join", headers=target.headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "banned_from_room"
    assert api.get(f"/api/chat-rooms/{chat.id}", headers=target.headers).json()["error"]["code"] == "banned_from_room"
    ok(api.post(f"/api/chat-rooms/{chat.id}/unban/{target.id}", headers=p.moderator.headers))
    ok(api.post(f"/api/chat-rooms/{chat.id}/join", headers=target.headers))
    # moderators cannot act on the owner, nor on each other
    assert api.post(f"/api/chat-rooms/{chat.id}/ban/{p.owner.id}",
                    headers=p.moderator.headers).json()["error"]["code"] == "outranked"
    ok(api.post(f"/api/chat-rooms/{chat.id}/moderators", json={"user_id": target.id}, headers=p.owner.headers))
    assert api.post(f"/api/chat-rooms/{chat.id}/kick/{target.id}",
                    headers=p.moderator.headers).json()["error"]["code"] == "outranked"
    ok(api.delete(f"/api/chat-rooms/{chat.id}/moderators/{target.id}", headers=p.owner.headers))
    assert api.delete(f"/api/chat-rooms/{chat.id}/moderators/{target.id}",
                      headers=p.owner.headers).json()["error"]["code"] == "moderator_not_found"


@pytest.mark.parametrize(("minutes", "muted", "until"), [(-1, True, False), (30, True, True), (0, False, False)])
def test_mute_and_unmute(api, public, people, minutes, muted, until):
    rid = f"{public.id}_general"
    state = ok(api.post(f"/api/chat-rooms/{rid}/mute", json={"minutes": minutes}, headers=people.member.headers))
    assert state["is_muted"] is muted and (state["muted_until"] is not None) is until
    room = ok(api.get(f"/api/chat-rooms/{rid}", headers=people.member.headers))
    assert room["is_muted"] is muted
    ok(api.post(f"/api/chat-rooms/{rid}/unmute", headers=people.member.headers))
    assert not ok(api.get(f"/api/chat-rooms/{rid}", headers=people.member.headers))["is_muted"]


def test_administrators_review_deletions_and_the_timer_purges_approved_ones(host, api, public, people):
    admin = people.admin
    rejected, approved = build_room(host, public, kind="group"), build_room(host, public)
    for chat in (rejected, approved):
        ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "bye"}, headers=people.member.headers),
           201)
        ok(api.delete(f"/api/chat-rooms/{chat.id}", headers=people.owner.headers), 202)
    pending = ok(api.get("/api/admin/chat-rooms/pending-deletions?limit=100", headers=admin.headers))["items"]
    assert {rejected.id, approved.id} <= {r["id"] for r in pending}
    assert api.get("/api/admin/chat-rooms/pending-deletions", headers=people.owner.headers).status_code == 403
    back = ok(api.post(f"/api/admin/chat-rooms/{rejected.id}/reject-deletion", headers=admin.headers))
    assert back["status"] == "active"
    groups = ok(api.get("/api/chat-rooms/group/list?limit=100", headers=people.member.headers))["items"]
    assert rejected.id in [g["id"] for g in groups]  # back in its members' lists
    assert code(api.post(f"/api/admin/chat-rooms/{rejected.id}/approve-deletion",
                         headers=admin.headers)) == "not_pending_deletion"
    ok(api.post(f"/api/admin/chat-rooms/{approved.id}/approve-deletion", headers=admin.headers))
    host.run_timer("purge_deleted_chat_rooms")
    assert code(api.get(f"/api/chat-rooms/{approved.id}", headers=admin.headers)) == "room_not_found"
    from shared.domain.chat.documents import message_docs
    from shared.ports import Query

    async def left():
        return (await message_docs.query(Query(), pk=approved.id)).items

    assert host.run(left) == []
    assert ok(api.get(f"/api/chat-rooms/{rejected.id}", headers=people.member.headers))["status"] == "active"


def test_the_owner_hands_the_room_over_and_may_then_leave(host, api, public, people):
    chat = build_room(host, public, kind="group")
    owner, member = people.owner, people.member
    assert code(api.post(f"/api/chat-rooms/{chat.id}/transfer-ownership", json={"user_id": people.other.id},
                         headers=owner.headers)) == "not_a_member"
    assert code(api.post(f"/api/chat-rooms/{chat.id}/transfer-ownership", json={"user_id": owner.id},
                         headers=member.headers)) == "owner_only"
    done = ok(api.post(f"/api/chat-rooms/{chat.id}/transfer-ownership", json={"user_id": member.id},
                       headers=owner.headers))
    assert done["status"] == "ownership_transferred"
    room = ok(api.get(f"/api/chat-rooms/{chat.id}", headers=member.headers))
    assert room["owner"]["id"] == member.id and room["role"] == "owner"
    assert ok(api.post(f"/api/chat-rooms/{chat.id}/leave", headers=owner.headers))["status"] == "left"
    general = f"{public.id}_general"
    assert code(api.post(f"/api/chat-rooms/{general}/transfer-ownership", json={"user_id": member.id},
                         headers=owner.headers)) == "built_in_room"
