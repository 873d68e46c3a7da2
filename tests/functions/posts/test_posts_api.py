"""The /api/posts routes as clients meet them: create, list and sort, feed, get, edit with history, delete,
remove and restore, lock, pin, follow, report, votes, images, and the events each write publishes."""

from __future__ import annotations

import uuid

import httpx
import pytest

from shared.domain.communities import ranking
from tests.support.communities import new_comment, new_post, ok, seed_post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ids(items):
    return [item["id"] for item in items]


def walk(api, url, headers=None, **params):
    """Every item of a cursor-paged list, checking no page repeats an item."""
    seen, cursor = [], None
    while True:
        page = ok(api.get(url, params={**params, **({"cursor": cursor} if cursor else {})}, headers=headers or {}))
        assert not set(ids(page["items"])) & set(seen)
        seen += ids(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return seen


# ---------------------------------------------------------------------------------------------------------
# create and read


def test_a_member_creates_a_markdown_post_and_everyone_can_read_it(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member, title="  Hello  ", content="# Title\n\n*markdown* `kept`",
                    tags="Python, web dev")
    assert post["title"] == "Hello" and post["content"] == "# Title\n\n*markdown* `kept`"
    assert post["tags"] == ["python", "web dev"]
    assert post["author_id"] == w.people.member.id and post["author_username"] == w.people.member.username
    assert (post["score"], post["comment_count"], post["state"], post["is_author"]) == (0, 0, "visible", True)
    assert post["hot_rank"] > 0 and post["topic_title"] == w.topic["title"]
    got = ok(api.get(f"/api/posts/{post['id']}"))
    assert got["title"] == "Hello" and got["is_author"] is False and got["user_vote"] == 0
    topic = ok(api.get(f"/api/topics/{w.id}"))
    assert topic["post_count"] == 1


def test_a_post_in_a_public_topic_needs_no_membership(api, world):
    w = world()
    post = new_post(api, w.id, w.people.other)
    assert post["author_id"] == w.people.other.id


def test_an_anonymous_post_shows_the_alias_and_never_the_author(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member, use_anonymous=True)
    alias = ok(api.get(f"/api/topics/{w.id}/anonymous-identity", headers=w.people.member.headers))
    assert post["is_anonymous"] and post["author_id"] is None and post["author_username"] is None
    assert post["display_name"] == alias["anonymous_name"]
    seen_by_other = ok(api.get(f"/api/posts/{post['id']}", headers=w.people.other.headers))
    assert w.people.member.id not in str(seen_by_other) and w.people.member.username not in str(seen_by_other)


def test_a_topic_that_forbids_anonymity_refuses_anonymous_posts(api, people):
    topic = ok(api.post("/api/topics", json={"title": f"Named {uuid.uuid4().hex[:8]}", "allow_anonymous": False},
                        headers=people.owner.headers), 201)
    response = api.post(f"/api/posts/topics/{topic['id']}/posts", json={"title": "x", "use_anonymous": True},
                        headers=people.owner.headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "anonymous_not_allowed"


def test_bad_input_answers_with_the_fields_named(api, world):
    w = world()
    for body, field in (({}, "body.title"), ({"title": "x" * 301}, "body.title"),
                        ({"title": "t", "tags": ["x"]}, "body.tags"), ({"title": "t", "extra": 1}, "body.extra"),
                        ({"title": "t", "content": "c" * 20_001}, "body.content")):
        response = api.post(f"/api/posts/topics/{w.id}/posts", json=body, headers=w.people.member.headers)
        assert response.status_code == 422, body
        assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_unknown_and_malformed_post_ids_are_not_found(api, world):
    w = world()
    for post_id in ("nope", f"{w.id}_0123456789abcdef", "missing-topic_0123456789abcdef"):
        response = api.get(f"/api/posts/{post_id}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "post_not_found"


# ---------------------------------------------------------------------------------------------------------
# listing


def test_sorting_new_old_top_hot_and_active(api, host, world):
    w = world()
    p = w.people
    first = seed_post(host, w.id, p.member, title="first")
    second = seed_post(host, w.id, p.member, title="second")
    third = seed_post(host, w.id, p.member, title="third")
    for voter in (p.owner, p.moderator, p.other):
        ok(api.put(f"/api/posts/{second['id']}/vote", json={"value": 1}, headers=voter.headers))
    ok(api.put(f"/api/posts/{third['id']}/vote", json={"value": -1}, headers=p.owner.headers))
    new_comment(api, first["id"], p.owner)

    def order(**params):
        return ids(ok(api.get(f"/api/posts/topics/{w.id}/posts", params=params))["items"])

    assert order(sort="new") == [third["id"], second["id"], first["id"]]
    assert order(sort_by="old") == [first["id"], second["id"], third["id"]]
    assert order(sort="top")[0] == second["id"] and order(sort="top")[-1] == third["id"]
    assert order(sort="hot")[0] == second["id"]
    assert order(sort="active")[0] == first["id"]
    assert order(sort="top", time_range="hour")[0] == second["id"]


def test_top_with_a_time_range_leaves_out_older_posts(api, host, world):
    from shared import clock, wiring
    from shared.domain.communities.content_ids import POSTS
    from shared.ports import Patch

    w = world()
    old = seed_post(host, w.id, w.people.member)
    recent = seed_post(host, w.id, w.people.member)
    two_days_ago = clock.later_iso(days=-2)
    host.run(lambda: wiring.documents().patch(POSTS, w.id, old["id"], [Patch("set", "/created_at", two_days_ago)]))
    day = ids(ok(api.get(f"/api/posts/topics/{w.id}/posts", params={"sort": "top", "time_range": "day"}))["items"])
    assert day == [recent["id"]]
    week = ids(ok(api.get(f"/api/posts/topics/{w.id}/posts", params={"sort": "top", "time_range": "week"}))["items"])
    assert set(week) == {old["id"], recent["id"]}


def test_pages_walk_every_post_once_in_every_sort(api, host, world):
    w = world()
    made = {seed_post(host, w.id, w.people.member)["id"] for _ in range(11)}
    for sort in ("new", "old", "top", "hot", "active"):
        assert sorted(walk(api, f"/api/posts/topics/{w.id}/posts", sort=sort, limit=4)) == sorted(made), sort


def test_a_cursor_does_not_fit_another_listing_or_survive_tampering(api, host, world):
    w = world()
    for _ in range(3):
        seed_post(host, w.id, w.people.member)
    cursor = ok(api.get(f"/api/posts/topics/{w.id}/posts", params={"limit": 1}))["next_cursor"]
    for params in ({"sort": "old", "cursor": cursor}, {"cursor": cursor[:-3] + "abc"}, {"cursor": "garbage"}):
        response = api.get(f"/api/posts/topics/{w.id}/posts", params={"limit": 1, **params})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


def test_a_page_is_at_most_one_hundred_posts(api, world):
    w = world()
    response = api.get(f"/api/posts/topics/{w.id}/posts", params={"limit": 101})
    assert response.status_code == 422


def test_pinned_posts_come_apart_on_the_first_page_only(api, host, world):
    w = world()
    posts = [seed_post(host, w.id, w.people.member) for _ in range(3)]
    pinned = ok(api.post(f"/api/posts/{posts[0]['id']}/pin", headers=w.people.moderator.headers))
    assert pinned["pinned"] is True
    first = ok(api.get(f"/api/posts/topics/{w.id}/posts", params={"limit": 1}))
    assert ids(first["pinned"]) == [posts[0]["id"]] and posts[0]["id"] not in ids(first["items"])
    second = ok(api.get(f"/api/posts/topics/{w.id}/posts", params={"limit": 1, "cursor": first["next_cursor"]}))
    assert second["pinned"] == []
    ok(api.post(f"/api/posts/{posts[0]['id']}/unpin", headers=w.people.moderator.headers))
    assert ok(api.get(f"/api/posts/topics/{w.id}/posts"))["pinned"] == []


def test_a_topic_pins_at_most_five_posts(api, host, world):
    w = world()
    posts = [seed_post(host, w.id, w.people.member) for _ in range(6)]
    for post in posts[:5]:
        ok(api.post(f"/api/posts/{post['id']}/pin", headers=w.people.owner.headers))
    response = api.post(f"/api/posts/{posts[5]['id']}/pin", headers=w.people.owner.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "too_many_pinned"


# ---------------------------------------------------------------------------------------------------------
# the feed


def test_the_feed_shows_public_topics_to_everyone_and_private_ones_to_their_members_only(api, host, world):
    public, private = world(), world(private=True)
    p = public.people
    open_post = seed_post(host, public.id, p.member)
    secret_post = seed_post(host, private.id, p.member)
    for route in ("/api/posts/recent", "/api/posts/feed"):
        anonymous = ids(ok(api.get(route, params={"limit": 100}))["items"])
        outsider = ids(ok(api.get(route, params={"limit": 100}, headers=p.other.headers))["items"])
        member = ids(ok(api.get(route, params={"limit": 100}, headers=p.member.headers))["items"])
        assert open_post["id"] in anonymous and secret_post["id"] not in anonymous
        assert open_post["id"] in outsider and secret_post["id"] not in outsider
        assert open_post["id"] in member and secret_post["id"] in member
    feed = ok(api.get("/api/posts/recent", params={"limit": 100}, headers=p.member.headers))["items"]
    assert {item["id"]: item["topic_title"] for item in feed}[secret_post["id"]] == private.topic["title"]


def test_the_feed_pages_newest_first_without_repeats(api, host, world):
    w = world(private=True)
    made = [seed_post(host, w.id, w.people.member)["id"] for _ in range(7)]
    seen = walk(api, "/api/posts/feed", headers=w.people.member.headers, limit=3)
    mine = [post_id for post_id in seen if post_id in made]
    assert mine == list(reversed(made))


def test_the_feed_leaves_out_posts_of_a_topic_awaiting_deletion(api, host, world):
    w = world()
    post = seed_post(host, w.id, w.people.member)
    ok(api.delete(f"/api/topics/{w.id}", headers=w.people.owner.headers), 202)
    assert post["id"] not in ids(ok(api.get("/api/posts/recent", params={"limit": 100}))["items"])


# ---------------------------------------------------------------------------------------------------------
# edit and history


def test_the_author_edits_and_the_history_keeps_every_earlier_version(api, world):
    w = world()
    member = w.people.member
    post = new_post(api, w.id, member, title="v1", content="one")
    ok(api.put(f"/api/posts/{post['id']}", json={"content": "two"}, headers=member.headers))
    edited = ok(api.patch(f"/api/posts/{post['id']}", json={"title": "v3", "tags": ["ab"]}, headers=member.headers))
    assert (edited["title"], edited["content"], edited["tags"], edited["edit_count"]) == ("v3", "two", ["ab"], 2)
    assert edited["edited_at"] is not None
    history = ok(api.get(f"/api/posts/{post['id']}/history"))["items"]
    assert [(h["version"], h["title"], h["content"]) for h in history] == [(2, "v1", "two"), (1, "v1", "one")]
    unchanged = ok(api.put(f"/api/posts/{post['id']}", json={"title": "v3"}, headers=member.headers))
    assert unchanged["edit_count"] == 2


def test_nobody_but_the_author_edits(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    for user in (w.people.owner, w.people.moderator, w.people.admin, w.people.other):
        response = api.put(f"/api/posts/{post['id']}", json={"content": "mine now"}, headers=user.headers)
        assert response.status_code == 403 and response.json()["error"]["code"] == "not_author"


# ---------------------------------------------------------------------------------------------------------
# delete, remove, restore, hard delete


def test_the_author_deletes_and_only_the_author_moderators_and_admins_still_see_the_tombstone(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    ok(api.delete(f"/api/posts/{post['id']}", headers=p.member.headers), 204)
    ok(api.delete(f"/api/posts/{post['id']}", headers=p.member.headers), 204)  # idempotent
    assert api.get(f"/api/posts/{post['id']}", headers=p.other.headers).status_code == 404
    own = ok(api.get(f"/api/posts/{post['id']}", headers=p.member.headers))
    assert own["state"] == "deleted" and own["content"] is None
    admin_view = ok(api.get(f"/api/posts/{post['id']}", headers=p.admin.headers))
    assert admin_view["content"] == post["content"]
    assert post["id"] not in ids(ok(api.get(f"/api/posts/topics/{w.id}/posts"))["items"])
    assert ok(api.get(f"/api/topics/{w.id}"))["post_count"] == 0
    response = api.put(f"/api/posts/{post['id']}", json={"content": "back"}, headers=p.member.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "post_not_active"


def test_a_moderator_removes_with_a_reason_the_author_sees_it_and_a_restore_brings_it_back(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    removed = ok(api.post(f"/api/posts/{post['id']}/remove", json={"reason": "off topic"},
                          headers=p.moderator.headers))
    assert removed["state"] == "removed" and removed["moderation"]["removal_reason"] == "off topic"
    assert api.get(f"/api/posts/{post['id']}", headers=p.other.headers).status_code == 404
    assert ok(api.get(f"/api/posts/{post['id']}", headers=p.member.headers))["removal_reason"] == "off topic"
    assert ok(api.get(f"/api/topics/{w.id}"))["post_count"] == 0
    restored = ok(api.post(f"/api/posts/{post['id']}/restore", headers=p.owner.headers))
    assert restored["state"] == "visible" and restored["removal_reason"] is None
    assert ok(api.get(f"/api/topics/{w.id}"))["post_count"] == 1
    assert api.post(f"/api/posts/{post['id']}/restore", headers=p.owner.headers).status_code == 409


def test_a_moderator_delete_of_someone_elses_post_is_a_removal(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    ok(api.delete(f"/api/posts/{post['id']}", params={"reason": "spam spam"}, headers=w.people.moderator.headers),
       204)
    assert ok(api.get(f"/api/posts/{post['id']}", headers=w.people.member.headers))["removal_reason"] == "spam spam"


def test_a_moderator_without_manage_posts_may_not_remove(api, world):
    w = world()
    limited = w.people.spares[0]
    ok(api.post(f"/api/topics/{w.id}/moderators", json={"user_id": limited.id, "permissions": ["ban_users"]},
                headers=w.people.owner.headers))
    post = new_post(api, w.id, w.people.member)
    response = api.post(f"/api/posts/{post['id']}/remove", json={"reason": "nope"}, headers=limited.headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "missing_permission"


def test_only_administrators_delete_for_good(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    new_comment(api, post["id"], p.owner)
    for user in (p.member, p.owner, p.moderator):
        response = api.delete(f"/api/posts/{post['id']}", params={"mode": "hard"}, headers=user.headers)
        assert response.status_code == 403 and response.json()["error"]["code"] == "admin_required"
    ok(api.delete(f"/api/posts/{post['id']}", params={"mode": "hard"}, headers=p.admin.headers), 204)
    assert api.get(f"/api/posts/{post['id']}", headers=p.admin.headers).status_code == 404
    assert api.get(f"/api/comments/posts/{post['id']}/comments", headers=p.admin.headers).status_code == 404
    assert ok(api.get(f"/api/topics/{w.id}"))["post_count"] == 0


# ---------------------------------------------------------------------------------------------------------
# lock, follow, report


def test_a_locked_post_refuses_new_comments_until_unlocked(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    assert ok(api.post(f"/api/posts/{post['id']}/lock", headers=w.people.moderator.headers))["locked"] is True
    response = api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "hi"},
                        headers=w.people.member.headers)
    assert response.status_code == 403 and response.json()["error"]["code"] == "post_locked"
    ok(api.post(f"/api/posts/{post['id']}/unlock", headers=w.people.moderator.headers))
    new_comment(api, post["id"], w.people.member)


def test_following_shows_on_the_post_and_unfollowing_undoes_it(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    other = w.people.other
    assert ok(api.get(f"/api/posts/{post['id']}", headers=other.headers))["is_followed"] is False
    assert ok(api.post(f"/api/posts/{post['id']}/follow", headers=other.headers))["following"] is True
    assert ok(api.post(f"/api/posts/{post['id']}/follow", headers=other.headers))["following"] is True
    assert ok(api.get(f"/api/posts/{post['id']}", headers=other.headers))["is_followed"] is True
    listed = ok(api.get(f"/api/posts/topics/{w.id}/posts", headers=other.headers))["items"]
    assert {i["id"]: i["is_followed"] for i in listed}[post["id"]] is True
    assert ok(api.delete(f"/api/posts/{post['id']}/follow", headers=other.headers))["following"] is False
    assert ok(api.get(f"/api/posts/{post['id']}", headers=other.headers))["is_followed"] is False
    assert ok(api.get(f"/api/posts/{post['id']}", headers=w.people.member.headers))["is_followed"] is True


def test_a_user_reports_a_post_once_and_the_moderators_see_it_without_its_anonymous_author(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member, content="bad words", use_anonymous=True)
    ok(api.post(f"/api/posts/{post['id']}/report", json={"reason": "rude"}, headers=p.other.headers), 201)
    again = api.post(f"/api/posts/{post['id']}/report", json={"reason": "rude"}, headers=p.other.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    short = api.post(f"/api/posts/{post['id']}/report", json={"reason": "x"}, headers=p.owner.headers)
    assert short.status_code == 422
    queue = ok(api.get(f"/api/posts/topics/{w.id}/reports", headers=p.moderator.headers))
    assert [(r["target_id"], r["reason"], r["reporter_username"]) for r in queue["items"]] == [
        (post["id"], "rude", p.other.username)]
    assert p.member.id not in str(queue) and p.member.username not in str(queue)
    assert api.get(f"/api/posts/topics/{w.id}/reports", headers=p.member.headers).status_code == 403
    seen_by_mod = ok(api.get(f"/api/posts/{post['id']}", headers=p.moderator.headers))
    assert seen_by_mod["moderation"]["report_count"] == 1 and seen_by_mod["moderation"]["real_author_id"] is None
    seen_by_admin = ok(api.get(f"/api/posts/{post['id']}", headers=p.admin.headers))
    assert seen_by_admin["moderation"]["real_author_id"] == p.member.id


# ---------------------------------------------------------------------------------------------------------
# votes


def test_put_vote_is_idempotent_and_the_old_toggles_keep_working(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    other = w.people.other
    url = f"/api/posts/{post['id']}"
    for _ in range(2):
        vote = ok(api.put(f"{url}/vote", json={"value": 1}, headers=other.headers))
        assert (vote["score"], vote["upvote_count"], vote["user_vote"]) == (1, 1, 1)
    assert ok(api.post(f"{url}/downvote", headers=other.headers))["score"] == -1
    assert ok(api.post(f"{url}/downvote", headers=other.headers))["score"] == 0
    assert ok(api.post(f"{url}/upvote", headers=other.headers))["user_vote"] == 1
    assert ok(api.get(url, headers=other.headers))["user_vote"] == 1
    assert ok(api.put(f"{url}/vote", json={"value": 0}, headers=other.headers))["score"] == 0
    bad = api.put(f"{url}/vote", json={"value": 2}, headers=other.headers)
    assert bad.status_code == 422


def test_a_vote_raises_the_hot_rank_at_once(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    ok(api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}, headers=w.people.owner.headers))
    after = ok(api.get(f"/api/posts/{post['id']}"))
    assert after["hot_rank"] > post["hot_rank"]
    assert after["hot_rank"] == ranking.hot_rank(1, post["created_at"]) or after["hot_rank"] > 0


# ---------------------------------------------------------------------------------------------------------
# images


def upload(api: httpx.Client, user, data: bytes, content_type: str = "image/png") -> str:
    target = ok(api.post("/api/posts/images/upload-url", json={"content_type": content_type, "size": len(data)},
                         headers=user.headers), 201)
    response = httpx.request(target["method"], target["upload_url"], content=data, headers=target["headers"])
    assert response.status_code in (200, 201), response.text
    return target["image_id"]


def test_a_post_carries_an_image_uploaded_through_a_signed_url(api, world):
    w = world()
    member = w.people.member
    image_id = upload(api, member, PNG)
    post = new_post(api, w.id, member, image_id=image_id, use_anonymous=True)
    assert post["image_url"] and member.id not in post["image_url"] and image_id in post["image_url"]
    fetched = httpx.get(post["image_url"])
    assert fetched.status_code == 200 and fetched.content == PNG
    reuse = api.post(f"/api/posts/topics/{w.id}/posts", json={"title": "again", "image_id": image_id},
                     headers=member.headers)
    assert reuse.status_code == 422 and reuse.json()["error"]["details"][0]["code"] == "image_not_found"


def test_an_image_must_be_a_real_image_and_the_uploaders_own(api, world):
    w = world()
    member, other = w.people.member, w.people.other
    fake = upload(api, member, b"<svg onload=alert(1)>", "image/png")
    response = api.post(f"/api/posts/topics/{w.id}/posts", json={"title": "x", "image_id": fake},
                        headers=member.headers)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["code"] == "image_invalid"
    theirs = upload(api, member, PNG)
    response = api.post(f"/api/posts/topics/{w.id}/posts", json={"title": "x", "image_id": theirs},
                        headers=other.headers)
    assert response.status_code == 422
    too_big = api.post("/api/posts/images/upload-url", json={"content_type": "image/png", "size": 50 * 1024 * 1024},
                       headers=member.headers)
    assert too_big.status_code == 413


# ---------------------------------------------------------------------------------------------------------
# events


def test_each_write_publishes_its_event_to_the_topic_group_after_it_succeeded(api, host, world):
    w = world()
    p = w.people
    group = f"topic_{w.id}"
    post = new_post(api, w.id, p.member)
    ok(api.put(f"/api/posts/{post['id']}", json={"content": "edited"}, headers=p.member.headers))
    ok(api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}, headers=p.other.headers))
    ok(api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}, headers=p.other.headers))  # no change, no event
    ok(api.delete(f"/api/posts/{post['id']}", headers=p.member.headers), 204)
    events = [e for e in host.events(group=group) if e["data"].get("post_id", e["data"].get("id")) == post["id"]]
    assert [e["type"] for e in events] == ["new_post", "post_updated", "post_voted", "post_deleted"]
    assert events[0]["data"]["title"] == post["title"] and events[1]["data"]["content"] == "edited"
    assert events[2]["data"] == {"post_id": post["id"], "topic_id": w.id, "upvote_count": 1, "downvote_count": 0,
                                 "score": 1}
    assert "user_vote" not in events[0]["data"] and "moderation" not in events[0]["data"]
    refused = api.put(f"/api/posts/{post['id']}", json={"content": "x"}, headers=p.other.headers)
    assert refused.status_code in (403, 404)
    assert len([e for e in host.events(group=group) if e["type"] == "post_updated"]) == 1


def test_a_muted_member_reads_but_may_not_post_comment_or_vote_until_unmuted(api, world):
    w = world()
    p = w.people
    muted = p.spares[1]
    post = new_post(api, w.id, p.member)
    ok(api.post(f"/api/topics/{w.id}/mute", json={"user_id": muted.id}, headers=p.moderator.headers))
    assert ok(api.get(f"/api/posts/{post['id']}", headers=muted.headers))["id"] == post["id"]
    for method, url, body in (("POST", f"/api/posts/topics/{w.id}/posts", {"title": "hi"}),
                              ("POST", f"/api/comments/posts/{post['id']}/comments", {"content": "hi"}),
                              ("PUT", f"/api/posts/{post['id']}/vote", {"value": 1})):
        response = api.request(method, url, json=body, headers=muted.headers)
        assert response.status_code == 403 and response.json()["error"]["code"] == "muted_in_topic", url
    ok(api.post(f"/api/topics/{w.id}/unmute", json={"user_id": muted.id}, headers=p.moderator.headers))
    new_comment(api, post["id"], muted)


def test_the_timer_lowers_the_hot_rank_as_posts_age(api, host, world):
    from shared import clock, wiring
    from shared.domain.communities.content_ids import POSTS
    from shared.ports import Patch

    w = world()
    post = new_post(api, w.id, w.people.member)
    yesterday = clock.later_iso(hours=-24)
    host.run(lambda: wiring.documents().patch(POSTS, w.id, post["id"], [Patch("set", "/created_at", yesterday)]))
    host.run_timer("refresh_post_hot_ranks")
    aged = ok(api.get(f"/api/posts/{post['id']}"))
    assert aged["hot_rank"] == pytest.approx(ranking.hot_rank(0, yesterday), rel=0.01)
    assert aged["hot_rank"] < post["hot_rank"] / 10


def test_deleting_an_account_withdraws_its_votes_and_leaves_tombstones(api, host, world):
    from tests.support.users import signup

    w = world()
    leaver = signup(host)
    post = new_post(api, w.id, w.people.member)
    mine = new_post(api, w.id, leaver, content="my words")
    comment = new_comment(api, post["id"], leaver, "my comment")
    ok(api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}, headers=leaver.headers))
    ok(api.post("/api/auth/delete-account", json={"password": leaver.password}, headers=leaver.headers), 202)
    host.drain()
    after = ok(api.get(f"/api/posts/{post['id']}"))
    assert (after["score"], after["upvote_count"], after["comment_count"]) == (0, 0, 0)
    assert api.get(f"/api/posts/{mine['id']}").status_code == 404
    stub = ok(api.get(f"/api/comments/{comment['id']}"))
    assert stub["content"] is None and stub["author_id"] is None and stub["state"] == "deleted"
    assert leaver.username not in api.get(f"/api/comments/posts/{post['id']}/comments").text


def test_posting_is_rate_limited_per_user(api, world):
    w = world()
    for _ in range(20):
        new_post(api, w.id, w.people.spares[2])
    refused = api.post(f"/api/posts/topics/{w.id}/posts", json={"title": "one more"},
                       headers=w.people.spares[2].headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    new_post(api, w.id, w.people.spares[3])  # a budget per user
