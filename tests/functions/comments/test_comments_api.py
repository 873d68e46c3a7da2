"""The /api/comments routes as clients meet them: trees and their pages, create and reply, edit with history,
delete keeping the thread's shape, remove, votes, reports, follower notifications, and the events."""

from __future__ import annotations

from tests.support.communities import new_comment, new_post, ok, seed_comment, seed_post


def flatten(items):
    for item in items:
        yield item
        yield from flatten(item["replies"])


def test_comments_and_replies_come_back_as_a_tree(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    root = new_comment(api, post["id"], p.owner, "root")
    reply = new_comment(api, post["id"], p.member, "reply", parent=root["id"])
    via_body = ok(api.post(f"/api/comments/posts/{post['id']}/comments",
                           json={"content": "nested", "parent_id": reply["id"]}, headers=p.other.headers), 201)
    assert (root["depth"], reply["depth"], via_body["depth"]) == (0, 1, 2)
    assert reply["parent_id"] == root["id"]
    tree = ok(api.get(f"/api/comments/posts/{post['id']}/comments"))["items"]
    assert [c["id"] for c in tree] == [root["id"]]
    assert tree[0]["replies"][0]["id"] == reply["id"]
    assert tree[0]["replies"][0]["replies"][0]["content"] == "nested"
    assert tree[0]["reply_count"] == 1 and tree[0]["more_replies"] == 0
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 3
    single = ok(api.get(f"/api/comments/{reply['id']}"))
    assert single["content"] == "reply" and single["reply_count"] == 1


def test_root_comments_sort_top_new_and_old_and_page_without_repeats(api, host, world):
    w = world()
    p = w.people
    post = seed_post(host, w.id, p.member)
    made = [seed_comment(host, post["id"], p.member, f"c{i}") for i in range(5)]
    ok(api.put(f"/api/comments/{made[2]['id']}/vote", json={"value": 1}, headers=p.owner.headers))
    ok(api.put(f"/api/comments/{made[3]['id']}/vote", json={"value": -1}, headers=p.owner.headers))

    def order(sort):
        seen, cursor = [], None
        while True:
            params = {"sort": sort, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = ok(api.get(f"/api/comments/posts/{post['id']}/comments", params=params))
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                return seen

    ids = [c["id"] for c in made]
    assert order("old") == ids
    assert order("new") == list(reversed(ids))
    top = order("top")
    assert top[0] == ids[2] and top[-1] == ids[3] and sorted(top) == sorted(ids)


def test_a_big_thread_is_cut_with_cursors_that_fetch_the_rest_and_no_reply_is_orphaned(api, host, world,
                                                                                      monkeypatch):
    w = world()
    p = w.people
    post = seed_post(host, w.id, p.member)
    root = seed_comment(host, post["id"], p.member, "root")
    children = [seed_comment(host, post["id"], p.member, f"child {i}", parent=root["id"]) for i in range(5)]
    grandchildren = [seed_comment(host, post["id"], p.member, f"grandchild {i}", parent=children[0]["id"])
                     for i in range(3)]
    from shared.domain.communities import comments

    monkeypatch.setattr(comments, "REPLY_BUDGET", 4)  # the dev host runs in this process
    tree = ok(api.get(f"/api/comments/posts/{post['id']}/comments"))["items"]
    shown = {c["id"]: c for c in flatten(tree)}
    for comment in shown.values():
        assert comment["parent_id"] is None or comment["parent_id"] in shown
    top = tree[0]
    assert len(list(flatten([top]))) == 5  # the root and the 4 replies the budget allows
    assert top["more_replies"] == 5 - len(top["replies"]) and top["replies_cursor"]
    rest = ok(api.get(f"/api/comments/{root['id']}/replies", params={"cursor": top["replies_cursor"]}))
    all_ids = {c["id"] for c in flatten(tree)} | {c["id"] for c in flatten(rest["items"])}
    first_child = shown[children[0]["id"]]
    if first_child["more_replies"]:
        more = ok(api.get(f"/api/comments/{children[0]['id']}/replies",
                          params={"cursor": first_child["replies_cursor"]}))
        all_ids |= {c["id"] for c in flatten(more["items"])}
    assert all_ids == {root["id"], *(c["id"] for c in children), *(c["id"] for c in grandchildren)}


def test_replies_page_oldest_first_with_their_own_replies(api, host, world):
    w = world()
    post = seed_post(host, w.id, w.people.member)
    root = seed_comment(host, post["id"], w.people.member)
    kids = [seed_comment(host, post["id"], w.people.member, f"k{i}", parent=root["id"]) for i in range(5)]
    grandkid = seed_comment(host, post["id"], w.people.member, "g", parent=kids[1]["id"])
    seen, cursor = [], None
    while True:
        page = ok(api.get(f"/api/comments/{root['id']}/replies",
                          params={"limit": 2, **({"cursor": cursor} if cursor else {})}))
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [c["id"] for c in seen] == [k["id"] for k in kids]
    assert seen[1]["replies"][0]["id"] == grandkid["id"]


def test_replies_nest_at_most_ten_deep(api, host, world):
    w = world()
    post = seed_post(host, w.id, w.people.member)
    comment = seed_comment(host, post["id"], w.people.member)
    for _ in range(10):
        comment = seed_comment(host, post["id"], w.people.member, parent=comment["id"])
    assert comment["depth"] == 10
    response = api.post(f"/api/comments/{comment['id']}/reply", json={"content": "too deep"},
                        headers=w.people.member.headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "max_depth_reached"


def test_the_author_edits_with_history_and_nobody_else_may(api, world):
    w = world()
    comment = new_comment(api, new_post(api, w.id, w.people.member)["id"], w.people.member, "first")
    edited = ok(api.put(f"/api/comments/{comment['id']}", json={"content": "second"},
                        headers=w.people.member.headers))
    assert edited["content"] == "second" and edited["edit_count"] == 1
    history = ok(api.get(f"/api/comments/{comment['id']}/history"))["items"]
    assert [(h["version"], h["content"]) for h in history] == [(1, "first")]
    for user in (w.people.owner, w.people.admin):
        response = api.put(f"/api/comments/{comment['id']}", json={"content": "x"}, headers=user.headers)
        assert response.status_code == 403


def test_deleting_a_comment_removes_its_text_but_keeps_the_thread(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    parent = new_comment(api, post["id"], p.member, "secret text")
    child = new_comment(api, post["id"], p.other, "still here", parent=parent["id"])
    ok(api.delete(f"/api/comments/{parent['id']}", headers=p.member.headers), 204)
    tree = ok(api.get(f"/api/comments/posts/{post['id']}/comments"))["items"]
    assert tree[0]["id"] == parent["id"] and tree[0]["state"] == "deleted"
    assert tree[0]["content"] is None and tree[0]["author_id"] is None and tree[0]["display_name"] == "[deleted]"
    assert tree[0]["replies"][0]["id"] == child["id"] and tree[0]["replies"][0]["content"] == "still here"
    assert "secret text" not in str(tree)
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 1
    response = api.post(f"/api/comments/{parent['id']}/reply", json={"content": "x"}, headers=p.other.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "comment_not_active"


def test_a_moderator_removes_a_comment_with_a_reason_and_admins_purge_a_subtree(api, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    comment = new_comment(api, post["id"], p.member, "rude")
    reply = new_comment(api, post["id"], p.other, "agreed", parent=comment["id"])
    removed = ok(api.post(f"/api/comments/{comment['id']}/remove", json={"reason": "be nice"},
                          headers=p.moderator.headers))
    assert removed["state"] == "removed" and removed["removal_reason"] == "be nice"
    public = ok(api.get(f"/api/comments/{comment['id']}", headers=p.other.headers))
    assert public["content"] is None and public["display_name"] == "[removed]"
    assert ok(api.get(f"/api/comments/{comment['id']}", headers=p.member.headers))["content"] == "rude"
    assert api.post(f"/api/comments/{comment['id']}/remove", json={"reason": "nope"},
                    headers=p.member.headers).status_code == 403
    for user in (p.member, p.moderator, p.owner):
        response = api.delete(f"/api/comments/{comment['id']}", params={"mode": "hard"}, headers=user.headers)
        assert response.status_code == 403
    ok(api.delete(f"/api/comments/{comment['id']}", params={"mode": "hard"}, headers=p.admin.headers), 204)
    assert api.get(f"/api/comments/{reply['id']}").status_code == 404
    assert ok(api.get(f"/api/comments/posts/{post['id']}/comments"))["items"] == []
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 0


def test_comment_votes_are_idempotent_and_toggle_like_before(api, world):
    w = world()
    comment = new_comment(api, new_post(api, w.id, w.people.member)["id"], w.people.member)
    url = f"/api/comments/{comment['id']}"
    other = w.people.other
    assert ok(api.put(f"{url}/vote", json={"value": 1}, headers=other.headers))["score"] == 1
    assert ok(api.put(f"{url}/vote", json={"value": 1}, headers=other.headers))["score"] == 1
    assert ok(api.post(f"{url}/upvote", headers=other.headers))["score"] == 0
    assert ok(api.post(f"{url}/downvote", headers=other.headers))["downvote_count"] == 1
    tree = ok(api.get(f"/api/comments/posts/{comment['post_id']}/comments", headers=other.headers))["items"]
    assert tree[0]["user_vote"] == -1
    assert ok(api.get(f"/api/comments/posts/{comment['post_id']}/comments"))["items"][0]["user_vote"] == 0


def test_a_comment_is_reported_once(api, world):
    w = world()
    comment = new_comment(api, new_post(api, w.id, w.people.member)["id"], w.people.member)
    ok(api.post(f"/api/comments/{comment['id']}/report", json={"reason": "spam"}, headers=w.people.other.headers),
       201)
    again = api.post(f"/api/comments/{comment['id']}/report", json={"reason": "spam"},
                     headers=w.people.other.headers)
    assert again.status_code == 409
    queue = ok(api.get(f"/api/posts/topics/{w.id}/reports", headers=w.people.owner.headers))["items"]
    assert [(r["target_type"], r["target_id"]) for r in queue] == [("comment", comment["id"])]


def test_followers_and_the_parent_author_are_notified_through_the_queue_once(api, host, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    ok(api.post(f"/api/posts/{post['id']}/follow", headers=p.other.headers))
    parent = new_comment(api, post["id"], p.owner, "question")
    reply = new_comment(api, post["id"], p.moderator, "answer", parent=parent["id"])
    host.drain()
    host.drain()

    def kinds(user):
        items = ok(api.get("/api/notifications", params={"limit": 100}, headers=user.headers))["items"]
        return sorted((n["type"], n["data"].get("comment_id")) for n in items if n["data"]["post_id"] == post["id"])

    assert kinds(p.member) == sorted([("comment", parent["id"]), ("comment", reply["id"])])
    assert kinds(p.other) == sorted([("comment", parent["id"]), ("comment", reply["id"])])
    assert kinds(p.owner) == [("reply", reply["id"])]
    assert kinds(p.moderator) == []


def test_each_comment_write_publishes_to_the_post_group(api, host, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member)
    comment = new_comment(api, post["id"], p.member, "hello")
    ok(api.put(f"/api/comments/{comment['id']}", json={"content": "hello again"}, headers=p.member.headers))
    ok(api.put(f"/api/comments/{comment['id']}/vote", json={"value": -1}, headers=p.other.headers))
    ok(api.delete(f"/api/comments/{comment['id']}", headers=p.member.headers), 204)
    events = host.events(group=f"post_{post['id']}")
    assert [e["type"] for e in events] == ["new_comment", "comment_updated", "comment_voted", "comment_deleted"]
    assert events[0]["data"]["content"] == "hello" and events[1]["data"]["content"] == "hello again"
    assert events[2]["data"] == {"comment_id": comment["id"], "post_id": post["id"], "upvote_count": 0,
                                 "downvote_count": 1, "score": -1}
    assert events[3]["data"]["comment_id"] == comment["id"]


def test_bad_comment_input_is_a_422_naming_the_field(api, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    for body, field in (({}, "body.content"), ({"content": ""}, "body.content"),
                        ({"content": "x" * 20_001}, "body.content"), ({"content": "x", "bogus": 1}, "body.bogus")):
        response = api.post(f"/api/comments/posts/{post['id']}/comments", json=body, headers=w.people.member.headers)
        assert response.status_code == 422, body
        assert field in [d["field"] for d in response.json()["error"]["details"]]
    foreign = api.post(f"/api/comments/posts/{post['id']}/comments",
                       json={"content": "x", "parent_id": f"{post['id']}_0123456789ab"},
                       headers=w.people.member.headers)
    assert foreign.status_code == 404
