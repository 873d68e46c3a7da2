"""Posts: create, read, list (per topic and the cross-topic feed), edit with history, delete, vote, follow.

Storage (docs/data-model.md): `posts`, pk = topic id, id = "<topic id>_<random>" (content_ids.py), so a
post is one point read and a topic's listing one partition. Counters (votes, comments) change by atomic
patches; `hot_rank` is stored (ranking.py). Moderation (remove, lock, pin, reports, hard delete) lives in
post_moderation.py; who sees what in post_views.py.

Every write publishes its event after it succeeded: `new_post`, `post_updated`, `post_deleted`, `post_voted`
(counts only) to the topic's group.
"""

from __future__ import annotations

import asyncio
from typing import TypedDict, cast

from shared import clock
from shared.aio import gather_in_order
from shared.domain import cursors, events, outbox
from shared.domain.communities import images, mentions, ranking, revisions, votes
from shared.domain.communities.access import (
    TopicAccess,
    access_topic,
    access_topic_for_contribution,
    anonymous_alias,
    readable_topic_ids,
)
from shared.domain.communities.content_ids import POSTS, new_post_id
from shared.domain.communities.documents import (
    CommentDoc,
    PostDoc,
    PostKey,
    TopicDoc,
    follow_docs,
    post_docs,
    topic_docs,
)
from shared.domain.communities.post_models import (
    TIME_RANGE_SECONDS,
    ContentPageQuery,
    FollowState,
    PostCreate,
    PostListQuery,
    PostPage,
    PostPublic,
    PostUpdate,
    RevisionPage,
    VoteResult,
)
from shared.domain.communities.post_views import (
    Viewer,
    event_payload,
    load_post,
    present,
    present_page,
    read_post,
    require_active,
    viewer_of,
)
from shared.domain.identity import Principal
from shared.domain.moderation import content_filter
from shared.domain.notifications.models import Actor
from shared.domain.realtime.revocation import group_closed
from shared.domain.stored import DocPage, without_system_fields
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from shared.ports import BatchOp, Patch, Query, SortDirection, Where

MAX_PINNED = 5
MAX_EDIT_ATTEMPTS = 10
SORT_ORDER: dict[str, tuple[str, SortDirection]] = {"new": ("created_at", "desc"), "old": ("created_at", "asc"),
                                          "top": ("score", "desc"), "hot": ("hot_rank", "desc"),
                                          "active": ("last_activity", "desc")}


def audience(topic: TopicDoc) -> str:
    """What the feed filters on: "public", or the topic id of an invite-only topic (readable by its members)."""
    return topic["id"] if topic.get("visibility") == "private" else "public"


def actor_of(doc: PostDoc | CommentDoc) -> Actor:
    """How notifications name the author of a post or comment: never the real one behind an alias."""
    if doc.get("anonymous"):
        return Actor(display_name=doc.get("anonymous_name") or "Anonymous", anonymous=True)
    return Actor(display_name=doc.get("author_username") or "", anonymous=False, user_id=doc.get("author_id"),
                 username=doc.get("author_username"))


async def alias_if_anonymous(access: TopicAccess, user_id: str, use_anonymous: bool) -> str | None:
    if not use_anonymous:
        return None
    if not (access.topic.get("settings") or {}).get("allow_anonymous"):
        raise Forbidden("This topic does not allow anonymous posts.", code="anonymous_not_allowed")
    return await anonymous_alias(access.topic_id, user_id)


async def bump_topic(topic_id: str, posts: int, activity: str | None = None) -> None:
    ops = [Patch("incr", "/post_count", posts)] if posts else []
    if activity:
        ops.append(Patch("set", "/last_activity", activity))
    if not ops:
        return
    try:
        await topic_docs.patch(topic_id, topic_id, ops)
    except NotFound:
        pass  # the topic was purged meanwhile; nothing left to count


# ---------------------------------------------------------------------------------------------------------
# create


async def check_create_post(principal: Principal, topic_id: str, body: PostCreate, *,
                            request_key: str | None = None) -> PostPublic:
    """The post and its outbox document (post_effects.py: the topic's counters, the author's follow, mentions) in
    one transactional batch in the topic's partition. With an idempotency key the post id comes from it, so a retry
    that outlived the key's claim finds the post it made instead of making a second one."""
    access = await access_topic_for_contribution(principal, topic_id)
    content_filter.check_text(title=body.title, content=body.content)
    post_id = new_post_id(topic_id, request_key)
    if request_key is not None:
        made = await _made_before(access, topic_id, post_id, principal)
        if made is not None:
            return made
    alias = await alias_if_anonymous(access, principal.user_id, body.use_anonymous)
    image = await images.claim(principal.user_id, body.image_id) if body.image_id else None
    now = clock.now_iso()
    doc: PostDoc = {
        "id": post_id, "pk": topic_id, "kind": "post", "topic_id": topic_id,
        "audience": audience(access.topic), "author_id": principal.user_id,
        "author_username": principal.username, "anonymous": alias is not None, "anonymous_name": alias,
        "title": body.title, "content": body.content, "tags": body.tags, "image": image,
        "upvote_count": 0, "downvote_count": 0, "score": 0, "comment_count": 0,
        "hot_rank": ranking.hot_rank(0, now), "state": "visible", "locked": False, "pinned": False,
        "edit_count": 0, "created_at": now, "edited_at": None, "last_activity": now, "report_count": 0}
    effects = [outbox.step("posts.counted", once=True, topic_id=topic_id, activity=now),
               outbox.step("posts.followed_up", topic_id=topic_id, post_id=post_id, image=image)]
    try:
        results = await outbox.write(POSTS, topic_id, [BatchOp("create", doc=dict(doc))], effects, source=post_id,
                                     hints={"topic": access.topic, "post": doc})
    except Conflict:
        made = await _made_before(access, topic_id, post_id, principal) if request_key is not None else None
        if made is None:
            raise
        return made
    created = cast(PostDoc, results[0] or doc)
    await events.publish(events.topic_group(topic_id), "new_post", await event_payload(created))
    return await present(created, viewer_of(access), followed=True, topic_title=access.topic.get("title"))


async def _made_before(access: TopicAccess, topic_id: str, post_id: str, principal: Principal) -> PostPublic | None:
    """The post an earlier attempt with the same idempotency key created, if any."""
    existing = await post_docs.find(topic_id, post_id)
    if existing is None:
        return None
    if existing.get("author_id") != principal.user_id:
        raise Conflict("A post with this id exists.", code="post_exists")
    return await present(existing, viewer_of(access), followed=True, topic_title=access.topic.get("title"))


# ---------------------------------------------------------------------------------------------------------
# read


async def _no_page() -> DocPage[PostDoc]:
    return DocPage(items=[], continuation=None)


async def check_get_post(principal: Principal | None, post_id: str) -> PostPublic:
    access, post = await load_post(principal, post_id)
    viewer = viewer_of(access)
    vote, followed = 0, False
    if viewer.user_id:
        (vote, _), followed_docs = await asyncio.gather(
            votes.current_vote(post_id, viewer.user_id),
            follow_docs.read_many([(post_id, viewer.user_id)]))
        followed = bool(followed_docs)
    return await present(post, viewer, vote=vote, followed=followed, topic_title=access.topic.get("title"))


def _list_scope(topic_id: str, q: PostListQuery) -> str:
    return f"posts:{topic_id}:{q.sort}:{q.time_range if q.sort == 'top' else 'all'}"


async def check_list_posts(principal: Principal | None, topic_id: str, q: PostListQuery) -> PostPage:
    """A page of a topic's visible posts in the chosen order; pinned posts come apart, on the first page.

    The access check and the queries run side by side (one round trip instead of two); nothing the queries
    found is used unless the check let the caller in."""
    scope = _list_scope(topic_id, q)
    since: str | None = None
    continuation: str | None = None
    if q.cursor:
        position = cursors.decode(scope, q.cursor)
        since, continuation = position.get("since"), position.get("c")
        if not isinstance(continuation, str):
            raise cursors.invalid_cursor()
    elif q.sort == "top" and (window := TIME_RANGE_SECONDS[q.time_range]):
        since = clock.later_iso(seconds=-window)
    where = [Where("state", "=", "visible"), Where("pinned", "=", False)]
    if since:
        where.append(Where("created_at", ">=", since))
    pinned = post_docs.query(Query(where=[Where("state", "=", "visible"), Where("pinned", "=", True)],
                                     order_by=[("pinned_at", "desc")]), pk=topic_id, limit=MAX_PINNED) \
        if not q.cursor else _no_page()
    # the access decision first: a hidden topic is a 404 whatever the queries did
    access, page, pinned_page = await gather_in_order(
        access_topic(principal, topic_id),
        post_docs.query(Query(where=where, order_by=[SORT_ORDER[q.sort]]), pk=topic_id, limit=q.limit,
                   continuation=continuation),
        pinned)
    pinned_docs = pinned_page.items
    title = str(access.topic.get("title", ""))
    shown = await present_page(pinned_docs + page.items, viewer_of(access), topic_titles={topic_id: title})
    next_cursor = cursors.encode(scope, {"since": since, "c": page.continuation}) if page.continuation else None
    return PostPage(items=shown[len(pinned_docs):], next_cursor=next_cursor, pinned=shown[:len(pinned_docs)])


async def check_feed(principal: Principal | None, q: ContentPageQuery) -> PostPage:
    """Recent posts across every topic the caller may read, newest first.

    Paged by keyset (created_at, then the ids already shown at that instant) rather than a store continuation,
    because the set of readable topics is recomputed on every page and may change between pages."""
    readable = await readable_topic_ids(principal)
    scope = f"feed:{principal.user_id if principal else '-'}"
    before: str | None = None
    seen: list[str] = []
    if q.cursor:
        position = cursors.decode(scope, q.cursor)
        before, seen_ids = position.get("before"), position.get("seen")
        if not isinstance(before, str) or not isinstance(seen_ids, list):
            raise cursors.invalid_cursor()
        seen = [str(item) for item in seen_ids]
    where = [Where("state", "=", "visible")]
    if not readable.all_private:
        where.append(Where("audience", "in", ["public", *readable.private_ids]))
    if before:
        where.append(Where("created_at", "<=", before))
    page = await post_docs.query(Query(where=where, order_by=[("created_at", "desc")]), limit=q.limit + len(seen))
    fresh = [doc for doc in page.items if not (doc["created_at"] == before and doc["id"] in seen)]
    more = page.continuation is not None or len(fresh) > q.limit
    items = fresh[:q.limit]
    next_cursor = None
    if more and items:
        last = items[-1]["created_at"]
        same_instant = [doc["id"] for doc in items if doc["created_at"] == last]
        if last == before:
            same_instant = seen + same_instant
        next_cursor = cursors.encode(scope, {"before": last, "seen": same_instant})
    topic_ids = list(dict.fromkeys(doc["topic_id"] for doc in items))
    topics = await topic_docs.read_many([(tid, tid) for tid in topic_ids]) if topic_ids else []
    titles = {topic["id"]: str(topic.get("title", "")) for topic in topics}
    viewer = Viewer(user_id=principal.user_id if principal else None, is_admin=bool(principal and principal.is_admin))
    if not viewer.is_admin:
        # A topic awaiting deletion (or purged) takes its posts with it, until set_topic_audience re-stamps them.
        active = {topic["id"] for topic in topics if topic.get("status", "active") == "active"}
        items = [doc for doc in items if doc["topic_id"] in active]
    return PostPage(items=await present_page(items, viewer, topic_titles=titles), next_cursor=next_cursor)


# ---------------------------------------------------------------------------------------------------------
# edit, history, delete


class PostChanges(TypedDict, total=False):
    """What an edit changes (PostUpdate's fields that were given and differ)."""

    title: str
    content: str
    tags: list[str]


def _require_author(post: PostDoc, principal: Principal) -> None:
    if post.get("author_id") != principal.user_id:
        raise Forbidden("Only the author may do this.", code="not_author")


async def check_update_post(principal: Principal, post_id: str, body: PostUpdate) -> PostPublic:
    access, post = await load_post(principal, post_id, contribute=True)
    _require_author(post, principal)
    content_filter.check_text(title=body.title, content=body.content)
    for _ in range(MAX_EDIT_ATTEMPTS):
        require_active(post)
        changes: PostChanges = {}
        if body.title is not None and body.title != post.get("title"):
            changes["title"] = body.title
        if body.content is not None and body.content != post.get("content"):
            changes["content"] = body.content
        if body.tags is not None and body.tags != post.get("tags"):
            changes["tags"] = body.tags
        if not changes:
            return await present(post, viewer_of(access), topic_title=access.topic.get("title"))
        now = clock.now_iso()
        version = post.get("edit_count", 0) + 1
        await revisions.save(post_id, version, {"title": post.get("title"), "content": post.get("content"),
                                                "tags": post.get("tags")},
                             created_at=post.get("edited_at") or post["created_at"], replaced_at=now)
        replacement: PostDoc = {**without_system_fields(post), **changes, "edit_count": version, "edited_at": now}
        try:
            updated = await post_docs.replace(replacement, if_match=post.get("_etag"))
            break
        except PreconditionFailed:
            post = await read_post(post["topic_id"], post_id)  # a vote or another edit came first
    else:
        raise Conflict("The post keeps changing; try again.", code="edit_conflict")
    await mentions.notify_mentions(topic=access.topic, item_id=post_id, post_id=post_id, comment_id=None,
                                   text=updated.get("content"), title=updated.get("title"),
                                   author_id=principal.user_id, actor=actor_of(updated))
    await events.publish(events.topic_group(updated["topic_id"]), "post_updated", await event_payload(updated))
    return await present(updated, viewer_of(access), topic_title=access.topic.get("title"))


async def check_post_history(principal: Principal | None, post_id: str, q: ContentPageQuery) -> RevisionPage:
    _access, post = await load_post(principal, post_id)
    if post.get("state") == "deleted" and not (principal and principal.is_admin):
        return RevisionPage(items=[], next_cursor=None)
    return await revisions.history(post_id, limit=q.limit, cursor=q.cursor)


async def change_state(post: PostDoc, new_state: str, extra: list[Patch], *,
                       from_states: tuple[str, ...]) -> PostDoc | None:
    """Moves a post between visible / deleted / removed with a conditional patch, keeping the topic's post_count
    exact: only the request whose patch took the post out of (or back into) "visible" changes the count."""
    for state in from_states:
        try:
            updated = await post_docs.patch(post["pk"], post["id"], [Patch("set", "/state", new_state), *extra],
                                       condition=[Where("state", "=", state)])
        except PreconditionFailed:
            continue
        delta = (new_state == "visible") - (state == "visible")
        await bump_topic(post["topic_id"], delta)
        return updated
    return None


async def do_soft_delete(post: PostDoc, principal: Principal) -> None:
    updated = await change_state(post, "deleted", [Patch("set", "/deleted_at", clock.now_iso())],
                                 from_states=("visible",))
    if updated is not None:
        await events.publish(events.topic_group(post["topic_id"]), "post_deleted",
                             {"post_id": post["id"], "topic_id": post["topic_id"], "state": "deleted"})
        await group_closed(events.post_group(post["id"]))  # only its author (and moderators) may read it now


# ---------------------------------------------------------------------------------------------------------
# votes and follows


def _target(post: PostDoc) -> votes.Target:
    return votes.Target(container=POSTS, pk=post["pk"], id=post["id"], kind="post", topic_id=post["topic_id"],
                        post_id=post["id"])


async def check_vote_post(principal: Principal, post_id: str, *, value: int | None = None,
                          toggle: int | None = None) -> VoteResult:
    _access, post = await load_post(principal, post_id, contribute=True)
    require_active(post)
    outcome = await votes.cast(_target(post), principal.user_id, value=value, toggle=toggle)
    updated = outcome.target
    if outcome.changed:
        rank = ranking.hot_rank(updated.get("score", 0), updated["created_at"])
        try:
            await post_docs.patch(post["pk"], post_id, [Patch("set", "/hot_rank", rank)])
        except NotFound:
            pass
        await events.publish(events.topic_group(post["topic_id"]), "post_voted",
                             {"post_id": post_id, "topic_id": post["topic_id"], **_counts(updated)})
    return VoteResult(target_id=post_id, user_vote=outcome.value, **_counts(updated))


def _counts(doc: PostDoc | CommentDoc) -> votes.VoteCounts:
    return {"upvote_count": doc.get("upvote_count", 0), "downvote_count": doc.get("downvote_count", 0),
            "score": doc.get("score", 0)}


async def follow(post: PostDoc, user_id: str) -> None:
    try:
        await follow_docs.create({"id": user_id, "pk": post["id"], "follower_id": user_id,
                                                  "topic_id": post["topic_id"], "created_at": clock.now_iso()})
    except Conflict:
        pass


async def check_follow_post(principal: Principal, post_id: str, following: bool) -> FollowState:
    _access, post = await load_post(principal, post_id)
    if following:
        require_active(post)
        await follow(post, principal.user_id)
    else:
        try:
            await follow_docs.delete(post_id, principal.user_id)
        except NotFound:
            pass
    return FollowState(post_id=post_id, following=following)


async def note_comment(post: PostKey, comments: int, activity: str | None) -> None:
    """A comment was added (or removed): the post's comment_count and last_activity, and the topic's activity."""
    ops = [Patch("incr", "/comment_count", comments)] if comments else []
    if activity:
        ops.append(Patch("set", "/last_activity", activity))

    async def on_post() -> None:
        try:
            await post_docs.patch(post["pk"], post["id"], ops)
        except NotFound:
            pass  # purged meanwhile

    await asyncio.gather(*([on_post()] if ops else []), *([bump_topic(post["topic_id"], 0, activity)]
                                                          if activity else []))
