"""Topics: create, list, get, update, soft delete (pending an administrator's approval), my topics, hot rank.

Public topics' titles are unique case-insensitively without a race: a lookup document in `topic_titles` whose id
is a hash of the normalised title is created *before* the topic; a second creator gets Conflict from the store.
Invite-only topics reserve no title: a 409 for a title nobody can see would tell an outsider that an invite-only
topic of that name exists. So their titles may repeat, and a public topic may take the title of an invite-only
one. Lists filter inside the query (status, visibility, tags, words), so a page is never short because of
filtering.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from typing import Any, TypeVar

from shared import clock
from shared.domain import cursors, events, outbox
from shared.domain.communities.access import (
    ALL_PERMISSIONS,
    MAX_READABLE_PRIVATE_TOPICS,
    ROLE_RANK,
    TopicAccess,
    access_site_admin,
    access_topic,
    edge_keys,
    load_access,
    member_topic_ids,
    standing_from,
    topic_not_found,
)
from shared.domain.communities.documents import (
    TitleLookupDoc,
    TopicDeletionDoc,
    TopicDoc,
    membership_docs,
    title_docs,
    topic_docs,
    user_topic_docs,
)
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
from shared.domain.stored import Container
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import Patch, Query, SortDirection, Where

MAX_SEARCH_WORDS = 5
DELETION_GRACE_DAYS = 7
HOT_WINDOW_DAYS = 7
ORPHAN_TITLE_SECONDS = 60  # a title lookup older than this whose topic never appeared may be taken over
D = TypeVar("D")


# ---------------------------------------------------------------------------------------------------------
# views


def hot_rank(topic: TopicDoc, now: Any = None) -> float:
    """Lemmy's hot formula on the topic's activity: log(max(2, activity + 2)) / (hours since last activity + 2)^1.8,
    where activity = posts + members; zero once the topic has been quiet for a week."""
    moment = now or clock.now()
    hours = max(0.0, (moment - clock.parse(topic["last_activity"])).total_seconds() / 3600)
    if hours > HOT_WINDOW_DAYS * 24:
        return 0.0
    activity = int(topic.get("post_count", 0)) + int(topic.get("member_count", 0))
    return round(10000 * math.log(max(2, activity + 2)) / math.pow(hours + 2, 1.8), 6)


def view(topic: TopicDoc, access: TopicAccess, names: dict[str, str]) -> TopicPublic:
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
        deletion=dict(topic["deletion"]) if sees_deletion and "deletion" in topic else None)


async def _views(principal: Principal | None, topics: list[TopicDoc]) -> list[TopicPublic]:
    """Views of a page of topics with the caller's standing: two read_many calls whatever the page size."""
    if not topics:
        return []
    names = await usernames(t.get("owner_id") for t in topics)
    if principal is None:
        anonymous = [TopicAccess(topic=t, user_id=None, role="none", is_admin=False, banned=False, muted=False)
                     for t in topics]
        return [view(t, a, names) for t, a in zip(topics, anonymous, strict=True)]
    keys = [key for t in topics for key in edge_keys(t["id"], principal.user_id)]
    edges = {(e["pk"], e["id"]): e for e in await membership_docs.read_many(keys)}
    return [view(t, standing_from(t, principal.user_id, edges, is_admin=principal.is_admin), names) for t in topics]


async def _view_one(principal: Principal | None, topic: TopicDoc, access: TopicAccess | None = None
                    ) -> TopicPublic:
    access = access or await load_access(principal, topic)
    names = await usernames([topic.get("owner_id")])
    return view(topic, access, names)


# ---------------------------------------------------------------------------------------------------------
# create


async def _reserve_title(title: str, topic_id: str) -> str:
    """Creates the title's lookup document first; Conflict `topic_title_taken` when another topic holds it."""
    key = title_key(title)
    lookup: TitleLookupDoc = {"id": key, "pk": key, "topic_id": topic_id, "title": normalise_title(title),
              "created_at": clock.now_iso()}
    try:
        await title_docs.create(lookup)
        return key
    except Conflict:
        pass
    try:
        holder = await title_docs.read(key, key)
    except NotFound:  # released a moment ago: try once more
        try:
            await title_docs.create(lookup)
            return key
        except Conflict:
            raise _title_taken() from None
    if holder.get("topic_id") == topic_id:
        return key
    if await _orphaned(holder):
        try:
            await title_docs.replace(lookup, if_match=holder.get("_etag"))
            return key
        except (PreconditionFailed, NotFound):
            pass
    raise _title_taken()


async def _orphaned(holder: TitleLookupDoc) -> bool:
    """A reservation whose topic was never written (its creator crashed in between) and is old enough."""
    if clock.now().timestamp() - float(holder.get("_ts", 0)) < ORPHAN_TITLE_SECONDS:
        return False
    try:
        await topic_docs.read(holder["topic_id"], holder["topic_id"])
    except NotFound:
        return True
    return False


def _title_taken() -> Conflict:
    return Conflict("A topic with this title already exists.", code="topic_title_taken")


async def _reserve_title_if_public(title: str, topic_id: str, *, private: bool) -> str | None:
    """The reservation's key for a public topic; None for an invite-only one, which reserves nothing."""
    return None if private else await _reserve_title(title, topic_id)


async def do_create_topic(owner_id: str, body: TopicCreate) -> TopicDoc:
    topic_id = uuid.uuid4().hex
    private = body.settings.require_approval
    key = await _reserve_title_if_public(body.title, topic_id, private=private)
    now = clock.now_iso()
    topic: TopicDoc = {
        "id": topic_id, "pk": topic_id, "title": body.title, "title_key": key, "description": body.description,
        "tags": body.tags, "settings": {"allow_anonymous": body.settings.allow_anonymous,
                                        "require_approval": body.settings.require_approval},
        "visibility": "private" if private else "public",
        # audience: "public", or the topic's own id when invite-only, so one `audience IN (...)` filter selects
        # the public topics plus the caller's invite-only ones inside the query (pages are never short).
        "audience": topic_id if private else "public", "search_words": search_words(body.title, body.description),
        "owner_id": owner_id, "member_count": 0, "post_count": 0, "last_activity": now, "created_at": now,
        "updated_at": now, "status": "active", "hot_rank": 0.0,
    }
    topic["hot_rank"] = hot_rank({**topic, "member_count": 1})
    try:
        topic = await topic_docs.create(topic)
    except Exception:
        await release_title(topic_id, key)
        raise
    await add_member(topic, owner_id, role="owner")
    return await topic_docs.read(topic_id, topic_id)


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
    scope = cursors.scope("topics", principal.user_id if principal else None, query.sort_by, query.tags, words)
    items, cursor = await fill_page(topic_docs, Query(where=where, order_by=order), query.limit, query.cursor,
                                    scope=scope)
    return TopicPage(items=await _views(principal, items), next_cursor=cursor)


async def fill_page(container: Container[D], query: Query, limit: int, cursor: str | None, *, scope: str,
                    pk: str | None = None, max_rounds: int = 5) -> tuple[list[D], str | None]:
    """A page of `limit` items unless the results end, and the signed cursor of the next one: a store may answer
    a cross-partition query with fewer items than asked while more remain (Cosmos does), so ask again until the
    page is full. `cursor` must be one this listing (`scope`) handed out."""
    continuation = cursors.continuation(scope, cursor)
    items: list[D] = []
    for _ in range(max_rounds):
        page = await container.query(query, pk=pk, limit=limit - len(items), continuation=continuation)
        items += page.items
        continuation = page.continuation
        if continuation is None or len(items) >= limit:
            break
    return items, cursors.next_cursor(scope, continuation)


async def check_my_topics(principal: Principal, query: MyTopicsQuery) -> TopicPage:
    scope = f"my-topics:{principal.user_id}"
    page = await user_topic_docs.query(Query(order_by=[("joined_at", "desc")]), pk=principal.user_id,
                                       limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    ids = [m["topic_id"] for m in page.items]
    found = {t["id"]: t for t in await topic_docs.read_many([(tid, tid) for tid in ids])}
    topics = [found[tid] for tid in ids if tid in found and (
        found[tid].get("status", "active") == "active" or found[tid].get("owner_id") == principal.user_id)]
    return TopicPage(items=await _views(principal, topics), next_cursor=cursors.next_cursor(scope, page.continuation))


# ---------------------------------------------------------------------------------------------------------
# update


def _require_owner(access: TopicAccess) -> None:
    if not (access.is_owner or access.is_admin):
        raise Forbidden("Only the topic's owner may do this.", code="owner_only")


async def check_update_topic(principal: Principal, topic_id: str, body: TopicUpdate,
                             if_match: str | None = None) -> tuple[TopicPublic, str]:
    for _ in range(3):
        access = await access_topic(principal, topic_id)
        _require_owner(access)
        topic = access.topic
        if if_match and if_match.strip('"') != str(topic.get("_etag", "")).strip('"'):
            raise PreconditionFailed("The topic changed since you read it.", code="topic_changed")
        updated = topic.copy()
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
            if topic.get("visibility") != "private":
                new_key = title_key(body.title)
                if new_key != topic.get("title_key"):
                    await _reserve_title(body.title, topic_id)
            updated["title"], updated["title_key"] = body.title, new_key
        updated["search_words"] = search_words(updated["title"], updated.get("description", ""))
        updated["updated_at"] = clock.now_iso()
        try:
            saved = await topic_docs.replace(updated, if_match=topic.get("_etag"))
        except PreconditionFailed:
            if new_key and new_key != topic.get("title_key"):
                await release_title(topic_id, new_key)
            if if_match:
                raise PreconditionFailed("The topic changed since you read it.", code="topic_changed") from None
            continue
        if updated["title_key"] != topic.get("title_key"):
            await release_title(topic_id, topic.get("title_key"))  # the old reservation (none if invite-only)
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
    deletion: TopicDeletionDoc = {"requested_by": principal.user_id, "requested_at": now,
                "permanent_delete_at": clock.later_iso(days=DELETION_GRACE_DAYS),
                "status": "approved" if approved else "pending",
                "reviewed_by": principal.user_id if approved else None, "reviewed_at": now if approved else None}
    status = "deletion_approved" if approved else "pending_deletion"
    async with outbox.pending(topic_docs.name, topic_id, [audience_effect(topic_id)]):
        await topic_docs.patch(topic_id, topic_id, [
            Patch("set", "/status", status), Patch("set", "/deletion", deletion), Patch("set", "/updated_at", now)],
            condition=[Where("status", "=", "active")])
    if approved:
        await release_title(topic_id, access.topic.get("title_key"))
    await events.publish(events.topic_group(topic_id), "topic_deleted", {"topic_id": topic_id})
    await topic_hidden(topic_id)
    return DeletionResult(topic_id=topic_id, status=status, permanent_delete_at=deletion["permanent_delete_at"])


async def check_list_pending_deletions(principal: Principal, query: MyTopicsQuery) -> TopicPage:
    access_site_admin(principal)
    items, cursor = await fill_page(topic_docs, Query(where=[Where("status", "=", "pending_deletion")],
                                                  order_by=[("updated_at", "asc")]), query.limit, query.cursor,
                                    scope="pending-deletions")
    return TopicPage(items=await _views(principal, items), next_cursor=cursor)


async def _pending_topic(topic_id: str) -> TopicDoc:
    try:
        topic = await topic_docs.read(topic_id, topic_id)
    except NotFound:
        raise topic_not_found() from None
    if topic.get("status") != "pending_deletion":
        raise Conflict("This topic is not waiting for a deletion review.", code="not_pending_deletion")
    return topic


async def check_approve_deletion(principal: Principal, topic_id: str) -> DeletionResult:
    access_site_admin(principal)
    topic = await _pending_topic(topic_id)
    deletion = {**topic.get("deletion", {}), "status": "approved", "reviewed_by": principal.user_id,
                "reviewed_at": clock.now_iso()}
    try:
        await topic_docs.patch(topic_id, topic_id, [
            Patch("set", "/status", "deletion_approved"), Patch("set", "/deletion", deletion)],
            if_match=topic.get("_etag"))
    except PreconditionFailed:
        raise Conflict("The topic changed meanwhile; look again.", code="concurrent_update") from None
    await release_title(topic_id, topic.get("title_key"))  # the title is free again; the topic will never come back
    await _audit_review(principal, "topic.approve_deletion", topic)
    return DeletionResult(topic_id=topic_id, status="deletion_approved",
                          permanent_delete_at=deletion.get("permanent_delete_at"))


async def check_reject_deletion(principal: Principal, topic_id: str) -> DeletionResult:
    access_site_admin(principal)
    topic = await _pending_topic(topic_id)
    deletion = {**topic.get("deletion", {}), "status": "rejected", "reviewed_by": principal.user_id,
                "reviewed_at": clock.now_iso()}
    try:
        async with outbox.pending(topic_docs.name, topic_id, [audience_effect(topic_id)]):
            await topic_docs.patch(topic_id, topic_id, [
                Patch("set", "/status", "active"), Patch("set", "/deletion", deletion),
                Patch("set", "/updated_at", clock.now_iso())], if_match=topic.get("_etag"))
    except PreconditionFailed:
        raise Conflict("The topic changed meanwhile; look again.", code="concurrent_update") from None
    await _audit_review(principal, "topic.reject_deletion", topic)
    return DeletionResult(topic_id=topic_id, status="active")


async def _audit_review(principal: Principal, action: str, topic: TopicDoc) -> None:
    from shared.domain.moderation import audit_log

    await audit_log.record(principal, action, place=audit_log.topic_place(topic["id"]), target_kind="topic",
                           target_id=topic["id"], target_user_id=topic.get("owner_id"),
                           details={"title": topic.get("title")})


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
    now = clock.now()
    cutoff = clock.iso(now - timedelta(days=HOT_WINDOW_DAYS))
    changed = 0
    for where in ([Where("status", "=", "active"), Where("last_activity", ">=", cutoff)],
                  [Where("hot_rank", ">", 0), Where("last_activity", "<", cutoff)]):
        cursor = None
        for _ in range(max_pages):
            page = await topic_docs.query(Query(where=where), limit=100, continuation=cursor)
            for topic in page.items:
                rank = hot_rank(topic, now)
                if abs(rank - float(topic.get("hot_rank", 0.0))) > 1e-9:
                    try:
                        await topic_docs.patch(topic["id"], topic["id"], [Patch("set", "/hot_rank", rank)])
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
