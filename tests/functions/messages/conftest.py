"""Helpers of the chat API suites: rooms made through the HTTP API, with the people of
tests/support/communities.py (owner, moderator, member, banned, other, admin, spares) in their parts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from tests.support.communities import People, World, everyone, forget_user_limits, ok
from tests.support.users import TestUser

CHAT_RATE_RULES = ("room_create", "room_join", "room_invite", "chat_send", "chat_write", "chat_react",
                   "chat_attachments")


def forget_chat_limits(host, *users: TestUser) -> None:
    forget_user_limits(host, *users, rules=CHAT_RATE_RULES)


def code(response) -> str:
    """The error code of a refusal."""
    return response.json()["error"]["code"]


def room_name(prefix: str = "Room") -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


@dataclass
class ChatRoom:
    """A room in which the people hold the parts their names say: the owner made it, the moderator moderates,
    the member joined (or was invited and accepted), the banned user is banned (from the room, and from the
    topic by build_world); the other user is nothing here."""

    room: dict[str, Any]
    world: World

    @property
    def id(self) -> str:
        return self.room["id"]

    @property
    def people(self) -> People:
        return self.world.people


def make_member(host, room: dict[str, Any], owner: TestUser, user: TestUser) -> None:
    api = host.api
    if room["is_public"]:
        ok(api.post(f"/api/chat-rooms/{room['id']}/join", headers=user.headers))
        return
    ok(api.post(f"/api/chat-rooms/{room['id']}/invite", json={"user_id": user.id}, headers=owner.headers), 201)
    ok(api.post(f"/api/chat-rooms/invitations/rinv_{room['id']}/accept", headers=user.headers))


def build_room(host, world: World, *, kind: str = "topic", public: bool = True, spares: bool = False) -> ChatRoom:
    """A fresh room in the world's topic (kind "topic") or a group chat (kind "group"), with every part held."""
    api, p = host.api, world.people
    forget_chat_limits(host, *everyone(p))
    if kind == "group":
        room = ok(api.post("/api/chat-rooms/group", json={"name": room_name("Group")}, headers=p.owner.headers), 201)
    else:
        room = ok(api.post(f"/api/chat-rooms/topics/{world.id}/conversations",
                           json={"name": room_name(), "is_public": public}, headers=p.owner.headers), 201)
    for user in (p.moderator, p.member, *(p.spares if spares else [])):
        make_member(host, room, p.owner, user)
    ok(api.post(f"/api/chat-rooms/{room['id']}/moderators", json={"user_id": p.moderator.id},
                headers=p.owner.headers))
    ok(api.post(f"/api/chat-rooms/{room['id']}/ban/{p.banned.id}", json={"reason": "spam"}, headers=p.owner.headers))
    return ChatRoom(room=room, world=world)
