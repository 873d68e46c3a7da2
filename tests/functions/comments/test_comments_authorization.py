"""Who may call each /api/comments route: every route against every part a caller can play in a topic
(anonymous, other, banned, member, moderator, owner, admin), in a public and in an invite-only topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.communities import ROLES, seed_comment, seed_post

ANON, OTHER, BANNED, MEMBER, MOD, OWNER, ADMIN = ROLES


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # "{post}" and "{comment}" are filled in
    expected: dict[str, int]
    body: Any = None
    params: Any = None
    fresh: bool = False


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


READ = row(200, 200, 200, 200, 200, 200, 200)
WRITE = row(401, 201, 403, 201, 201, 201, 201)
VOTE = row(401, 200, 403, 200, 200, 200, 200)
CASES = [
    Case("list comments", "GET", "/api/comments/posts/{post}/comments", READ),
    Case("create comment", "POST", "/api/comments/posts/{post}/comments", WRITE, body={"content": "hi"}),
    Case("reply", "POST", "/api/comments/{comment}/reply", WRITE, body={"content": "hi"}),
    Case("get comment", "GET", "/api/comments/{comment}", READ),
    Case("replies", "GET", "/api/comments/{comment}/replies", READ),
    Case("history", "GET", "/api/comments/{comment}/history", READ),
    Case("edit", "PUT", "/api/comments/{comment}", row(401, 403, 403, 200, 403, 403, 403),
         body={"content": "changed"}, fresh=True),
    Case("delete", "DELETE", "/api/comments/{comment}", row(401, 403, 403, 204, 204, 204, 204), fresh=True),
    Case("hard delete", "DELETE", "/api/comments/{comment}", row(401, 403, 403, 403, 403, 403, 204),
         params={"mode": "hard"}, fresh=True),
    Case("vote", "PUT", "/api/comments/{comment}/vote", VOTE, body={"value": -1}),
    Case("upvote", "POST", "/api/comments/{comment}/upvote", VOTE, fresh=True),
    Case("downvote", "POST", "/api/comments/{comment}/downvote", VOTE, fresh=True),
    Case("remove", "POST", "/api/comments/{comment}/remove", row(401, 403, 403, 403, 200, 200, 200),
         body={"reason": "be kind"}, fresh=True),
    # the member wrote the target: nobody reports their own content (409 cannot_report_self, docs/moderation.md)
    Case("report", "POST", "/api/comments/{comment}/report", row(401, 201, 201, 409, 201, 201, 201),
         body={"reason": "spam"}, fresh=True),
]
OPTIONAL_AUTH = {"list comments", "get comment", "replies", "history"}
REFUSAL_CODES = {401: {"unauthorized"}, 404: {"post_not_found", "comment_not_found", "topic_not_found"},
                 403: {"banned_from_topic", "not_author", "admin_required", "missing_permission"},
                 409: {"cannot_report_self"}}


@pytest.fixture(scope="module")
def targets(host, public, private, people):
    found = {}
    for world in (public, private):
        post = seed_post(host, world.id, people.member)
        found[world.id] = (post, seed_comment(host, post["id"], people.member))
    return found


def call(api, host, world, targets, case: Case, role: str):
    post, comment = targets[world.id]
    if case.fresh:
        comment = seed_comment(host, post["id"], world.people.member)
    path = case.path.format(post=post["id"], comment=comment["id"])
    return api.request(case.method, path, json=case.body, params=case.params, headers=world.people.headers(role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_public_topic_matrix(api, host, public, targets, case, role):
    response = call(api, host, public, targets, case, role)
    expected = case.expected[role]
    assert response.status_code == expected, response.text
    if expected in REFUSAL_CODES:
        assert response.json()["error"]["code"] in REFUSAL_CODES[expected]


@pytest.mark.parametrize("role", [ANON, OTHER])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_invite_only_topic_hides_its_comments_from_outsiders(api, host, private, targets, case, role):
    response = call(api, host, private, targets, case, role)
    expected = 404 if role == OTHER or case.name in OPTIONAL_AUTH else 401
    assert response.status_code == expected, response.text
    assert response.json()["error"]["code"] in REFUSAL_CODES[expected]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_members_of_an_invite_only_topic_get_what_members_of_a_public_one_get(api, host, private, targets, case):
    response = call(api, host, private, targets, case, MEMBER)
    assert response.status_code == case.expected[MEMBER], response.text
