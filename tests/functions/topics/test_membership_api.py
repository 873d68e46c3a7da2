"""Membership, moderation, invitations, join requests and anonymous names through the HTTP API."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.communities import create_topic, enter, ok


def crowd(host, size: int) -> list[dict[str, str]]:
    """`size` signed-in users, made at the domain level (the sign-up flow's per-IP limit is 20 an hour, and
    the accounts suite covers that flow): each gets a user document and a real session; returns their headers."""

    async def make() -> list[dict[str, str]]:
        from shared import wiring

        headers = []
        for i in range(size):
            uid = uuid.uuid4().hex
            name = f"crowd{i}_{uid[:6]}"
            await wiring.documents().create("users", {"id": uid, "pk": uid, "username": name, "status": "active"})
            token, _ = await wiring.sessions().create(user_id=uid, username=name, is_admin=False)
            headers.append({"Authorization": f"Bearer {token}"})
        return headers

    return host.run(make)


def test_fifty_parallel_joins_give_exactly_fifty_more_members(host, api, people):
    topic = create_topic(host, people.owner)
    users = crowd(host, 50)

    def join(headers: dict[str, str]) -> int:
        with httpx.Client(base_url=host.url, timeout=60) as client:
            return client.post(f"/api/topics/{topic['id']}/join", headers=headers).status_code

    with ThreadPoolExecutor(max_workers=25) as pool:
        statuses = list(pool.map(join, users))
    assert statuses == [200] * 50
    assert ok(api.get(f"/api/topics/{topic['id']}"))["member_count"] == 51


def test_one_user_joining_twenty_times_at_once_is_one_member(host, api, people):
    topic = create_topic(host, people.owner)
    (headers,) = crowd(host, 1)

    def join(_: int) -> str:
        with httpx.Client(base_url=host.url, timeout=60) as client:
            return client.post(f"/api/topics/{topic['id']}/join", headers=headers).json()["data"]["status"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(join, range(20)))
    assert statuses.count("joined") == 1 and statuses.count("already_member") == 19
    assert ok(api.get(f"/api/topics/{topic['id']}"))["member_count"] == 2


def test_join_and_leave_are_idempotent_and_counted_once(host, api, people):
    topic = create_topic(host, people.owner)
    user = people.spares[0]
    assert ok(api.post(f"/api/topics/{topic['id']}/join", headers=user.headers))["status"] == "joined"
    assert ok(api.post(f"/api/topics/{topic['id']}/join", headers=user.headers))["status"] == "already_member"
    assert ok(api.post(f"/api/topics/{topic['id']}/leave", headers=user.headers))["status"] == "left"
    left_again = ok(api.post(f"/api/topics/{topic['id']}/leave", headers=user.headers))
    assert left_again == {"topic_id": topic["id"], "status": "not_member", "member_count": 1}


def test_members_and_moderators_are_listed_in_pages(host, api, people):
    topic = create_topic(host, people.owner)
    for user in (people.member, people.moderator, *people.spares):
        enter(api, topic, people.owner, user)
    ok(api.post(f"/api/topics/{topic['id']}/moderators", json={"user_id": people.moderator.id,
                                                                "permissions": ["mute_users"]},
                headers=people.owner.headers))
    seen, cursor = [], None
    while True:
        page = ok(api.get(f"/api/topics/{topic['id']}/members", params={"limit": 3, **({"cursor": cursor} if cursor
                                                                                      else {})},
                          headers=people.member.headers))
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 and len({m["user"]["id"] for m in seen}) == 7
    moderators = ok(api.get(f"/api/topics/{topic['id']}/moderators"))["items"]
    assert {(m["user"]["id"], m["role"]) for m in moderators} == {(people.owner.id, "owner"),
                                                                  (people.moderator.id, "moderator")}
    assert next(m for m in moderators if m["role"] == "moderator")["permissions"] == ["mute_users"]


def test_a_moderator_without_a_permission_is_refused_and_with_it_succeeds(host, api, people):
    topic = create_topic(host, people.owner)
    for user in (people.moderator, people.spares[0]):
        enter(api, topic, people.owner, user)
    ok(api.post(f"/api/topics/{topic['id']}/moderators", json={"user_id": people.moderator.id,
                                                                "permissions": ["mute_users"]},
                headers=people.owner.headers))
    refused = api.post(f"/api/topics/{topic['id']}/ban", json={"user_id": people.spares[0].id},
                       headers=people.moderator.headers)
    assert refused.status_code == 403 and refused.json()["error"]["details"] == {"permission": "ban_users"}
    ok(api.post(f"/api/topics/{topic['id']}/mute", json={"user_id": people.spares[0].id},
                headers=people.moderator.headers))
    ok(api.put(f"/api/topics/{topic['id']}/moderators/{people.moderator.id}",
               json={"permissions": ["ban_users"]}, headers=people.owner.headers))
    ok(api.post(f"/api/topics/{topic['id']}/ban", json={"user_id": people.spares[0].id},
                headers=people.moderator.headers))


def test_nobody_restricts_the_owner_and_moderators_do_not_restrict_each_other(host, api, people):
    topic = create_topic(host, people.owner)
    for user in (people.moderator, people.spares[0]):
        enter(api, topic, people.owner, user)
    for user in (people.moderator, people.spares[0]):
        ok(api.post(f"/api/topics/{topic['id']}/moderators", json={"user_id": user.id}, headers=people.owner.headers))
    on_owner = api.post(f"/api/topics/{topic['id']}/ban", json={"user_id": people.owner.id},
                        headers=people.admin.headers)
    assert on_owner.status_code == 403 and on_owner.json()["error"]["code"] == "cannot_target_owner"
    on_peer = api.post(f"/api/topics/{topic['id']}/kick", json={"user_id": people.spares[0].id},
                       headers=people.moderator.headers)
    assert on_peer.status_code == 403 and on_peer.json()["error"]["code"] == "cannot_target_moderator"
    on_self = api.post(f"/api/topics/{topic['id']}/mute", json={"user_id": people.moderator.id},
                       headers=people.moderator.headers)
    assert on_self.status_code == 409 and on_self.json()["error"]["code"] == "cannot_target_self"


def test_a_ban_removes_the_member_and_a_timed_ban_shows_its_end(host, api, people):
    topic = create_topic(host, people.owner)
    user = people.spares[1]
    enter(api, topic, people.owner, user)
    ban = ok(api.post(f"/api/topics/{topic['id']}/ban", json={"user_id": user.id, "reason": "flooding",
                                                             "duration_days": 2}, headers=people.owner.headers))
    assert ban["expires_at"] and ban["reason"] == "flooding" and ban["active"]
    seen = ok(api.get(f"/api/topics/{topic['id']}", headers=user.headers))
    assert seen["is_banned"] and not seen["is_member"] and seen["member_count"] == 1
    refused = api.post(f"/api/topics/{topic['id']}/join", headers=user.headers)
    assert refused.status_code == 403 and refused.json()["error"]["details"]["expires_at"] == ban["expires_at"]
    assert host.events(group=f"user_{user.id}", type="topic_banned")
    bans = ok(api.get(f"/api/topics/{topic['id']}/bans", headers=people.owner.headers))["items"]
    assert [b["user"]["id"] for b in bans] == [user.id]
    ok(api.post(f"/api/topics/{topic['id']}/unban", json={"user_id": user.id}, headers=people.owner.headers))
    assert ok(api.post(f"/api/topics/{topic['id']}/join", headers=user.headers))["status"] == "joined"
    again = api.post(f"/api/topics/{topic['id']}/unban", json={"user_id": user.id}, headers=people.owner.headers)
    assert again.status_code == 404 and again.json()["error"]["code"] == "ban_not_found"


def test_a_kicked_member_may_join_again_and_a_muted_one_keeps_reading(host, api, people):
    topic = create_topic(host, people.owner)
    user = people.spares[2]
    enter(api, topic, people.owner, user)
    ok(api.post(f"/api/topics/{topic['id']}/kick", json={"user_id": user.id}, headers=people.owner.headers))
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=user.headers))["is_member"] is False
    enter(api, topic, people.owner, user)
    mute = ok(api.post(f"/api/topics/{topic['id']}/mute", json={"user_id": user.id, "duration_minutes": 30},
                       headers=people.owner.headers))
    assert mute["kind"] == "mute" and mute["expires_at"]
    seen = ok(api.get(f"/api/topics/{topic['id']}", headers=user.headers))
    assert seen["is_muted"] and seen["is_member"]
    ok(api.post(f"/api/topics/{topic['id']}/unmute", json={"user_id": user.id}, headers=people.owner.headers))
    assert not ok(api.get(f"/api/topics/{topic['id']}", headers=user.headers))["is_muted"]


def test_ownership_passes_to_a_member_and_the_old_owner_becomes_a_member(host, api, people):
    topic = create_topic(host, people.owner)
    enter(api, topic, people.owner, people.member)
    refused = api.post(f"/api/topics/{topic['id']}/transfer-ownership", json={"user_id": people.other.id},
                       headers=people.owner.headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_a_member"
    result = ok(api.post(f"/api/topics/{topic['id']}/transfer-ownership", json={"user_id": people.member.id},
                         headers=people.owner.headers))
    assert result["owner"]["id"] == people.member.id
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=people.owner.headers))["role"] == "member"
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=people.member.headers))["role"] == "owner"


# ---------------------------------------------------------------------------------------------------------
# invitations and join requests


def test_an_invitation_is_listed_accepted_once_and_makes_a_member(host, api, people):
    topic = create_topic(host, people.owner, private=True)
    invitee = people.spares[0]
    ok(api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": invitee.id}, headers=people.owner.headers), 201)
    twice = api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": invitee.id}, headers=people.owner.headers)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_invited"
    event = host.events(group=f"user_{invitee.id}", type="topic_invitation")[-1]
    assert event["data"]["topic"]["id"] == topic["id"]
    mine = ok(api.get("/api/topics/invitations", headers=invitee.headers))["items"]
    invitation = next(i for i in mine if i["topic"]["id"] == topic["id"])
    assert invitation["inviter"]["id"] == people.owner.id and invitation["status"] == "pending"
    accepted = ok(api.post(f"/api/topics/invitations/{invitation['id']}/accept", headers=invitee.headers))
    assert accepted["status"] == "accepted" and accepted["topic"]["member_count"] == 2
    again = api.post(f"/api/topics/invitations/{invitation['id']}/accept", headers=invitee.headers)
    assert again.status_code == 404
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=invitee.headers))["role"] == "member"
    member_again = api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": invitee.id},
                            headers=people.owner.headers)
    assert member_again.status_code == 409 and member_again.json()["error"]["code"] == "already_member"


def test_a_declined_invitation_leaves_the_topic_invisible_and_can_be_renewed(host, api, people):
    topic = create_topic(host, people.owner, private=True)
    invitee = people.spares[1]
    ok(api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": invitee.id}, headers=people.owner.headers), 201)
    ok(api.post(f"/api/topics/invitations/inv_{topic['id']}/decline", headers=invitee.headers))
    assert api.get(f"/api/topics/{topic['id']}", headers=invitee.headers).status_code == 404
    ok(api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": invitee.id}, headers=people.owner.headers), 201)


def test_inviting_an_unknown_user_is_404(host, api, people):
    topic = create_topic(host, people.owner, private=True)
    response = api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": uuid.uuid4().hex},
                        headers=people.owner.headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "user_not_found"


def test_a_join_request_reveals_nothing_and_moderators_decide_it(host, api, people):
    topic = create_topic(host, people.owner, private=True)
    asker = people.spares[2]
    unknown = api.post(f"/api/topics/{uuid.uuid4().hex}/join", headers=asker.headers)
    asked = api.post(f"/api/topics/{topic['id']}/join", headers=asker.headers)
    assert unknown.status_code == asked.status_code == 202
    assert unknown.json()["data"]["status"] == asked.json()["data"]["status"] == "requested"
    requests = ok(api.get(f"/api/topics/{topic['id']}/join-requests", headers=people.owner.headers))["items"]
    assert [r["user"]["id"] for r in requests] == [asker.id]
    ok(api.post(f"/api/topics/{topic['id']}/join-requests/{asker.id}/approve", headers=people.owner.headers))
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=asker.headers))["is_member"]
    gone = api.post(f"/api/topics/{topic['id']}/join-requests/{asker.id}/reject", headers=people.owner.headers)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "join_request_not_found"


# ---------------------------------------------------------------------------------------------------------
# anonymous names


def test_an_anonymous_name_is_chosen_cleaned_unique_and_private_to_its_owner(host, api, people):
    topic = create_topic(host, people.owner)
    first = ok(api.put(f"/api/topics/{topic['id']}/anonymous-identity", json={"name": "silver   fox!!"},
                       headers=people.member.headers))
    assert first == {"topic_id": topic["id"], "anonymous_name": "Silver Fox"}
    second = ok(api.post(f"/api/topics/{topic['id']}/anonymous-identity", json={"custom_anonymous_name": "Silver Fox"},
                         headers=people.other.headers))
    assert second["anonymous_name"] == "Silver Fox2"
    assert ok(api.get(f"/api/topics/{topic['id']}/anonymous-identity", headers=people.member.headers)) == first
    assert ok(api.get(f"/api/topics/{topic['id']}/anonymous-identity", headers=people.moderator.headers)) == {
        "topic_id": topic["id"], "anonymous_name": None}
    generated = ok(api.put(f"/api/topics/{topic['id']}/anonymous-identity", json={},
                           headers=people.moderator.headers))["anonymous_name"]
    assert generated and generated != "Silver Fox"
    events = host.events(group=f"user_{people.member.id}", type="anonymous_identity_updated")
    assert events[-1]["data"] == first
    assert not [e for e in host.events(type="anonymous_identity_updated") if e["group"] != f"user_{people.member.id}"
                and e["data"]["anonymous_name"] == "Silver Fox"]
    refused = api.put(f"/api/topics/{topic['id']}/anonymous-identity", json={"name": "Admin"},
                      headers=people.member.headers)
    assert refused.status_code == 422


def test_a_topic_without_anonymity_refuses_aliases(host, api, people):
    topic = create_topic(host, people.owner, allow_anonymous=False)
    response = api.put(f"/api/topics/{topic['id']}/anonymous-identity", json={"name": "Hidden One"},
                       headers=people.member.headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "anonymity_disabled"


def test_listing_members_and_my_topics_costs_the_same_store_calls_whatever_the_page_size(host, api, people):
    from tests.support.counting import count_store_calls

    topic = create_topic(host, people.owner)
    for user in (people.member, people.moderator, *people.spares):
        enter(api, topic, people.owner, user)
    for _ in range(3):
        enter(api, create_topic(host, people.owner), people.owner, people.spares[3])
    costs = []
    for limit in (2, 6):
        with count_store_calls(host) as members:
            assert len(ok(api.get(f"/api/topics/{topic['id']}/members", params={"limit": limit},
                                  headers=people.member.headers))["items"]) == limit
        with count_store_calls(host) as mine:
            assert len(ok(api.get("/api/topics/my", params={"limit": min(limit, 4)},
                                  headers=people.spares[3].headers))["items"]) == min(limit, 4)
        costs.append((members.total, mine.total))
    assert costs[0] == costs[1] == (4, 4), costs
