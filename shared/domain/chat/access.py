"""The access gate for chat rooms: the one place that decides who may see a room and act in it.

- A topic conversation lives inside its topic: whoever may not see the topic (communities/access.py) gets 404
  `room_not_found`, and its realtime group is recorded under the topic's scope too, so losing the topic drops
  the room. A group chat is always private.
- A private room (every group chat, and private topic conversations) is 404 to non-members; administrators see
  every room. A room pending deletion is 404 to everyone but administrators.
- A user banned from a room gets 403 `banned_from_room` on everything in it (a private room's banned user is no
  member, so 404 first).
- Powers: the room's owner, the topic's owner (topic conversations) and administrators *manage* (rename,
  settings, moderators, delete); they and the room's moderators, and topic moderators holding `ban_users`,
  *moderate* (ban, kick, invite, remove messages).

Cost: the room's point read, for topic conversations the topic's gate (two reads), and one read_many of the
caller's member and ban edges, all at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from shared import clock
from shared.domain.chat.containers import (
    ban_id,
    general_room_id,
    member_id,
    room_not_found,
    room_partition,
)
from shared.domain.chat.documents import RoomBanDoc, RoomDoc, RoomMemberDoc, room_docs, room_edge_docs
from shared.domain.communities.access import TopicAccess, access_topic
from shared.domain.identity import Principal
from shared.domain.realtime.groups import Scope
from shared.errors import Conflict, Forbidden, NotFound

Role = Literal["none", "member", "moderator", "owner"]


@dataclass(frozen=True)
class RoomAccess:
    room: RoomDoc
    topic: TopicAccess | None
    user_id: str | None
    is_admin: bool
    member: RoomMemberDoc | None
    ban: RoomBanDoc | None

    @property
    def room_id(self) -> str:
        return self.room["id"]

    @property
    def is_private(self) -> bool:
        return self.room.get("visibility") == "private"

    @property
    def is_member(self) -> bool:
        return self.member is not None

    @property
    def banned(self) -> bool:
        return self.ban is not None

    @property
    def role(self) -> Role:
        if self.user_id is None:
            return "none"
        if self.room.get("owner_id") == self.user_id:
            return "owner"
        if self.member is None:
            return "none"
        return "moderator" if self.member.get("role") == "moderator" else "member"

    @property
    def manages(self) -> bool:
        return self.is_admin or self.role == "owner" or (self.topic is not None and self.topic.is_owner)

    @property
    def moderates(self) -> bool:
        return self.manages or self.role == "moderator" or (self.topic is not None and self.topic.can("ban_users"))

    def require_manager(self) -> None:
        if not self.manages:
            raise Forbidden("Only the room's owner may do this.", code="owner_only")

    def require_moderator(self) -> None:
        if not self.moderates:
            raise Forbidden("Only the room's moderators may do this.", code="moderators_only")

    def require_poster(self) -> None:
        """May send here: a member of a private room (anyone who sees a public one), not barred in the topic."""
        if self.is_private and not self.is_member and not self.is_admin:
            raise room_not_found()
        if self.topic is not None:
            from shared.domain.communities.access import require_not_barred

            require_not_barred(self.topic)

    def scopes(self) -> list[Scope]:
        """The realtime scopes the room's group depends on (the topic's first, for topic conversations)."""
        own = Scope("room", self.room_id)
        topic_id = self.room.get("topic_id")
        return [Scope("topic", topic_id), own] if topic_id else [own]


def banned_from_room() -> Forbidden:
    return Forbidden("You are banned from this room.", code="banned_from_room")


def may_see(access: RoomAccess) -> bool:
    if access.is_admin:
        return True
    if access.room.get("status", "active") != "active":
        return False
    return not access.is_private or access.is_member


async def ensure_general(topic: TopicAccess) -> RoomDoc:
    """The topic's built-in `general` conversation, made on first use."""
    topic_id = topic.topic_id
    room_id = general_room_id(topic_id)
    found = await room_docs.find(topic_id, room_id)
    if found is not None:
        return found
    now = clock.now_iso()
    doc: RoomDoc = {
        "id": room_id, "pk": topic_id, "kind": "topic", "topic_id": topic_id, "built_in": True, "name": "general",
        "name_key": None, "description": "", "tags": [], "owner_id": topic.topic.get("owner_id"),
        "visibility": "public", "audience": "public", "voip_enabled": True, "member_count": 0,
        "created_at": now, "updated_at": now, "last_activity": now, "status": "active"}
    try:
        return await room_docs.create(doc)
    except Conflict:
        return await room_docs.read(topic_id, room_id)


async def _topic_gate(principal: Principal | None, topic_id: str) -> TopicAccess:
    try:
        return await access_topic(principal, topic_id)
    except NotFound:
        raise room_not_found() from None


async def load_room_access(principal: Principal | None, room_id: str) -> RoomAccess:
    """The caller's standing in a room, with no visibility decision (see access_room)."""
    pk, topic_id = room_partition(room_id)
    uid = principal.user_id if principal is not None else None
    topic_task = _topic_gate(principal, topic_id) if topic_id else None
    edges_keys = [(room_id, member_id(uid)), (room_id, ban_id(uid))] if uid else []
    topic, room, edges = await asyncio.gather(
        topic_task if topic_task is not None else _none(),
        room_docs.find(pk, room_id),
        room_edge_docs.read_many(edges_keys) if edges_keys else _empty())
    if room is None:
        if topic is not None and room_id == general_room_id(topic.topic_id):
            room = await ensure_general(topic)
        else:
            raise room_not_found()
    member = next((e for e in edges if e["kind"] == "member"), None)
    ban = next((e for e in edges if e["kind"] == "ban"), None)
    return RoomAccess(room=room, topic=topic, user_id=uid, is_admin=bool(principal and principal.is_admin),
                      member=member, ban=ban)


async def _none() -> None:
    return None


async def _empty() -> list:
    return []


async def access_room(principal: Principal | None, room_id: str) -> RoomAccess:
    """The caller's access to a room they may see: 404 `room_not_found` otherwise, 403 `banned_from_room` when
    banned from it."""
    access = await load_room_access(principal, room_id)
    if not may_see(access):
        raise room_not_found()
    if access.banned and not access.is_admin:
        raise banned_from_room()
    return access


async def access_room_as_member(principal: Principal, room_id: str) -> RoomAccess:
    access = await access_room(principal, room_id)
    if not (access.is_member or access.is_admin):
        raise Forbidden("Only members may do this.", code="members_only")
    return access


__all__ = ["RoomAccess", "access_room", "access_room_as_member", "banned_from_room", "ensure_general",
           "load_room_access", "may_see"]
