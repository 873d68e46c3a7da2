"""Counts stay exact under concurrent requests, through the HTTP API (both stacks)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.communities import new_comment, new_post, ok, signup


def at_once(requests):
    """Fires the (method, url, kwargs) requests together, one client each, and returns the responses."""
    def send(request):
        method, url, kwargs = request
        with httpx.Client(base_url=url[0], timeout=60) as client:
            return client.request(method, url[1], **kwargs)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_fifty_users_voting_at_once_give_a_score_of_exactly_fifty(api, host, world):
    w = world()
    voters = [signup(host) for _ in range(50)]
    post = new_post(api, w.id, w.people.member)
    comment = new_comment(api, post["id"], w.people.member)
    requests = [("PUT", (host.url, f"/api/posts/{post['id']}/vote"), {"json": {"value": 1}, "headers": v.headers})
                for v in voters]
    requests += [("PUT", (host.url, f"/api/comments/{comment['id']}/vote"),
                  {"json": {"value": -1}, "headers": v.headers}) for v in voters]
    responses = at_once(requests)
    assert [r.status_code for r in responses] == [200] * 100
    got = ok(api.get(f"/api/posts/{post['id']}"))
    assert (got["score"], got["upvote_count"], got["downvote_count"]) == (50, 50, 0)
    tree = ok(api.get(f"/api/comments/posts/{post['id']}/comments"))["items"]
    assert (tree[0]["score"], tree[0]["downvote_count"]) == (-50, 50)
    voted = [e for e in host.events(group=f"topic_{w.id}", type="post_voted") if e["data"]["post_id"] == post["id"]]
    assert len(voted) == 50 and max(e["data"]["score"] for e in voted) == 50


def test_one_users_twenty_identical_votes_at_once_count_once(api, host, world):
    w = world()
    voter = w.people.other
    post = new_post(api, w.id, w.people.member)
    requests = [("PUT", (host.url, f"/api/posts/{post['id']}/vote"), {"json": {"value": 1}, "headers": voter.headers})
                for _ in range(20)]
    responses = at_once(requests)
    assert {r.status_code for r in responses} == {200}
    # each answers the caller's vote; a no-op may read the counters while the winner's increment is in flight
    assert {r.json()["data"]["user_vote"] for r in responses} == {1}
    got = ok(api.get(f"/api/posts/{post['id']}", headers=voter.headers))
    assert (got["score"], got["upvote_count"], got["user_vote"]) == (1, 1, 1)
    assert len([e for e in host.events(group=f"topic_{w.id}", type="post_voted")
                if e["data"]["post_id"] == post["id"]]) == 1


def test_twenty_comments_at_once_are_all_counted(api, host, world):
    w = world()
    post = new_post(api, w.id, w.people.member)
    writers = [w.people.member, w.people.owner, w.people.moderator, w.people.other]
    requests = [("POST", (host.url, f"/api/comments/posts/{post['id']}/comments"),
                 {"json": {"content": f"c{i}"}, "headers": writers[i % 4].headers}) for i in range(20)]
    assert [r.status_code for r in at_once(requests)] == [201] * 20
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 20
