"""People and topics for the community API suites (topics, posts, comments, notifications, realtime).

`make_people` signs up, through the real register -> mail -> verify -> login flow, one user per part a caller
can play in a topic (owner, moderator, member, banned user, other user, administrator) plus four spares that
moderation and invitations act on; `build_world` makes a fresh topic in which they hold those parts, through the
HTTP API only. The suites create, join, invite, post and vote far more than the per-user limits allow a person,
so the builders empty those windows first; the limits themselves have tests of their own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.users import TestUser, signup

ROLES = ("anonymous", "other", "banned", "member", "moderator", "owner", "admin")

__all__ = ["ROLES", "People", "World", "build_world", "create_topic", "enter", "everyone", "forget_user_limits",
           "make_people", "new_comment", "new_post", "new_title", "ok", "principal_of", "reset_topic_quota",
           "seed_comment", "seed_post", "signup"]


@dataclass
class People:
    owner: TestUser
    moderator: TestUser
    member: TestUser
    banned: TestUser
    other: TestUser
    admin: TestUser
    spares: list[TestUser]

    def headers(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else getattr(self, role).headers


@dataclass
class World:
    topic: dict[str, Any]
    people: People

    @property
    def id(self) -> str:
        return self.topic["id"]


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url.path} -> " \
                                           f"{response.status_code}: {response.text}"
    body = response.json() if response.content else None
    return body["data"] if body else None


def make_people(host) -> People:
    return People(owner=signup(host), moderator=signup(host), member=signup(host), banned=signup(host),
                  other=signup(host), admin=signup(host, admin=True), spares=[signup(host) for _ in range(4)])


def new_title(prefix: str = "Topic") -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


TOPIC_RATE_RULES = ("topic_create", "topic_invite", "topic_join", "topic_alias")
WRITE_RATE_RULES = ("posts_create", "posts_write", "comments_create", "comments_write", "votes")


def forget_user_limits(host, *users: TestUser, rules: tuple[str, ...] = TOPIC_RATE_RULES + WRITE_RATE_RULES) -> None:
    """Empties the per-user rate-limit windows of these users (test setup only)."""
    from shared import wiring

    keys = [f"rl:{rule}:user:{user.id}" for rule in rules for user in users]
    host.run(lambda: wiring.kv().delete(*keys))


def reset_topic_quota(host, *users: TestUser) -> None:
    forget_user_limits(host, *users, rules=TOPIC_RATE_RULES)


def create_topic(host, owner: TestUser, *, private: bool = False, **fields: Any) -> dict[str, Any]:
    reset_topic_quota(host, owner)
    body = {"title": new_title(), "description": "somewhere to talk", "require_approval": private, **fields}
    return ok(host.api.post("/api/topics", json=body, headers=owner.headers), 201)


def enter(api: httpx.Client, topic: dict[str, Any], owner: TestUser, user: TestUser) -> None:
    """Makes `user` a member: joins a public topic, or is invited by the owner and accepts."""
    if topic["visibility"] == "public":
        assert ok(api.post(f"/api/topics/{topic['id']}/join", headers=user.headers))["status"] == "joined"
        return
    ok(api.post(f"/api/topics/{topic['id']}/invite", json={"user_id": user.id}, headers=owner.headers), 201)
    ok(api.post(f"/api/topics/invitations/inv_{topic['id']}/accept", headers=user.headers))


def everyone(people: People) -> list[TestUser]:
    return [people.owner, people.moderator, people.member, people.banned, people.other, people.admin,
            *people.spares]


def build_world(host, people: People, *, private: bool = False, spares_join: bool = True, **fields: Any) -> World:
    api = host.api
    forget_user_limits(host, *everyone(people))
    topic = create_topic(host, people.owner, private=private, **fields)
    for user in (people.moderator, people.member, people.banned, *(people.spares if spares_join else [])):
        enter(api, topic, people.owner, user)
    ok(api.post(f"/api/topics/{topic['id']}/moderators", json={"user_id": people.moderator.id},
                headers=people.owner.headers))
    ok(api.post(f"/api/topics/{topic['id']}/ban", json={"user_id": people.banned.id, "reason": "spam"},
                headers=people.owner.headers))
    return World(topic=topic, people=people)


def new_post(api: httpx.Client, topic_id: str, user: TestUser, **fields: Any) -> dict[str, Any]:
    body = {"title": f"Post {uuid.uuid4().hex[:8]}", "content": "Some **markdown**.", **fields}
    return ok(api.post(f"/api/posts/topics/{topic_id}/posts", json=body, headers=user.headers), 201)


def new_comment(api: httpx.Client, post_id: str, user: TestUser, content: str | None = None, *,
                parent: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {"content": content or f"Comment {uuid.uuid4().hex[:8]}", **fields}
    if parent:
        return ok(api.post(f"/api/comments/{parent}/reply", json=body, headers=user.headers), 201)
    return ok(api.post(f"/api/comments/posts/{post_id}/comments", json=body, headers=user.headers), 201)


def principal_of(user: TestUser, *, admin: bool = False):
    from shared.domain.identity import Principal

    return Principal(user_id=user.id, username=user.username, is_admin=admin, sid="", token_hash="", csrf="")


def seed_post(host, topic_id: str, user: TestUser, **fields: Any) -> dict[str, Any]:
    """A post made through the domain on the host's loop: the same code path as the route, without its rate
    limit, for suites that need many posts."""
    from shared.domain.communities.post_models import PostCreate
    from shared.domain.communities.posts import check_create_post

    body = PostCreate(**{"title": f"Post {uuid.uuid4().hex[:8]}", "content": "seeded", **fields})
    return host.run(lambda: check_create_post(principal_of(user), topic_id, body)).model_dump(mode="json")


def seed_comment(host, post_id: str, user: TestUser, content: str = "seeded", *, parent: str | None = None,
                 use_anonymous: bool = False) -> dict[str, Any]:
    from shared.domain.communities.comment_models import CommentCreate
    from shared.domain.communities.comments import check_create_comment

    body = CommentCreate(content=content, parent_id=parent, use_anonymous=use_anonymous)
    return host.run(lambda: check_create_comment(principal_of(user), post_id, body)).model_dump(mode="json")
