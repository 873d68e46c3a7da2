"""Helpers of the direct-message suites: fresh pairs of users (signed up through the HTTP API) per test."""

from __future__ import annotations

from typing import Any

from tests.support.communities import forget_user_limits, ok
from tests.support.users import TestUser, signup

DM_RATE_RULES = ("dm_send", "dm_write", "dm_react")


def forget_dm_limits(host, *users: TestUser) -> None:
    forget_user_limits(host, *users, rules=DM_RATE_RULES)


def code(response) -> str:
    return response.json()["error"]["code"]


def pair(host) -> tuple[TestUser, TestUser]:
    return signup(host), signup(host)


def dm(api, sender: TestUser, to: TestUser, content: str = "hello", **fields: Any) -> dict[str, Any]:
    return ok(api.post("/api/messages/private", json={"to_user_id": to.id, "content": content, **fields},
                       headers=sender.headers), 201)


def history(api, user: TestUser, other: TestUser, **query: Any) -> dict[str, Any]:
    return ok(api.get("/api/messages/private", params={"other_user_id": other.id, **query}, headers=user.headers))


def conversations(api, user: TestUser, **query: Any) -> list[dict[str, Any]]:
    return ok(api.get("/api/messages/private/conversations", params=query, headers=user.headers))["items"]


def events_for(host, user: TestUser, type: str) -> list[dict[str, Any]]:
    return [e["data"] for e in host.events(group=f"user_{user.id}", type=type)]
