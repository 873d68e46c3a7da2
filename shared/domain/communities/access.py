"""Access gates for topics: the one place that decides who may see a topic or contribute to it.

Everything that shows or changes something inside a topic (posts, comments, votes, members, moderation) asks
here first. The rules:
- A topic that is missing, pending deletion or invite-only (visibility "private") and the caller is not a
  member answers 404 `topic_not_found`, never 403: existence itself is private. Administrators see every topic.
- Roles: the owner (topic.owner_id), moderators (with a granted permission set) and members; "none" otherwise.
  The owner and administrators hold every permission; a moderator holds exactly the permissions granted.
- Contributing (posting, commenting, voting) needs an active topic, no current ban, no current mute; in a public
  topic membership is not required (as in TopicsFlow), in an invite-only topic it is (else 404).
- Site administration (reviewing deletions, deleting content for good) is for administrators only, decided by
  `access_site_admin` here whatever the route already checked (403 `admin_required`).

Cost: one point read of the topic plus, for a signed-in caller, one read_many of their ban/mute/member edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from shared import clock
from shared.domain.communities.containers import ban_id, member_id, mute_id
from shared.domain.communities.documents import (
    MemberEdgeDoc,
    MembershipDoc,
    Permission,
    RestrictionDoc,
    TopicDoc,
    membership_docs,
    topic_docs,
    user_topic_docs,
)
from shared.domain.identity import Principal
from shared.errors import Forbidden, NotFound
from shared.ports import Query, Where

Role = Literal["none", "member", "moderator", "owner"]
ALL_PERMISSIONS: tuple[Permission, ...] = get_args(Permission)
ROLE_RANK: dict[str, int] = {"none": 0, "member": 1, "moderator": 2, "owner": 3}
MAX_READABLE_PRIVATE_TOPICS = 500  # feeds filter with `IN (...)`; a member of more sees the newest 500 there


def topic_not_found() -> NotFound:
    return NotFound("Topic not found.", code="topic_not_found")


@dataclass(frozen=True)
class TopicAccess:
    topic: TopicDoc
    user_id: str | None
    role: Role
    is_admin: bool
    banned: bool  # currently banned in this topic (expired bans don't count)
    muted: bool  # muted by a moderator: may read, may not post, comment or vote
    permissions: frozenset[Permission] = field(default_factory=frozenset)  # a moderator's granted set
    ban: RestrictionDoc | None = None
    mute: RestrictionDoc | None = None

    @property
    def topic_id(self) -> str:
        return self.topic["id"]

    @property
    def is_member(self) -> bool:
        return self.role != "none"

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    @property
    def is_private(self) -> bool:
        return self.topic.get("visibility") == "private"

    def can(self, permission: Permission) -> bool:
        if self.is_admin or self.role == "owner":
            return True
        return self.role == "moderator" and permission in self.permissions

    def require(self, permission: Permission) -> None:
        """Forbidden `missing_permission` unless the caller holds the permission. Only call this after the
        caller has been shown the topic (access_topic), so the 403 reveals nothing new."""
        if not self.can(permission):
            raise Forbidden("You do not have the permission to do this in this topic.", code="missing_permission",
                            details={"permission": permission})

    def outranks(self, other_role: Role) -> bool:
        """May act on someone holding `other_role`: admins on anyone but the owner, others strictly above."""
        if other_role == "owner":
            return False
        if self.is_admin:
            return True
        return ROLE_RANK[self.role] > ROLE_RANK[other_role]


@dataclass(frozen=True)
class ReadableTopics:
    """What a feed may show: every public topic (public=True), plus the invite-only topics listed in
    private_ids (those the caller is a member of). Administrators get all_private=True: every topic."""

    public: bool = True
    private_ids: list[str] = field(default_factory=list)
    all_private: bool = False


def _active(edge: RestrictionDoc | None) -> bool:
    """A ban or mute holds until its `expires_at` (None: until lifted)."""
    return edge is not None and not clock.has_passed(edge.get("expires_at"))


def is_visible_topic(topic: TopicDoc) -> bool:
    return topic.get("status", "active") == "active"


async def load_access(principal: Principal | None, topic: TopicDoc) -> TopicAccess:
    """The caller's standing in a topic already read; no visibility check (see access_topic)."""
    if principal is None:
        return TopicAccess(topic=topic, user_id=None, role="none", is_admin=False, banned=False, muted=False)
    return await standing(topic, principal.user_id, is_admin=principal.is_admin)


def edge_keys(topic_id: str, uid: str) -> list[tuple[str, str]]:
    """The (pk, id) keys of a user's member, ban and mute edges in a topic, for one read_many."""
    return [(topic_id, member_id(uid)), (topic_id, ban_id(uid)), (topic_id, mute_id(uid))]


def standing_from(topic: TopicDoc, uid: str, edges: dict[tuple[str, str], MembershipDoc], *,
                  is_admin: bool = False) -> TopicAccess:
    """A user's standing from edges already read (keyed by (pk, id)); lists use this to stay at one read_many."""
    tid = topic["id"]
    member = _member(edges.get((tid, member_id(uid))))
    ban, mute = _restriction(edges.get((tid, ban_id(uid)))), _restriction(edges.get((tid, mute_id(uid))))
    role: Role = "none"
    permissions: frozenset[Permission] = frozenset()
    if topic.get("owner_id") == uid:
        role = "owner"
    elif member is not None:
        role = "moderator" if member.get("role") == "moderator" else "member"
        if role == "moderator":
            permissions = frozenset(member.get("permissions") or ())
    banned, muted = _active(ban), _active(mute)
    return TopicAccess(topic=topic, user_id=uid, role=role, is_admin=is_admin, banned=banned,
                       muted=muted, permissions=permissions, ban=ban if banned else None,
                       mute=mute if muted else None)


def _member(edge: MembershipDoc | None) -> MemberEdgeDoc | None:
    return edge if edge is not None and edge["kind"] == "member" else None


def _restriction(edge: MembershipDoc | None) -> RestrictionDoc | None:
    return edge if edge is not None and (edge["kind"] == "ban" or edge["kind"] == "mute") else None


async def standing(topic: TopicDoc, uid: str, *, is_admin: bool = False) -> TopicAccess:
    """Any user's standing in a topic (role, ban, mute): one read_many."""
    edges = await membership_docs.read_many(edge_keys(topic["id"], uid))
    return standing_from(topic, uid, {(e["pk"], e["id"]): e for e in edges}, is_admin=is_admin)


async def read_topic(topic_id: str) -> TopicDoc:
    try:
        return await topic_docs.read(topic_id, topic_id)
    except NotFound:
        raise topic_not_found() from None


def may_see(access: TopicAccess) -> bool:
    if access.is_admin:
        return True
    if not is_visible_topic(access.topic):
        return False
    return not access.is_private or access.is_member


async def access_topic(principal: Principal | None, topic_id: str) -> TopicAccess:
    """The caller's access to a topic they may see; NotFound `topic_not_found` otherwise."""
    topic = await read_topic(topic_id)
    access = await load_access(principal, topic)
    if not may_see(access):
        raise topic_not_found()
    return access


async def access_topic_for_contribution(principal: Principal, topic_id: str) -> TopicAccess:
    """As access_topic, and the caller may post, comment or vote here: the topic is active (even for admins),
    the caller is not banned (403 `banned_from_topic`) nor muted (403 `muted_in_topic`)."""
    access = await access_topic(principal, topic_id)
    if not is_visible_topic(access.topic):
        raise topic_not_found()
    if access.is_private and not access.is_member and not access.is_admin:
        raise topic_not_found()
    require_not_barred(access)
    return access


def require_not_barred(access: TopicAccess) -> None:
    if access.banned:
        raise Forbidden("You are banned from this topic.", code="banned_from_topic",
                        details={"expires_at": (access.ban or {}).get("expires_at")})
    if access.muted:
        raise Forbidden("You are muted in this topic.", code="muted_in_topic",
                        details={"expires_at": (access.mute or {}).get("expires_at")})


def access_site_admin(principal: Principal | None, message: str = "Administrators only.") -> Principal:
    """The caller, when an administrator; 403 `admin_required` otherwise. A route's auth="admin" is only a first
    line: the domain functions that act as the site's administration ask here themselves."""
    if principal is None or not principal.is_admin:
        raise Forbidden(message, code="admin_required")
    return principal


async def access_topic_as_moderator(principal: Principal, topic_id: str, permission: Permission) -> TopicAccess:
    """For moderation routes: the topic must be visible to the caller (else 404), then the permission (else 403)."""
    access = await access_topic(principal, topic_id)
    access.require(permission)
    return access


async def member_topic_ids(user_id: str, *, limit: int = MAX_READABLE_PRIVATE_TOPICS,
                           private_only: bool = False) -> list[str]:
    """Ids of topics the user is a member of (newest membership first), from the user-side mirror."""
    where = [Where("visibility", "=", "private")] if private_only else []
    page = await user_topic_docs.query(Query(where=where, order_by=[("joined_at", "desc")]), pk=user_id, limit=limit)
    return [doc["topic_id"] for doc in page.items]


async def readable_topic_ids(principal: Principal | None) -> ReadableTopics:
    if principal is None:
        return ReadableTopics()
    if principal.is_admin:
        return ReadableTopics(all_private=True)
    return ReadableTopics(private_ids=await member_topic_ids(principal.user_id, private_only=True))


async def anonymous_alias(topic_id: str, user_id: str) -> str:
    """The user's alias in the topic, created on first use (one alias per user per topic)."""
    from shared.domain.communities.anonymity import alias_for

    return await alias_for(topic_id, user_id)


__all__ = ["ALL_PERMISSIONS", "Permission", "ReadableTopics", "Role", "TopicAccess", "access_topic",
           "access_topic_as_moderator", "access_topic_for_contribution", "anonymous_alias", "load_access",
           "may_see", "readable_topic_ids", "standing", "standing_from", "topic_not_found"]
