"""People and topics for the topics API suites.

`people` signs up, through the real register -> mail -> verify -> login flow, one user per part a caller can
play in a topic (owner, moderator, member, banned user, other user, administrator) plus four spare users that
moderation and invitations act on. `world(private=...)` builds a fresh topic in which they hold those parts,
through the HTTP API only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.users import TestUser, signup

ROLES = ("anonymous", "other", "banned", "member", "moderator", "owner", "admin")


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


@pytest.fixture(scope="module")
def people(host) -> People:
    return People(owner=signup(host), moderator=signup(host), member=signup(host), banned=signup(host),
                  other=signup(host), admin=signup(host, admin=True), spares=[signup(host) for _ in range(4)])


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json() if response.content else None
    return body["data"] if body else None


def new_title(prefix: str = "Topic") -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


TOPIC_RATE_RULES = ("topic_create", "topic_invite", "topic_join", "topic_alias")


def reset_topic_quota(host, *users: TestUser) -> None:
    """Suites create, join and invite far more than the per-user limits allow a person in an hour; the limits
    themselves are tested on their own (test_topic_creation_is_rate_limited_per_user), so here their windows
    are emptied first."""

    async def reset() -> None:
        from shared import wiring

        await wiring.kv().delete(*(f"rl:{rule}:user:{user.id}" for rule in TOPIC_RATE_RULES for user in users))

    host.run(reset)


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


@dataclass
class World:
    topic: dict[str, Any]
    people: People

    @property
    def id(self) -> str:
        return self.topic["id"]


def build_world(host, people: People, *, private: bool = False, spares_join: bool = True) -> World:
    api = host.api
    reset_topic_quota(host, people.owner, people.moderator, people.member, people.banned, people.other,
                      people.admin, *people.spares)
    topic = create_topic(host, people.owner, private=private)
    joining = [people.moderator, people.member, people.banned, *(people.spares if spares_join else [])]
    for user in joining:
        enter(api, topic, people.owner, user)
    ok(api.post(f"/api/topics/{topic['id']}/moderators", json={"user_id": people.moderator.id},
                headers=people.owner.headers))
    ok(api.post(f"/api/topics/{topic['id']}/ban", json={"user_id": people.banned.id, "reason": "spam"},
                headers=people.owner.headers))
    return World(topic=topic, people=people)


