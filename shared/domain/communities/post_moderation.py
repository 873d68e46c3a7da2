"""Moderating posts: remove (with a reason) and restore, lock, pin, reports, and hard delete by administrators.

Three ways a post goes away, as in Lemmy:
- deleted: by its author (DELETE); the text is gone for everyone but administrators;
- removed: by a moderator with `manage_posts` (POST .../remove with a reason, or DELETE with ?reason=); the
  author and moderators still see it with the reason, and a moderator may restore it;
- purged: DELETE ?mode=hard, administrators only: the post, its comments, votes, follows, revisions, reports
  and image are deleted for good.
Reports: `reports` container, pk = topic id, id = "<target id>.<reporter id>", so each user reports a post or
comment once and a topic's moderators read their queue from one partition. The queue shows the reporter and
an excerpt, never the author of what was reported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared import clock, wiring
from shared.domain import cursors, events
from shared.domain.communities import images, revisions, votes
from shared.domain.communities.access import access_site_admin, access_topic_as_moderator
from shared.domain.communities.content_ids import COMMENTS, FOLLOWS, POSTS
from shared.domain.communities.documents import (
    CommentDoc,
    PostDoc,
    RemovalDoc,
    comment_docs,
    post_docs,
    topic_docs,
)
from shared.domain.communities.mentions import excerpt
from shared.domain.communities.post_models import (
    ContentPageQuery,
    DeleteQuery,
    PostPublic,
    ReportPage,
    ReportPublic,
    ReportResult,
)
from shared.domain.communities.post_views import event_payload, load_post, present, require_active, viewer_of
from shared.domain.communities.posts import MAX_PINNED, bump_topic, change_state, do_soft_delete
from shared.domain.identity import Principal
from shared.domain.purging import delete_partition
from shared.domain.realtime.revocation import group_closed
from shared.domain.stored import Container
from shared.errors import Conflict, Forbidden, NotFound
from shared.ports import Patch, Query, Where

PURGE_PAGE = 100
D = TypeVar("D")
DEFAULT_REMOVAL_REASON = "Removed by a moderator."


async def check_delete_post(principal: Principal, post_id: str, q: DeleteQuery) -> None:
    access, post = await load_post(principal, post_id)
    if q.mode == "hard":
        access_site_admin(principal, "Only administrators delete posts for good.")
        await purge_post(post)
        await audit_post(principal, "post.purge", post, None)
        await events.publish(events.topic_group(post["topic_id"]), "post_deleted",
                             {"post_id": post_id, "topic_id": post["topic_id"], "state": "purged"})
        await group_closed(events.post_group(post_id))
        return
    if post.get("author_id") == principal.user_id:
        await do_soft_delete(post, principal)
        return
    if not access.can("manage_posts"):
        raise Forbidden("Only the author or a moderator may delete this post.", code="not_author")
    reason = q.reason or DEFAULT_REMOVAL_REASON
    if post.get("state") != "removed":
        await do_remove(post, principal, reason)
        await audit_post(principal, "post.remove", post, reason)


async def check_remove_post(principal: Principal, post_id: str, reason: str) -> PostPublic:
    access, post = await load_post(principal, post_id)
    access.require("manage_posts")
    already = post.get("state") == "removed"
    updated = await do_remove(post, principal, reason)
    if not already:
        await audit_post(principal, "post.remove", post, reason)
    return await present(updated, viewer_of(access), topic_title=access.topic.get("title"))


async def audit_post(principal: Principal, action: str, post: PostDoc, reason: str | None, *,
                     report_id: str | None = None) -> None:
    from shared.domain.moderation import audit_log

    await audit_log.record(principal, action, place=audit_log.topic_place(post["topic_id"]), target_kind="post",
                           target_id=post["id"], target_user_id=post.get("author_id"), reason=reason,
                           report_id=report_id, details={"excerpt": excerpt(post.get("title") or post.get("content"))})


async def do_remove(post: PostDoc, principal: Principal, reason: str) -> PostDoc:
    removal: RemovalDoc = {"reason": reason, "by": principal.user_id, "at": clock.now_iso()}
    updated = await change_state(post, "removed", [Patch("set", "/removal", removal)],
                                 from_states=("visible", "deleted"))
    if updated is None:  # already removed
        return await post_docs.read(post["pk"], post["id"])
    await events.publish(events.topic_group(post["topic_id"]), "post_deleted",
                         {"post_id": post["id"], "topic_id": post["topic_id"], "state": "removed"})
    await group_closed(events.post_group(post["id"]))  # readable by its author and moderators only now
    return updated


async def check_restore_post(principal: Principal, post_id: str) -> PostPublic:
    access, post = await load_post(principal, post_id)
    access.require("manage_posts")
    updated = await change_state(post, "visible", [Patch("set", "/removal", None)], from_states=("removed",))
    if updated is None:
        raise Conflict("Only a removed post can be restored.", code="post_not_removed")
    await audit_post(principal, "post.restore", post, None)
    await events.publish(events.topic_group(post["topic_id"]), "post_updated", await event_payload(updated))
    return await present(updated, viewer_of(access), topic_title=access.topic.get("title"))


async def check_set_flag(principal: Principal, post_id: str, flag: str, value: bool) -> PostPublic:
    """Lock (no new comments) or pin a post; moderators with manage_posts."""
    access, post = await load_post(principal, post_id)
    access.require("manage_posts")
    require_active(post)
    ops = [Patch("set", f"/{flag}", value)]
    if flag == "pinned" and value and not post.get("pinned"):
        pinned = await post_docs.count([Where("pinned", "=", True), Where("state", "=", "visible")],
                                                pk=post["pk"])
        if pinned >= MAX_PINNED:
            raise Conflict(f"A topic pins at most {MAX_PINNED} posts.", code="too_many_pinned")
        ops.append(Patch("set", "/pinned_at", clock.now_iso()))
    updated = await post_docs.patch(post["pk"], post_id, ops)
    if bool(post.get(flag)) != value:
        verb = {"locked": ("lock", "unlock"), "pinned": ("pin", "unpin")}.get(flag, (flag, f"un{flag}"))
        await audit_post(principal, f"post.{verb[0] if value else verb[1]}", post, None)
    await events.publish(events.topic_group(post["topic_id"]), "post_updated", await event_payload(updated))
    return await present(updated, viewer_of(access), topic_title=access.topic.get("title"))


# ---------------------------------------------------------------------------------------------------------
# reports


async def file_report(*, kind: str, target_id: str, principal: Principal, reason: str) -> ReportResult:
    """The old per-content report routes, now reports like any other (shared/domain/moderation/reports.py)."""
    from shared.domain.moderation.reports import do_file_report

    doc, _count = await do_file_report(principal, kind, target_id, reason)
    return ReportResult(target_id=target_id, reported=True, report_id=doc["id"])


async def check_report_post(principal: Principal, post_id: str, reason: str) -> ReportResult:
    return await file_report(kind="post", target_id=post_id, principal=principal, reason=reason)


async def check_list_reports(principal: Principal, topic_id: str, q: ContentPageQuery) -> ReportPage:
    """The topic's open reports on posts and comments, newest first: moderators with manage_posts. The same
    reports as GET /api/reports?place=topic:<id>, in the shape this route always had."""
    from shared.domain.moderation.documents import report_docs

    await access_topic_as_moderator(principal, topic_id, "manage_posts")
    scope = f"reports:{topic_id}"
    where = [Where("type", "=", "report"), Where("place_key", "=", f"topic:{topic_id}"),
             Where("status", "=", "open"), Where("kind", "in", ["post", "comment"])]
    page = await report_docs.query(Query(where=where, order_by=[("created_at", "desc")]),
                                   limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
    items = [ReportPublic(id=doc["id"], target_type="post" if doc["kind"] == "post" else "comment",
                          target_id=doc["target_id"], post_id=doc.get("post_id") or doc["target_id"],
                          reason=doc["reason"], reporter_username=doc.get("reporter_username"),
                          created_at=doc["created_at"], excerpt=doc.get("excerpt")) for doc in page.items]
    return ReportPage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


# ---------------------------------------------------------------------------------------------------------
# purges (administrators' hard delete; F1's topic purge calls purge_topic_content)


async def _drain(container: Container[D], pk: str, query: Query, each: Callable[[D], Awaitable[None]]) -> None:
    while True:
        page = await container.query(query, pk=pk, limit=PURGE_PAGE)
        for doc in page.items:
            await each(doc)
        if len(page.items) < PURGE_PAGE:
            return


async def _delete(container: str, pk: str, id: str) -> None:
    try:
        await wiring.documents().delete(container, pk, id)
    except NotFound:
        pass


async def purge_comment_docs(post_id: str, query: Query = Query()) -> int:
    """Deletes comments of a post matching `query`, with their votes and revisions; returns how many."""
    count = 0

    async def purge(comment: CommentDoc) -> None:
        nonlocal count
        await votes.erase_votes_on(comment["id"])
        await revisions.erase(comment["id"])
        await _delete(COMMENTS, post_id, comment["id"])
        count += 1

    await _drain(comment_docs, post_id, query, purge)
    return count


async def purge_post(post: PostDoc) -> None:
    post_id, topic_id = post["id"], post["topic_id"]
    await purge_comment_docs(post_id)
    await votes.erase_votes_on(post_id)
    await revisions.erase(post_id)
    await delete_partition(FOLLOWS, post_id)
    from shared.domain.moderation.reports import delete_reports_of_post

    await delete_reports_of_post(post_id)
    await images.delete_image(post.get("image"))
    try:
        await post_docs.delete(topic_id, post_id, if_match=None)
    except NotFound:
        return
    if post.get("state") == "visible":
        await bump_topic(topic_id, -1)


async def purge_topic_content(topic_id: str) -> None:
    """Everything posted in a topic, for good (the topic purge timer calls this before deleting the topic)."""
    async def purge(doc: PostDoc) -> None:
        if doc.get("kind") == "outbox":  # what a new post still had to do: moot once the topic goes
            await _delete(POSTS, topic_id, doc["id"])
        else:
            await purge_post(doc)

    await _drain(post_docs, topic_id, Query(), purge)


async def set_topic_audience(topic_id: str) -> None:
    """Re-stamps the feed filter on a topic's posts from what the topic says now: "public", its id (invite-only),
    or "hidden:<id>" (awaiting deletion: out of every feed). Runs from the `topic-audience` queue; idempotent, and
    order does not matter: a late or repeated message re-derives the same audience.

    Each round asks again for posts not yet stamped, so a page never shifts under the patches it causes."""
    topic = await topic_docs.find(topic_id, topic_id)
    if topic is None:
        return  # purged: its posts went with it
    if topic.get("status", "active") != "active":
        value = f"hidden:{topic_id}"
    else:
        value = topic_id if topic.get("visibility") == "private" else "public"
    while True:
        page = await post_docs.query(Query(where=[Where("audience", "!=", value)]), pk=topic_id, limit=PURGE_PAGE)
        for post in page.items:
            try:
                await post_docs.patch(topic_id, post["id"], [Patch("set", "/audience", value)])
            except NotFound:
                continue
        if not page.items:
            return

