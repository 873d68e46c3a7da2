"""Erasing a deleted account from topics: memberships, bans, mutes, join requests, aliases, invitations.

Topics the user owned pass to their longest-serving moderator, else their longest-standing member; a topic left
with nobody is deleted (approved at once, purged by the timer). Idempotent: a second run finds nothing to do.
Registered with the accounts erasure registry as "communities.topics" (by path, in functions/topics/__init__.py).
"""

from __future__ import annotations

from shared import clock
from shared.domain.communities.access import ALL_PERMISSIONS
from shared.domain.communities.containers import INVITATIONS, member_id
from shared.domain.communities.documents import alias_docs, member_docs, membership_docs, topic_docs, user_topic_docs
from shared.domain.communities.membership import remove_member
from shared.domain.communities.purging import release_title
from shared.domain.purging import delete_partition
from shared.errors import NotFound
from shared.ports import Patch, Query, Where

PAGE = 100


async def _successor(topic_id: str, leaving: str) -> str | None:
    for where in ([Where("kind", "=", "member"), Where("role", "=", "moderator")], [Where("kind", "=", "member")]):
        page = await member_docs.query(Query(where=[*where, Where("user_id", "!=", leaving)],
                                                   order_by=[("joined_at", "asc")]), pk=topic_id, limit=1)
        if page.items:
            return page.items[0]["user_id"]
    return None


async def _hand_over_owned_topics(user_id: str) -> None:
    while True:
        page = await topic_docs.query(Query(where=[Where("owner_id", "=", user_id)]), limit=PAGE)
        if not page.items:
            return
        for topic in page.items:
            heir = await _successor(topic["id"], user_id)
            now = clock.now_iso()
            if heir is not None:
                await topic_docs.patch(topic["id"], topic["id"], [Patch("set", "/owner_id", heir),
                                                                    Patch("set", "/updated_at", now)])
                await membership_docs.patch(topic["id"], member_id(heir), [
                    Patch("set", "/role", "owner"), Patch("set", "/permissions", list(ALL_PERMISSIONS))])
                continue
            deletion = {"requested_by": user_id, "requested_at": now, "reason": "owner_account_deleted",
                        "permanent_delete_at": now, "status": "approved", "reviewed_by": None, "reviewed_at": now}
            status = "deletion_approved" if topic.get("status", "active") != "deletion_approved" else topic["status"]
            await topic_docs.patch(topic["id"], topic["id"], [
                Patch("set", "/owner_id", None), Patch("set", "/status", status),
                Patch("set", "/deletion", topic.get("deletion") if status == topic.get("status") else deletion)])
            await release_title(topic["id"], topic.get("title_key"))


async def erase_user(user_id: str) -> None:
    await _hand_over_owned_topics(user_id)
    while True:  # memberships, through the user-side mirror (each removal decrements the count once)
        page = await user_topic_docs.query(Query(), pk=user_id, limit=PAGE)
        if not page.items:
            break
        for mirror in page.items:
            await remove_member(mirror["topic_id"], user_id)
    while True:  # bans, mutes, join requests and any member edge whose mirror was lost
        page = await membership_docs.query(Query(where=[Where("user_id", "=", user_id)]), limit=PAGE)
        if not page.items:
            break
        for edge in page.items:
            if edge.get("kind") == "member":
                await remove_member(edge["pk"], user_id)
                continue
            try:
                await membership_docs.delete(edge["pk"], edge["id"])
            except NotFound:
                pass
    while True:  # the alias and its name reservation: the link between the person and the alias goes
        page = await alias_docs.query(Query(where=[Where("user_id", "=", user_id)]), limit=PAGE)
        if not page.items:
            break
        for alias in page.items:
            try:
                await alias_docs.delete(alias["pk"], alias["id"])
            except NotFound:
                pass
    await delete_partition(INVITATIONS, user_id)
