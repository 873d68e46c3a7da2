"""Who may call each /api/posts route: every route against every part a caller can play in a topic.

Parts: anonymous (no token), other (signed in, not a member), banned (banned in the topic), member, moderator
(all permissions), owner, admin. Each cell is the status the route answers; refusals also name their code.
Targets (a post by the member) are made fresh for every cell that changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.communities import ROLES, ok, seed_post

ANON, OTHER, BANNED, MEMBER, MOD, OWNER, ADMIN = ROLES


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # "{topic}" and "{post}" are filled in
    expected: dict[str, int]
    body: Any = None
    params: Any = None
    fresh: bool = False  # needs its own target post
    prepare: str | None = None  # "remove": the target is removed first (for restore)


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


READ = row(200, 200, 200, 200, 200, 200, 200)
MODERATE = row(401, 403, 403, 403, 200, 200, 200)
CASES = [
    Case("list posts", "GET", "/api/posts/topics/{topic}/posts", READ),
    Case("create post", "POST", "/api/posts/topics/{topic}/posts", row(401, 201, 403, 201, 201, 201, 201),
         body={"title": "hello"}),
    Case("get post", "GET", "/api/posts/{post}", READ),
    Case("post history", "GET", "/api/posts/{post}/history", READ),
    Case("edit post", "PUT", "/api/posts/{post}", row(401, 403, 403, 200, 403, 403, 403),
         body={"content": "changed"}, fresh=True),
    Case("delete post", "DELETE", "/api/posts/{post}", row(401, 403, 403, 204, 204, 204, 204), fresh=True),
    Case("hard delete post", "DELETE", "/api/posts/{post}", row(401, 403, 403, 403, 403, 403, 204),
         params={"mode": "hard"}, fresh=True),
    Case("vote", "PUT", "/api/posts/{post}/vote", row(401, 200, 403, 200, 200, 200, 200), body={"value": 1}),
    Case("upvote", "POST", "/api/posts/{post}/upvote", row(401, 200, 403, 200, 200, 200, 200), fresh=True),
    Case("downvote", "POST", "/api/posts/{post}/downvote", row(401, 200, 403, 200, 200, 200, 200), fresh=True),
    Case("follow", "POST", "/api/posts/{post}/follow", row(401, 200, 200, 200, 200, 200, 200)),
    Case("unfollow", "DELETE", "/api/posts/{post}/follow", row(401, 200, 200, 200, 200, 200, 200)),
    # the member wrote the target: nobody reports their own content (409 cannot_report_self, docs/moderation.md)
    Case("report", "POST", "/api/posts/{post}/report", row(401, 201, 201, 409, 201, 201, 201),
         body={"reason": "spam"}, fresh=True),
    Case("remove", "POST", "/api/posts/{post}/remove", MODERATE, body={"reason": "off topic"}, fresh=True),
    # a removed post is hidden from everyone but its author and the moderators
    Case("restore", "POST", "/api/posts/{post}/restore", row(401, 404, 404, 403, 200, 200, 200), fresh=True,
         prepare="remove"),
    Case("lock", "POST", "/api/posts/{post}/lock", MODERATE, fresh=True),
    Case("unlock", "POST", "/api/posts/{post}/unlock", MODERATE, fresh=True),
    Case("pin", "POST", "/api/posts/{post}/pin", MODERATE, fresh=True),
    Case("unpin", "POST", "/api/posts/{post}/unpin", MODERATE, fresh=True),
    Case("reports queue", "GET", "/api/posts/topics/{topic}/reports", MODERATE),
    Case("feed", "GET", "/api/posts/feed", READ),
    Case("recent", "GET", "/api/posts/recent", READ),
    Case("image upload url", "POST", "/api/posts/images/upload-url", row(401, 201, 201, 201, 201, 201, 201),
         body={"content_type": "image/png", "size": 100}),
]
# In an invite-only topic everything about it is invisible to outsiders (404), as if it did not exist.
HIDDEN = {"list posts": (404, 404), "create post": (401, 404), "get post": (404, 404), "post history": (404, 404),
          "edit post": (401, 404), "delete post": (401, 404), "hard delete post": (401, 404), "vote": (401, 404),
          "upvote": (401, 404), "downvote": (401, 404), "follow": (401, 404), "unfollow": (401, 404),
          "report": (401, 404), "remove": (401, 404), "restore": (401, 404), "lock": (401, 404),
          "unlock": (401, 404), "pin": (401, 404), "unpin": (401, 404), "reports queue": (401, 404)}
REFUSAL_CODES = {401: {"unauthorized"}, 404: {"post_not_found", "topic_not_found"},
                 403: {"banned_from_topic", "not_author", "admin_required", "missing_permission"},
                 409: {"cannot_report_self"}}


@pytest.fixture(scope="module")
def shared_posts(host, public, private, people):
    return {public.id: seed_post(host, public.id, people.member),
            private.id: seed_post(host, private.id, people.member)}


def call(api, host, world, shared_posts, case: Case, role: str):
    people = world.people
    post = shared_posts[world.id]
    if case.fresh:
        post = seed_post(host, world.id, people.member)
        if case.prepare == "remove":
            ok(api.post(f"/api/posts/{post['id']}/remove", json={"reason": "prepared"},
                        headers=people.owner.headers))
        if case.name in ("unlock", "unpin"):
            ok(api.post(f"/api/posts/{post['id']}/{case.name[2:]}", headers=people.owner.headers))
    path = case.path.format(topic=world.id, post=post["id"])
    response = api.request(case.method, path, json=case.body, params=case.params, headers=people.headers(role))
    if case.name in ("pin", "unpin"):  # a topic pins at most five posts: keep the shared topic under that
        ok(api.post(f"/api/posts/{post['id']}/unpin", headers=people.owner.headers))
    return response


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_public_topic_matrix(api, host, public, shared_posts, case, role):
    response = call(api, host, public, shared_posts, case, role)
    expected = case.expected[role]
    assert response.status_code == expected, response.text
    if expected in REFUSAL_CODES:
        assert response.json()["error"]["code"] in REFUSAL_CODES[expected]


@pytest.mark.parametrize("role", [ANON, OTHER])
@pytest.mark.parametrize("case", [c for c in CASES if c.name in HIDDEN], ids=[c.name for c in CASES
                                                                             if c.name in HIDDEN])
def test_an_invite_only_topic_is_invisible_to_outsiders(api, host, private, shared_posts, case, role):
    response = call(api, host, private, shared_posts, case, role)
    expected = HIDDEN[case.name][0 if role == ANON else 1]
    assert response.status_code == expected, response.text
    assert response.json()["error"]["code"] in REFUSAL_CODES[expected]


@pytest.mark.parametrize("case", [c for c in CASES if c.name in HIDDEN], ids=[c.name for c in CASES
                                                                             if c.name in HIDDEN])
def test_members_of_an_invite_only_topic_get_what_members_of_a_public_one_get(api, host, private, shared_posts,
                                                                               case):
    response = call(api, host, private, shared_posts, case, MEMBER)
    assert response.status_code == case.expected[MEMBER], response.text


def test_the_feed_of_an_outsider_holds_nothing_from_an_invite_only_topic(api, private, shared_posts, people):
    secret = shared_posts[private.id]["id"]
    for headers in ({}, people.other.headers):
        items = ok(api.get("/api/posts/feed", params={"limit": 100}, headers=headers))["items"]
        assert secret not in [i["id"] for i in items]
