"""Topics through the HTTP API: create, get, update, list, my topics, deletion and purge, events."""

from __future__ import annotations

import uuid

import pytest

from tests.support.communities import create_topic, enter, new_title, ok, reset_topic_quota
from tests.support.counting import count_store_calls


def test_creating_a_topic_answers_201_with_the_owner_as_first_member(host, api, people):
    reset_topic_quota(host, people.owner)
    title = new_title("Gardening")
    response = api.post("/api/topics", headers=people.owner.headers, json={
        "title": title, "description": "Seeds and soil", "tags": ["Plants", "plants", "soil_care"],
        "settings": {"allow_anonymous": False}})
    topic = ok(response, 201)
    assert topic["title"] == title and topic["tags"] == ["plants", "soil_care"]
    assert topic["settings"] == {"allow_anonymous": False, "require_approval": False}
    assert topic["visibility"] == "public" and topic["status"] == "active"
    assert topic["owner"] == {"id": people.owner.id, "username": people.owner.username}
    assert topic["member_count"] == 1 and topic["role"] == "owner" and topic["user_permission_level"] == 3
    assert topic["is_member"] and "ban_users" in topic["permissions"]


def test_a_title_differing_only_in_case_and_spaces_is_refused_with_409(host, api, people):
    title = new_title("Chess")
    create_topic(host, people.owner, title=title)
    response = api.post("/api/topics", json={"title": "  " + title.upper().replace(" ", "   ")},
                        headers=people.member.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "topic_title_taken"


@pytest.mark.parametrize("body, field", [
    ({"title": "ab"}, "body.title"),
    ({"title": "Hello <script>"}, "body.title"),
    ({"title": "Fine title", "tags": ["a"]}, "body.tags.0"),  # the very tag that is too short
    ({"title": "Fine title", "tags": [f"t{i}x" for i in range(11)]}, "body.tags"),
    ({"title": "Fine title", "description": "x" * 501}, "body.description"),
    ({"title": "Fine title", "settings": {"require_approval": "maybe"}}, "body.settings.require_approval"),
])
def test_invalid_topics_are_refused_with_422_naming_the_field(api, people, body, field):
    response = api.post("/api/topics", json=body, headers=people.owner.headers)
    assert response.status_code == 422, response.text
    assert field in {d["field"] for d in response.json()["error"]["details"]}


def test_topic_creation_is_rate_limited_per_user(host, api, people):
    reset_topic_quota(host, people.spares[3])
    statuses = [api.post("/api/topics", json={"title": new_title("Flood")}, headers=people.spares[3].headers)
                for _ in range(11)]
    assert [r.status_code for r in statuses] == [201] * 10 + [429]
    assert statuses[-1].headers["Retry-After"] and statuses[-1].json()["error"]["code"] == "rate_limited"


def test_get_returns_an_etag_and_an_update_with_a_stale_one_is_refused_with_412(host, api, people):
    topic = create_topic(host, people.owner)
    first = api.get(f"/api/topics/{topic['id']}", headers=people.owner.headers)
    etag = first.headers["ETag"]
    updated = api.put(f"/api/topics/{topic['id']}", json={"description": "first change"},
                      headers={**people.owner.headers, "If-Match": etag})
    assert ok(updated)["description"] == "first change"
    stale = api.put(f"/api/topics/{topic['id']}", json={"description": "second change"},
                    headers={**people.owner.headers, "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "topic_changed"


def test_renaming_to_a_taken_title_is_refused_and_the_visibility_cannot_change(host, api, people):
    taken = create_topic(host, people.owner)
    topic = create_topic(host, people.owner)
    clash = api.put(f"/api/topics/{topic['id']}", json={"title": taken["title"].lower()},
                    headers=people.owner.headers)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "topic_title_taken"
    flip = api.put(f"/api/topics/{topic['id']}", json={"settings": {"require_approval": True}},
                   headers=people.owner.headers)
    assert flip.status_code == 422
    assert flip.json()["error"]["details"][0]["code"] == "visibility_immutable"


def test_an_unknown_topic_and_a_malformed_id_answer_404_and_422(api, people):
    missing = api.get(f"/api/topics/{uuid.uuid4().hex}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "topic_not_found"
    assert api.get("/api/topics/not%20an%20id").status_code == 422


# ---------------------------------------------------------------------------------------------------------
# lists


def _list(api, headers=None, **params):
    return ok(api.get("/api/topics", params=params, headers=headers or {}))


def _walk(api, headers=None, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = _list(api, headers, **({"cursor": cursor} if cursor else {}), **params)
        assert len(page["items"]) == params.get("limit", 20) or page["next_cursor"] is None
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_lists_page_with_cursors_that_never_skip_repeat_or_come_back_short(host, api, people):
    tag = f"walk{uuid.uuid4().hex[:8]}"
    public = [create_topic(host, people.owner, tags=[tag]) for _ in range(7)]
    hidden = [create_topic(host, people.owner, tags=[tag], private=True) for _ in range(4)]
    seen = _walk(api, people.other.headers, tags=tag, limit=3)
    assert [t["id"] for t in seen] == [t["id"] for t in reversed(public)]  # newest activity first
    assert not {t["id"] for t in hidden} & {t["id"] for t in seen}


def test_invite_only_topics_are_listed_for_their_members_only(host, api, people):
    tag = f"club{uuid.uuid4().hex[:8]}"
    club = create_topic(host, people.owner, tags=[tag], private=True)
    enter(api, club, people.owner, people.member)
    for headers in ({}, people.other.headers, people.banned.headers):
        assert _list(api, headers, tags=tag)["items"] == []
    assert [t["id"] for t in _list(api, people.member.headers, tags=tag)["items"]] == [club["id"]]
    assert [t["id"] for t in _list(api, people.admin.headers, tags=tag)["items"]] == [club["id"]]


def test_search_finds_topics_by_every_word_of_title_and_description(host, api, people):
    word = f"zq{uuid.uuid4().hex[:8]}"
    both = create_topic(host, people.owner, title=f"Birds {word}", description="Herons and egrets")
    create_topic(host, people.owner, title=f"Fish {word}", description="Trout")
    create_topic(host, people.owner, title=f"Birds of {word}x", description="Herons", private=True)
    found = _list(api, people.other.headers, search=f"HERONS {word}")["items"]
    assert [t["id"] for t in found] == [both["id"]]
    assert len(_list(api, search=word)["items"]) == 2


def test_sorting_by_members_newest_and_hot(host, api, people):
    tag = f"sort{uuid.uuid4().hex[:8]}"
    small, big, newest = (create_topic(host, people.owner, tags=[tag]) for _ in range(3))
    for user in (people.member, people.moderator, people.other):
        enter(api, big, people.owner, user)
    enter(api, small, people.owner, people.member)
    by_members = [t["id"] for t in _list(api, sort_by="member_count", tags=tag)["items"]]
    assert by_members[0] == big["id"] and by_members[1] == small["id"]
    assert _list(api, sort_by="newest", tags=tag)["items"][0]["id"] == newest["id"]
    hot = _list(api, sort_by="hot", tags=tag)["items"]
    assert len(hot) == 3 and all(t["hot_rank"] > 0 for t in hot)
    bad = api.get("/api/topics", params={"sort_by": "loudest"})
    assert bad.status_code == 422


def test_listing_topics_costs_the_same_store_calls_whatever_the_page_size(host, api, people):
    tag = f"cost{uuid.uuid4().hex[:8]}"
    for _ in range(12):
        create_topic(host, people.owner, tags=[tag])
    costs = {}
    for limit in (2, 12):
        with count_store_calls(host) as calls:
            page = _list(api, people.member.headers, tags=tag, limit=limit)
        assert len(page["items"]) == limit
        costs[limit] = (calls.total, calls.summary())
    assert costs[2][0] == costs[12][0], costs
    # the caller's invite-only topics, the page, their edges in those topics, the owners' names
    assert costs[12][0] == 4, costs[12][1]
    with count_store_calls(host) as calls:
        _list(api, tags=tag, limit=12)
    assert calls.total == 2, calls.summary()  # anonymous: the page and the owners' names


def test_my_topics_lists_memberships_newest_first_with_my_role(host, api, people):
    first = create_topic(host, people.owner)
    second = create_topic(host, people.owner, private=True)
    enter(api, first, people.owner, people.spares[3])
    enter(api, second, people.owner, people.spares[3])
    mine = ok(api.get("/api/topics/my", params={"limit": 2}, headers=people.spares[3].headers))
    assert [t["id"] for t in mine["items"]] == [second["id"], first["id"]]
    assert {t["role"] for t in mine["items"]} == {"member"}


# ---------------------------------------------------------------------------------------------------------
# deletion, review and purge


def test_an_owner_deletion_hides_the_topic_until_an_admin_decides(host, api, people):
    topic = create_topic(host, people.owner)
    enter(api, topic, people.owner, people.member)
    deleted = ok(api.delete(f"/api/topics/{topic['id']}", headers=people.owner.headers), 202)
    assert deleted["status"] == "pending_deletion"
    for headers in ({}, people.owner.headers, people.member.headers):
        assert api.get(f"/api/topics/{topic['id']}", headers=headers).status_code == 404
    pending = ok(api.get("/api/admin/topics/pending-deletions", params={"limit": 100}, headers=people.admin.headers))
    assert topic["id"] in {t["id"] for t in pending["items"]}
    ok(api.post(f"/api/admin/topics/{topic['id']}/reject-deletion", headers=people.admin.headers))
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=people.member.headers))["status"] == "active"
    assert host.events(group=f"topic_{topic['id']}", type="topic_deleted")


def test_an_approved_deletion_frees_the_title_and_the_timer_purges_the_topic(host, api, people):
    topic = create_topic(host, people.owner)
    enter(api, topic, people.owner, people.member)
    ok(api.delete(f"/api/topics/{topic['id']}", headers=people.owner.headers), 202)
    approved = ok(api.post(f"/api/admin/topics/{topic['id']}/approve-deletion", headers=people.admin.headers))
    assert approved["status"] == "deletion_approved"
    ok(api.post("/api/topics", json={"title": topic["title"]}, headers=people.other.headers), 201)

    async def end_grace_period():
        from shared import clock, wiring
        from shared.ports import Patch

        await wiring.documents().patch("topics", topic["id"], topic["id"], [
            Patch("set", "/deletion/permanent_delete_at", clock.now_iso())])

    host.run(end_grace_period)
    host.run_timer("purge_topics")
    assert api.get(f"/api/topics/{topic['id']}", headers=people.admin.headers).status_code == 404
    mine = ok(api.get("/api/topics/my", params={"limit": 100}, headers=people.member.headers))
    assert topic["id"] not in {t["id"] for t in mine["items"]}


def test_an_admin_deletion_is_approved_at_once(host, api, people):
    topic = create_topic(host, people.owner)
    assert ok(api.delete(f"/api/topics/{topic['id']}", headers=people.admin.headers), 202)["status"] == \
        "deletion_approved"


# ---------------------------------------------------------------------------------------------------------
# events


def test_topic_events_reach_members_only_and_invite_only_topics_are_never_broadcast(host, api, people):
    topic = create_topic(host, people.owner, private=True)
    created = host.events(group=f"user_{people.owner.id}", type="topic_created")
    assert topic["id"] in {e["data"]["id"] for e in created}
    ok(api.put(f"/api/topics/{topic['id']}", json={"description": "new words"}, headers=people.owner.headers))
    updated = host.events(group=f"topic_{topic['id']}", type="topic_updated")
    assert updated and updated[-1]["data"]["description"] == "new words"
    assert "role" not in updated[-1]["data"]  # no caller-specific fields in a group message
    everywhere = [e for e in host.events() if e["type"] in ("topic_created", "topic_updated")
                  and e["data"].get("id") == topic["id"]]
    assert {e["group"] for e in everywhere} <= {f"user_{people.owner.id}", f"topic_{topic['id']}"}


@pytest.fixture(scope="module")
def listed_topic(host, people) -> dict:
    return create_topic(host, people.owner, private=True)


@pytest.mark.parametrize("path", ["/api/topics", "/api/topics/my", "/api/topics/invitations",
                                  "/api/topics/{topic}/members", "/api/topics/{topic}/moderators",
                                  "/api/topics/{topic}/bans", "/api/topics/{topic}/mutes",
                                  "/api/topics/{topic}/join-requests", "/api/admin/topics/pending-deletions"])
@pytest.mark.parametrize("params", [{"cursor": "not-a-cursor"}, {"cursor": "eyJmIjoiYSIsInMiOjF9"},
                                    {"limit": 0}, {"limit": 10_000}, {"limit": "many"}])
def test_bad_list_parameters_answer_4xx_never_500(api, people, listed_topic, path, params):
    response = api.get(path.format(topic=listed_topic["id"]), params=params, headers=people.admin.headers)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"] in ("invalid_cursor", "validation_error")



@pytest.mark.parametrize("body", ["[1, 2]", "not json", '{"title": 5}', '{"title": null}',
                                  '{"title": "Fine title", "tags": "a,b"}', '{"title": "Fine", "settings": []}'])
def test_malformed_topic_bodies_answer_4xx_never_500(api, people, body):
    response = api.post("/api/topics", content=body, headers={**people.owner.headers,
                                                              "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.text
