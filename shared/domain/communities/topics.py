"""Topics: create, list, get, update, soft delete (pending an administrator's approval), my topics, hot rank.

Titles are unique case-insensitively without a race: a lookup document in `topic_titles` whose id is a hash of
the normalised title is created *before* the topic; a second creator gets Conflict from the store. Lists filter
inside the query (status, visibility, tags, words), so a page is never short because of filtering.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from typing import Any

from shared import clock, wiring
from shared.domain import events, outbox
from shared.domain.communities.access import (
    ALL_PERMISSIONS,
    MAX_READABLE_PRIVATE_TOPICS,
    ROLE_RANK,
    TopicAccess,
    access_topic,
    edge_keys,
    load_access,
    member_topic_ids,
    standing_from,
    topic_not_found,
)
from shared.domain.communities.containers import MEMBERSHIPS, TOPIC_TITLES, TOPICS, USER_TOPICS
from shared.domain.communities.membership import add_member
from shared.domain.communities.people import ref, usernames
from shared.domain.communities.purging import release_title
from shared.domain.communities.topic_models import (
    SORT_FIELDS,
    DeletionResult,
    MyTopicsQuery,
    TopicCreate,
    TopicListQuery,
    TopicPage,
    TopicPublic,
    TopicSettings,
    TopicUpdate,
    normalise_title,
    search_words,
    title_key,
)
from shared.domain.identity import Principal
from shared.domain.realtime.revocation import topic_hidden
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import Patch, Query, SortDirection, Where

MAX_SEARCH_WORDS = 5
DELETION_GRACE_DAYS = 7
HOT_WINDOW_DAYS = 7
ORPHAN_TITLE_SECONDS = 60  # a title lookup older than this whose topic never appeared may be taken over


# ---------------------------------------------------------------------------------------------------------
# views


def hot_rank(topic: dict[str, Any], now: Any = None) -> float:
    """Lemmy's hot formula on the topic's activity: log(max(2, activity + 2)) / (hours since last activity + 2)^1.8,
    where activity = posts + members; zero once the topic has been quiet for a week."""
    moment = now or clock.now()
    hours = max(0.0, (moment - clock.parse(topic["last_activity"])).total_seconds() / 3600)
    if hours > HOT_WINDOW_DAYS * 24:
        return 0.0
    activity = int(topic.get("post_count", 0)) + int(topic.get("member_count", 0))
    return round(10000 * math.log(max(2, activity + 2)) / math.pow(hours + 2, 1.8), 6)


def view(topic: dict[str, Any], access: TopicAccess, names: dict[str, str]) -> TopicPublic:
    settings = topic.get("settings") or {}
    sees_deletion = access.is_admin or access.is_owner
    return TopicPublic(
        id=topic["id"], title=topic["title"], description=topic.get("description", ""), tags=topic.get("tags", []),
        settings=TopicSettings(allow_anonymous=settings.get("allow_anonymous", True),
                               require_approval=settings.get("require_approval", False)),
        visibility=topic.get("visibility", "public"), owner=ref(topic.get("owner_id"), names),
        member_count=max(0, int(topic.get("member_count", 0))), post_count=max(0, int(topic.get("post_count", 0))),
        last_activity=topic["last_activity"], created_at=topic["created_at"], updated_at=topic["updated_at"],
        hot_rank=float(topic.get("hot_rank", 0.0)), status=topic.get("status", "active"),
        role=access.role, user_permission_level=ROLE_RANK[access.role],
        permissions=sorted(ALL_PERMISSIONS if (access.is_owner or access.is_admin) else access.permissions),
        is_member=access.is_member, is_banned=access.banned, is_muted=access.muted,
        deletion=topic.get("deletion") if sees_deletion else None)


async def _views(principal: Principal | None, topics: list[dict[str, Any]]) -> list[TopicPublic]:
    """Views of a page of topics with the caller's standing: two read_many calls whatever the page size."""
    if not topics:
        return []
    names = await usernames(t.get("owner_id") for t in topics)
    if principal is None:
        anonymous = [TopicAccess(topic=t, user_id=None, role="none", is_admin=False, banned=False, muted=False)
                     for t in topics]
        return [view(t, a, names) for t, a in zip(topics, anonymous, strict=True)]
    keys = [key for t in topics for key in edge_keys(t["id"], principal.user_id)]
    edges = {(e["pk"], e["id"]): e for e in await wiring.documents().read_many(MEMBERSHIPS, keys)}
    return [view(t, standing_from(t, principal.user_id, edges, is_admin=principal.is_admin), names) for t in topics]


async def _view_one(principal: Principal | None, topic: dict[str, Any], access: TopicAccess | None = None
                    ) -> TopicPublic:
    access = access or await load_access(principal, topic)
    names = await usernames([topic.get("owner_id")])
    return view(topic, access, names)


# ---------------------------------------------------------------------------------------------------------
# create


async def _reserve_title(title: str, topic_id: str) -> str:
    """Creates the title's lookup document first; Conflict `topic_title_taken` when another topic holds it."""
    docs = wiring.documents()
    key = title_key(title)
    lookup = {"id": key, "pk": key, "topic_id": topic_id, "title": normalise_title(title),
              "created_at": clock.now_iso()}
    try:
        await docs.create(TOPIC_TITLES, lookup)
        return key
    except Conflict:
        pass
    try:
        holder = await docs.read(TOPIC_TITLES, key, key)
    except NotFound:  # released a moment ago: try once more
        try:
            await docs.create(TOPIC_TITLES, lookup)
            return key
        except Conflict:
            raise _title_taken() from None
    if holder.get("topic_id") == topic_id:
        return key
    if await _orphaned(holder):
        try:
            await docs.replace(TOPIC_TITLES, lookup, if_match=holder.get("_etag"))
            return key
        except (PreconditionFailed, NotFound):
            pass
    raise _title_taken()


async def _orphaned(holder: dict[str, Any]) -> bool:
    """A reservation whose topic was never written (its creator crashed in between) and is old enough."""
    if clock.now().timestamp() - float(holder.get("_ts", 0)) < ORPHAN_TITLE_SECONDS:
        return False
    try:
        await wiring.documents().read(TOPICS, holder["topic_id"], holder["topic_id"])
    except NotFound:
        return True
    return False


def _title_taken() -> Conflict:
    return Conflict("A topic with this title already exists.", code="topic_title_taken")


async def do_create_topic(owner_id: str, body: TopicCreate) -> dict[str, Any]:
    topic_id = uuid.uuid4().hex
    key = await _reserve_title(body.title, topic_id)
    now = clock.now_iso()
    private = body.settings.require_approval
    topic = {
        "id": topic_id, "pk": topic_id, "title": body.title, "title_key": key, "description": body.description,
        "tags": body.tags, "settings": body.settings.model_dump(), "visibility": "private" if private else "public",
        # audience: "public", or the topic's own id when invite-only, so one `audience IN (...)` filter selects
        # the public topics plus the caller's invite-only ones inside the query (pages are never short).
        "audience": topic_id if private else "public", "search_words": search_words(body.title, body.description),
        "owner_id": owner_id, "member_count": 0, "post_count": 0, "last_activity": now, "created_at": now,
        "updated_at": now, "status": "active", "hot_rank": 0.0,
    }
    topic["hot_rank"] = hot_rank({**topic, "member_count": 1})
    docs = wiring.documents()
    try:
        topic = await docs.create(TOPICS, topic)
    except Exception:
        await release_title({"id": topic_id, "title_key": key})
        raise
    await add_member(topic, owner_id, role="owner")
    return await docs.read(TOPICS, topic_id, topic_id)


async def check_create_topic(principal: Principal, body: TopicCreate) -> TopicPublic:
    topic = await do_create_topic(principal.user_id, body)
    result = await _view_one(principal, topic)
    # Only the creator is a member yet; an invite-only topic is never announced beyond its members.
    await events.publish_to_user(principal.user_id, "topic_created", result.model_dump(mode="json",
                                                                                         exclude={"deletion"}))
    return result


# ---------------------------------------------------------------------------------------------------------
# read


async def check_get_topic(principal: Principal | None, topic_id: str) -> tuple[TopicPublic, str]:
    access = await access_topic(principal, topic_id)
    return await _view_one(principal, access.topic, access), access.topic.get("_etag", "")


async def check_list_topics(principal: Principal | None, query: TopicListQuery) -> TopicPage:
    where = [Where("status", "=", "active")]
    if principal is None:
        where.append(Where("audience", "=", "public"))
    elif not principal.is_admin:
        private_ids = await member_topic_ids(principal.user_id, private_only=True,
                                             limit=MAX_READABLE_PRIVATE_TOPICS)
        where.append(Where("audience", "in", ["public", *private_ids]))
    where += [Where("tags", "array_contains", tag) for tag in query.tags]
    words = search_words(query.search or "")[:MAX_SEARCH_WORDS]
    where += [Where("search_words", "array_contains", word) for word in words]
    order: list[tuple[str, SortDirection]] = [(SORT_FIELDS[query.sort_by], "desc")]
    items, cursor = await fill_page(TOPICS, Query(where=where, order_by=order), query.limit, query.cursor)
    return TopicPage(items=await _views(principal, items), next_cursor=cursor)


async def fill_page(container: str, query: Query, limit: int, cursor: str | None, *, pk: str | None = None,
                    max_rounds: int = 5) -> tuple[list[dict[str, Any]], str | None]:
    """A page of `limit` items unless the results end: a store may answer a cross-partition query with fewer
    items than asked while more remain (Cosmos does), so ask again until the page is full."""
    items: list[dict[str, Any]] = []
    for _ in range(max_rounds):
        page = await wiring.documents().query(container, query, pk=pk, limit=limit - len(items), continuation=cursor)
        items += page.items
        cursor = page.continuation
        if cursor is None or len(items) >= limit:
            break
    return items, cursor


async def check_my_topics(principal: Principal, query: MyTopicsQuery) -> TopicPage:
    docs = wiring.documents()
    page = await docs.query(USER_TOPICS, Query(order_by=[("joined_at", "desc")]), pk=principal.user_id,
                            limit=query.limit, continuation=query.cursor)
    ids = [m["topic_id"] for m in page.items]
    found = {t["id"]: t for t in await docs.read_many(TOPICS, [(tid, tid) for tid in ids])}
    topics = [found[tid] for tid in ids if tid in found and (
        found[tid].get("status", "active") == "active" or found[tid].get("owner_id") == principal.user_id)]
    return TopicPage(items=await _views(principal, topics), next_cursor=page.continuation)


# ---------------------------------------------------------------------------------------------------------
# update


def _require_owner(access: TopicAccess) -> None:
    if not (access.is_owner or access.is_admin):
        raise Forbidden("Only the topic's owner may do this.", code="owner_only")


async def check_update_topic(principal: Principal, topic_id: str, body: TopicUpdate,
                             if_match: str | None = None) -> tuple[TopicPublic, str]:
    docs = wiring.documents()
    for _ in range(3):
        access = await access_topic(principal, topic_id)
        _require_owner(access)
        topic = access.topic
        if if_match and if_match.strip('"') != str(topic.get("_etag", "")).strip('"'):
            raise PreconditionFailed("The topic changed since you read it.", code="topic_changed")
        updated = dict(topic)
        if body.settings is not None:
            current = topic.get("settings", {})
            wanted = body.settings.require_approval
            if wanted is not None and wanted != current.get("require_approval", False):
                raise ValidationFailed(details=[{
                    "field": "body.settings.require_approval", "code": "visibility_immutable",
                    "message": "Whether a topic is invite-only is fixed when it is created."}])
            if body.settings.allow_anonymous is not None:
                updated["settings"] = {**current, "allow_anonymous": body.settings.allow_anonymous}
        if body.description is not None:
            updated["description"] = body.description
        if body.tags is not None:
            updated["tags"] = body.tags
        new_key = None
        if body.title is not None and body.title != topic["title"]:
            new_key = title_key(body.title)
            if new_key != topic.get("title_key"):
                await _reserve_title(body.title, topic_id)
            updated["title"], updated["title_key"] = body.title, new_key
        updated["search_words"] = search_words(updated["title"], updated.get("description", ""))
        updated["updated_at"] = clock.now_iso()
        try:
            saved = await docs.replace(TOPICS, updated, if_match=topic.get("_etag"))
        except PreconditionFailed:
            if new_key and new_key != topic.get("title_key"):
                await release_title({"id": topic_id, "title_key": new_key})
            if if_match:
                raise PreconditionFailed("The topic changed since you read it.", code="topic_changed") from None
            continue
        if new_key and new_key != topic.get("title_key"):
            await release_title(topic)
        result = await _view_one(principal, saved)
        await events.publish(events.topic_group(topic_id), "topic_updated",
                             result.model_dump(mode="json", include=_SHARED_FIELDS))
        return result, saved.get("_etag", "")
    raise Conflict("The topic kept changing; try again.", code="concurrent_update")


# What every member may see in an event (the caller-specific fields stay out of a group message).
_SHARED_FIELDS = {"id", "title", "description", "tags", "settings", "visibility", "owner", "member_count",
                  "post_count", "last_activity", "created_at", "updated_at"}


# ---------------------------------------------------------------------------------------------------------
# soft delete, review by administrators


async def check_delete_topic(principal: Principal, topic_id: str) -> DeletionResult:
    """The owner asks for deletion: the topic disappears at once and waits for an administrator's approval, then
    the purge timer removes it after the grace period. An administrator's own deletion is approved at once."""
    access = await access_topic(principal, topic_id)
    _require_owner(access)
    if access.topic.get("status", "active") != "active":
        raise topic_not_found()
    now = clock.now_iso()
    approved = principal.is_admin
    deletion = {"requested_by": principal.user_id, "requested_at": now,
                "permanent_delete_at": clock.later_iso(days=DELETION_GRACE_DAYS),
                "status": "approved" if approved else "pending",
                "reviewed_by": principal.user_id if approved else None, "reviewed_at": now if approved else None}
    status = "deletion_approved" if approved else "pending_deletion"
    async with outbox.pending(TOPICS, topic_id, [audience_effect(topic_id)]):
        await wiring.documents().patch(TOPICS, topic_id, topic_id, [
            Patch("set", "/status", status), Patch("set", "/deletion", deletion), Patch("set", "/updated_at", now)],
            condition=[Where("status", "=", "active")])
    if approved:
        await release_title(access.topic)
    await events.publish(events.topic_group(topic_id), "topic_deleted", {"topic_id": topic_id})
    await topic_hidden(topic_id)
    return DeletionResult(topic_id=topic_id, status=status, permanent_delete_at=deletion["permanent_delete_at"])


async def check_list_pending_deletions(principal: Principal, query: MyTopicsQuery) -> TopicPage:
    items, cursor = await fill_page(TOPICS, Query(where=[Where("status", "=", "pending_deletion")],
                                                  order_by=[("updated_at", "asc")]), query.limit, query.cursor)
    return TopicPage(items=await _views(principal, items), next_cursor=cursor)


async def _pending_topic(topic_id: str) -> dict[str, Any]:
    try:
        topic = await wiring.documents().read(TOPICS, topic_id, topic_id)
    except NotFound:
        raise topic_not_found() from None
    if topic.get("status") != "pending_deletion":
        raise Conflict("This topic is not waiting for a deletion review.", code="not_pending_deletion")
    return topic


async def check_approve_deletion(principal: Principal, topic_id: str) -> DeletionResult:
    topic = await _pending_topic(topic_id)
    deletion = {**topic.get("deletion", {}), "status": "approved", "reviewed_by": principal.user_id,
                "reviewed_at": clock.now_iso()}
    try:
        await wiring.documents().patch(TOPICS, topic_id, topic_id, [
            Patch("set", "/status", "deletion_approved"), Patch("set", "/deletion", deletion)],
            if_match=topic.get("_etag"))
    except PreconditionFailed:
        raise Conflict("The topic changed meanwhile; look again.", code="concurrent_update") from None
    await release_title(topic)  # the title is free again; the topic will never come back
    return DeletionResult(topic_id=topic_id, status="deletion_approved",
                          permanent_delete_at=deletion.get("permanent_delete_at"))


async def check_reject_deletion(principal: Principal, topic_id: str) -> DeletionResult:
    topic = await _pending_topic(topic_id)
    deletion = {**topic.get("deletion", {}), "status": "rejected", "reviewed_by": principal.user_id,
                "reviewed_at": clock.now_iso()}
    try:
        async with outbox.pending(TOPICS, topic_id, [audience_effect(topic_id)]):
            await wiring.documents().patch(TOPICS, topic_id, topic_id, [
                Patch("set", "/status", "active"), Patch("set", "/deletion", deletion),
                Patch("set", "/updated_at", clock.now_iso())], if_match=topic.get("_etag"))
    except PreconditionFailed:
        raise Conflict("The topic changed meanwhile; look again.", code="concurrent_update") from None
    return DeletionResult(topic_id=topic_id, status="active")


AUDIENCE_QUEUE = "topic-audience"


def audience_effect(topic_id: str) -> outbox.Effect:
    """Posts carry their topic's audience for feed filtering; re-stamping them all is background work, recorded in
    the topic's outbox before the status changes (the handler re-derives the audience from the topic, so a message
    for a change that then failed does no harm)."""
    return outbox.send(AUDIENCE_QUEUE, {"topic_id": topic_id})


# ---------------------------------------------------------------------------------------------------------
# hot rank refresh (timer)


async def refresh_hot_ranks(max_pages: int = 20) -> int:
    """Recomputes hot_rank for topics active in the last week, and zeroes it for those that went quiet."""
    docs = wiring.documents()
    now = clock.now()
    cutoff = clock.iso(now - timedelta(days=HOT_WINDOW_DAYS))
    changed = 0
    for where in ([Where("status", "=", "active"), Where("last_activity", ">=", cutoff)],
                  [Where("hot_rank", ">", 0), Where("last_activity", "<", cutoff)]):
        cursor = None
        for _ in range(max_pages):
            page = await docs.query(TOPICS, Query(where=where), limit=100, continuation=cursor)
            for topic in page.items:
                rank = hot_rank(topic, now)
                if abs(rank - float(topic.get("hot_rank", 0.0))) > 1e-9:
                    try:
                        await docs.patch(TOPICS, topic["id"], topic["id"], [Patch("set", "/hot_rank", rank)])
                        changed += 1
                    except NotFound:
                        pass
            cursor = page.continuation
            if cursor is None:
                break
    return changed


__all__ = ["DeletionResult", "MyTopicsQuery", "TopicCreate", "TopicListQuery", "TopicPage", "TopicPublic",
           "TopicUpdate", "check_create_topic", "check_delete_topic", "check_get_topic", "check_list_topics",
           "check_my_topics", "check_update_topic", "do_create_topic", "fill_page", "hot_rank", "title_key"]
