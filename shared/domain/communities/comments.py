"""Comments: threaded (depth at most 10), listed as trees (comment_tree.py), created, replied to, edited with
history, deleted (the text goes, the thread shape stays), removed by moderators, voted on, reported.

Storage (docs/data-model.md): `comments`, pk = post id, id = "<post id>_<random>", so a comment is a
point read and a post's thread one partition. Events go to the post's group after each write: `new_comment`,
`comment_updated`, `comment_deleted`, `comment_voted` (counts only). Followers of the post and the author of
the parent comment are notified through the `comment-notifications` queue, so a busy post's fan-out never
slows the request down. A new comment is written with its outbox document (comment_effects.py), so the counters,
mentions and fan-out that follow it happen exactly when it exists, even if the queue is down at that moment.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

from shared import clock
from shared.aio import gather_in_order
from shared.domain import cursors, events, outbox
from shared.domain.communities import mentions, revisions, votes
from shared.domain.communities.access import TopicAccess, access_site_admin
from shared.domain.communities.comment_models import (
    MAX_DEPTH,
    CommentCreate,
    CommentListQuery,
    CommentPage,
    CommentPublic,
    RepliesQuery,
)
from shared.domain.communities.comment_tree import (
    REPLY_BUDGET,
    assemble,
    child_path,
    replies_cursor,
    replies_scope,
    subtree_end,
)
from shared.domain.communities.content_ids import (
    COMMENTS,
    comment_not_found,
    new_comment_id,
    post_of_comment,
)
from shared.domain.communities.documents import CommentDoc, PostDoc, PostKey, RemovalDoc, comment_docs
from shared.domain.communities.post_models import (
    ContentPageQuery,
    DeleteQuery,
    ModerationInfo,
    ReportResult,
    RevisionPage,
    VoteResult,
)
from shared.domain.communities.post_views import AuthorFields, load_post, require_active
from shared.domain.communities.posts import actor_of, alias_if_anonymous, note_comment
from shared.domain.identity import Principal
from shared.domain.moderation import content_filter
from shared.domain.stored import without_system_fields
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import BatchOp, Patch, Query, SortDirection, Where

MAX_EDIT_ATTEMPTS = 10
ROOT_ORDER: dict[str, tuple[str, SortDirection]] = {"top": ("score", "desc"), "new": ("created_at", "desc"),
                                          "old": ("created_at", "asc")}
DEFAULT_REMOVAL_REASON = "Removed by a moderator."


@dataclass(frozen=True)
class CommentViewer:
    user_id: str | None = None
    is_admin: bool = False
    moderates: bool = False  # may manage comments in the topic


EVENT_VIEWER = CommentViewer()


def viewer_of(access: TopicAccess) -> CommentViewer:
    return CommentViewer(user_id=access.user_id, is_admin=access.is_admin, moderates=access.can("manage_comments"))


def _author_fields(doc: CommentDoc, shown: bool) -> AuthorFields:
    if not shown:
        label = "[deleted]" if doc.get("state") == "deleted" or doc.get("author_id") is None else "[removed]"
        return {"author_id": None, "author_username": None, "display_name": label, "is_anonymous": False}
    if doc.get("anonymous"):
        return {"author_id": None, "author_username": None, "display_name": doc.get("anonymous_name") or "Anonymous",
                "is_anonymous": True}
    return {"author_id": doc["author_id"], "author_username": doc.get("author_username"),
            "display_name": doc.get("author_username") or "", "is_anonymous": False}


def present(doc: CommentDoc, viewer: CommentViewer, *, votes_by_id: dict[str, int] | None = None,
            children: dict[str, list[CommentDoc]] | None = None) -> CommentPublic:
    """One comment and, when `children` is given, its included replies (recursively)."""
    state = doc.get("state", "visible")
    is_author = viewer.user_id is not None and viewer.user_id == doc.get("author_id")
    privileged = viewer.is_admin or (state == "removed" and (is_author or viewer.moderates))
    shown = state == "visible" or privileged
    removal = doc.get("removal") or {}
    moderation = None
    if viewer.is_admin or viewer.moderates:
        moderation = ModerationInfo(removal_reason=removal.get("reason"), removed_at=removal.get("at"),
                                    report_count=doc.get("report_count", 0))
        if viewer.is_admin and (doc.get("anonymous") or state != "visible"):
            moderation.real_author_id = doc.get("author_id")
            moderation.real_author_username = doc.get("author_username")
    kids = (children or {}).get(doc["id"], [])
    replies = [present(kid, viewer, votes_by_id=votes_by_id, children=children) for kid in kids]
    more = max(0, doc.get("reply_count", 0) - len(kids))
    return CommentPublic(
        id=doc["id"], post_id=doc["post_id"], topic_id=doc["topic_id"], parent_id=doc.get("parent_id"),
        depth=doc.get("depth", 0), content=doc.get("content") if shown else None, state=state,
        **_author_fields(doc, shown), upvote_count=doc.get("upvote_count", 0),
        downvote_count=doc.get("downvote_count", 0), score=doc.get("score", 0), reply_count=doc.get("reply_count", 0),
        edit_count=doc.get("edit_count", 0), created_at=doc["created_at"], edited_at=doc.get("edited_at"),
        user_vote=(votes_by_id or {}).get(doc["id"], 0), is_author=is_author,
        removal_reason=removal.get("reason") if state == "removed" and (is_author or viewer.moderates
                                                                         or viewer.is_admin) else None,
        moderation=moderation, replies=replies, more_replies=more,
        replies_cursor=replies_cursor(doc["id"], kids[-1]["path"] if kids else None) if more else None)


def event_payload(doc: CommentDoc) -> dict[str, Any]:  # CommentPublic as JSON, for every reader
    return present(doc, EVENT_VIEWER).model_dump(mode="json", exclude={"user_vote", "is_author", "moderation",
                                                                       "replies", "replies_cursor"})


async def read_comment(post_id: str, comment_id: str) -> CommentDoc:
    try:
        return await comment_docs.read(post_id, comment_id)
    except NotFound:
        raise comment_not_found() from None


async def load_comment(principal: Principal | None, comment_id: str, *, contribute: bool = False) -> tuple[
        TopicAccess, PostDoc, CommentDoc]:
    """Access, post and comment, read together; 404 `comment_not_found` if any is hidden from the caller."""
    post_id = post_of_comment(comment_id)
    loaded, comment = await asyncio.gather(load_post(principal, post_id, contribute=contribute),
                                           read_comment(post_id, comment_id), return_exceptions=True)
    if isinstance(loaded, NotFound) or isinstance(comment, NotFound):
        raise comment_not_found()
    if isinstance(loaded, BaseException):
        raise loaded
    if isinstance(comment, BaseException):
        raise comment
    access, post = loaded
    return access, post, comment


# ---------------------------------------------------------------------------------------------------------
# listing


async def _with_descendants(post_id: str, tops: list[CommentDoc], where: list[Where]) -> tuple[
        list[CommentDoc], dict[str, list[CommentDoc]]]:
    if not tops:
        return tops, {}
    page = await comment_docs.query(Query(where=where, order_by=[("path", "asc")]), pk=post_id,
                                          limit=REPLY_BUDGET)
    return assemble(tops, page.items)


async def _present_tree(tops: list[CommentDoc], children: dict[str, list[CommentDoc]],
                        viewer: CommentViewer) -> list[CommentPublic]:
    ids = [doc["id"] for doc in tops] + [kid["id"] for kids in children.values() for kid in kids]
    votes_by_id = await votes.my_votes(ids, viewer.user_id)
    return [present(doc, viewer, votes_by_id=votes_by_id, children=children) for doc in tops]


async def check_list_comments(principal: Principal | None, post_id: str, q: CommentListQuery) -> CommentPage:
    """Root comments in the chosen order, each with its replies (oldest first) up to the reply budget."""
    scope = f"comments:{post_id}:{q.sort}"
    continuation = cursors.decode(scope, q.cursor).get("c") if q.cursor else None
    if q.cursor and not isinstance(continuation, str):
        raise cursors.invalid_cursor()
    # The gate and the roots query side by side; the roots are used only if the gate let the caller in.
    (access, _post), page = await gather_in_order(
        load_post(principal, post_id),
        comment_docs.query(Query(where=[Where("depth", "=", 0)], order_by=[ROOT_ORDER[q.sort]]),
                                 pk=post_id, limit=q.limit, continuation=continuation))
    roots = page.items
    tops, children = await _with_descendants(
        post_id, roots, [Where("root_id", "in", [doc["id"] for doc in roots]), Where("depth", ">", 0)])
    items = await _present_tree(tops, children, viewer_of(access))
    next_cursor = cursors.encode(scope, {"c": page.continuation}) if page.continuation else None
    return CommentPage(items=items, next_cursor=next_cursor)


async def check_list_replies(principal: Principal | None, comment_id: str, q: RepliesQuery) -> CommentPage:
    """A comment's replies, oldest first, each with its own replies up to the budget."""
    access, _post, parent = await load_comment(principal, comment_id)
    after = None
    if q.cursor:
        after = cursors.decode(replies_scope(comment_id), q.cursor).get("after")
        if after is not None and not isinstance(after, str):
            raise cursors.invalid_cursor()
    post_id = parent["post_id"]
    where = [Where("parent_id", "=", comment_id)]
    if after:
        where.append(Where("path", ">", after))
    # One more than asked tells whether another page exists, with a position we can re-create (a path).
    page = await comment_docs.query(Query(where=where, order_by=[("path", "asc")]), pk=post_id,
                                          limit=q.limit + 1)
    kids = page.items[:q.limit]
    more = len(page.items) > q.limit
    tops, children = await _with_descendants(post_id, kids, [
        Where("path", ">", kids[0]["path"] if kids else ""), Where("path", "<", subtree_end(kids[-1]["path"]) if kids
                                                                    else ""),
        Where("depth", ">", parent.get("depth", 0) + 1)])
    items = await _present_tree(tops, children, viewer_of(access))
    next_cursor = replies_cursor(comment_id, kids[-1]["path"]) if more and kids else None
    return CommentPage(items=items, next_cursor=next_cursor)


async def check_get_comment(principal: Principal | None, comment_id: str) -> CommentPublic:
    access, _post, comment = await load_comment(principal, comment_id)
    viewer = viewer_of(access)
    vote = (await votes.current_vote(comment_id, viewer.user_id))[0] if viewer.user_id else 0
    return present(comment, viewer, votes_by_id={comment_id: vote})


# ---------------------------------------------------------------------------------------------------------
# create


async def check_create_comment(principal: Principal, post_id: str, body: CommentCreate, *,
                               request_key: str | None = None) -> CommentPublic:
    access, post = await load_post(principal, post_id, contribute=True)
    parent = None
    if body.parent_id:
        if post_of_comment(body.parent_id) != post_id:
            raise comment_not_found()
        parent = await read_comment(post_id, body.parent_id)
    return await do_create_comment(principal, access, post, parent, body.content, body.use_anonymous,
                                   request_key=request_key)


async def check_reply(principal: Principal, parent_id: str, content: str, use_anonymous: bool, *,
                      request_key: str | None = None) -> CommentPublic:
    access, post, parent = await load_comment(principal, parent_id, contribute=True)
    return await do_create_comment(principal, access, post, parent, content, use_anonymous, request_key=request_key)


def _check_parent(parent: CommentDoc) -> int:
    if parent.get("state") != "visible":
        raise Conflict("This comment was deleted or removed.", code="comment_not_active")
    depth = parent.get("depth", 0) + 1
    if depth > MAX_DEPTH:
        raise ValidationFailed(f"Threads are at most {MAX_DEPTH} replies deep.", code="max_depth_reached",
                               details=[{"field": "parent_id", "code": "max_depth_reached",
                                         "message": f"Replies nest at most {MAX_DEPTH} levels."}])
    return depth


async def do_create_comment(principal: Principal, access: TopicAccess, post: PostDoc,
                            parent: CommentDoc | None, content: str, use_anonymous: bool, *,
                            request_key: str | None = None) -> CommentPublic:
    """One transactional batch in the post's partition: the comment, the parent's reply_count and the outbox
    document that carries what follows (post counters, mentions, the followers' fan-out), so a failure anywhere
    leaves either all of it or nothing. With an idempotency key the comment id comes from it, so a retry that
    outlived the key's claim finds the comment it made instead of making a second one."""
    content_filter.check_text(content=content)
    require_active(post)
    if post.get("locked") and not access.can("manage_posts"):
        raise Forbidden("This post is locked: it takes no new comments.", code="post_locked")
    depth = _check_parent(parent) if parent is not None else 0
    alias = await alias_if_anonymous(access, principal.user_id, use_anonymous)
    now = clock.now_iso()
    comment_id = new_comment_id(post["id"], request_key)
    for _ in range(MAX_EDIT_ATTEMPTS):
        doc: CommentDoc = {
            "id": comment_id, "pk": post["id"], "kind": "comment", "post_id": post["id"],
            "topic_id": post["topic_id"], "parent_id": parent["id"] if parent else None,
            "root_id": parent["root_id"] if parent else comment_id, "depth": depth,
            "path": child_path(parent, now, comment_id), "author_id": principal.user_id,
            "author_username": principal.username, "anonymous": alias is not None, "anonymous_name": alias,
            "content": content, "state": "visible", "upvote_count": 0, "downvote_count": 0, "score": 0,
            "reply_count": 0, "edit_count": 0, "created_at": now, "edited_at": None, "report_count": 0}
        ops = [BatchOp("create", doc=dict(doc))]
        if parent is not None:
            bumped: dict[str, Any] = {k: v for k, v in parent.items() if not k.startswith("_")}
            bumped["reply_count"] = parent.get("reply_count", 0) + 1
            ops.append(BatchOp("replace", doc=bumped, if_match=parent.get("_etag")))
        effects = [outbox.step("comments.counted", once=True, topic_id=post["topic_id"], post_id=post["id"],
                               activity=now),
                   outbox.step("comments.notified", topic_id=post["topic_id"], post_id=post["id"],
                               comment_id=comment_id)]
        try:
            results = await outbox.write(COMMENTS, post["id"], ops, effects, source=comment_id,
                                         hints={"topic": access.topic, "comment": doc})
            break
        except Conflict:
            if request_key is None:
                raise
            return await _made_before(access, post["id"], comment_id, principal)
        except PreconditionFailed:  # the parent changed (a vote, another reply): count on its new version
            assert parent is not None
            parent = await read_comment(post["id"], parent["id"])
            depth = _check_parent(parent)
    else:
        raise Conflict("The thread keeps changing; try again.", code="edit_conflict")
    created = cast(CommentDoc, results[0] or doc)
    await events.publish(events.post_group(post["id"]), "new_comment", event_payload(created))
    return present(created, viewer_of(access), children={comment_id: []})


async def _made_before(access: TopicAccess, post_id: str, comment_id: str, principal: Principal) -> CommentPublic:
    """The comment an earlier attempt with the same idempotency key created."""
    existing = await read_comment(post_id, comment_id)
    if existing.get("author_id") != principal.user_id:
        raise Conflict("A comment with this id exists.", code="comment_exists")
    return present(existing, viewer_of(access), children={comment_id: []})


# ---------------------------------------------------------------------------------------------------------
# edit, history, delete, remove


async def check_update_comment(principal: Principal, comment_id: str, content: str) -> CommentPublic:
    access, post, comment = await load_comment(principal, comment_id, contribute=True)
    if comment.get("author_id") != principal.user_id:
        raise Forbidden("Only the author may edit this comment.", code="not_author")
    content_filter.check_text(content=content)
    for _ in range(MAX_EDIT_ATTEMPTS):
        if comment.get("state") != "visible":
            raise Conflict("This comment was deleted or removed.", code="comment_not_active")
        if comment.get("content") == content:
            return present(comment, viewer_of(access))
        now = clock.now_iso()
        version = comment.get("edit_count", 0) + 1
        await revisions.save(comment_id, version, {"content": comment.get("content")},
                             created_at=comment.get("edited_at") or comment["created_at"], replaced_at=now)
        replacement: CommentDoc = {**without_system_fields(comment), "content": content, "edit_count": version,
                                   "edited_at": now}
        try:
            updated = await comment_docs.replace(replacement, if_match=comment.get("_etag"))
            break
        except PreconditionFailed:
            comment = await read_comment(post["id"], comment_id)
    else:
        raise Conflict("The comment keeps changing; try again.", code="edit_conflict")
    await mentions.notify_mentions(topic=access.topic, item_id=comment_id, post_id=post["id"], comment_id=comment_id,
                                   text=content, author_id=principal.user_id, actor=actor_of(updated))
    await events.publish(events.post_group(post["id"]), "comment_updated", event_payload(updated))
    return present(updated, viewer_of(access))


async def check_comment_history(principal: Principal | None, comment_id: str, q: ContentPageQuery) -> RevisionPage:
    access, _post, comment = await load_comment(principal, comment_id)
    viewer = viewer_of(access)
    if comment.get("state") != "visible" and not (viewer.is_admin or viewer.moderates):
        return RevisionPage(items=[], next_cursor=None)
    return await revisions.history(comment_id, limit=q.limit, cursor=q.cursor)


async def _change_state(comment: CommentDoc, new_state: str, extra: list[Patch],
                        from_states: tuple[str, ...]) -> CommentDoc | None:
    """Conditional state change; the post's comment_count follows only the request that made the move."""
    for state in from_states:
        try:
            updated = await comment_docs.patch(comment["pk"], comment["id"],
                                       [Patch("set", "/state", new_state), *extra],
                                       condition=[Where("state", "=", state)])
        except PreconditionFailed:
            continue
        delta = (new_state == "visible") - (state == "visible")
        if delta:
            await note_comment({"pk": comment["topic_id"], "id": comment["post_id"],
                                "topic_id": comment["topic_id"]}, delta, None)
        return updated
    return None


async def _announce_deleted(comment: CommentDoc, state: str) -> None:
    await events.publish(events.post_group(comment["post_id"]), "comment_deleted",
                         {"comment_id": comment["id"], "post_id": comment["post_id"], "state": state})


async def check_delete_comment(principal: Principal, comment_id: str, q: DeleteQuery) -> None:
    access, _post, comment = await load_comment(principal, comment_id)
    if q.mode == "hard":
        access_site_admin(principal, "Only administrators delete comments for good.")
        await purge_comment(comment)
        await audit_comment(principal, "comment.purge", comment, None)
        await _announce_deleted(comment, "purged")
        return
    if comment.get("author_id") == principal.user_id:
        if await _change_state(comment, "deleted", [Patch("set", "/deleted_at", clock.now_iso())], ("visible",)):
            await _announce_deleted(comment, "deleted")
        return
    if not access.can("manage_comments"):
        raise Forbidden("Only the author or a moderator may delete this comment.", code="not_author")
    reason = q.reason or DEFAULT_REMOVAL_REASON
    if comment.get("state") != "removed":
        await do_remove(comment, principal, reason)
        await audit_comment(principal, "comment.remove", comment, reason)


async def check_remove_comment(principal: Principal, comment_id: str, reason: str) -> CommentPublic:
    access, _post, comment = await load_comment(principal, comment_id)
    access.require("manage_comments")
    already = comment.get("state") == "removed"
    updated = await do_remove(comment, principal, reason)
    if not already:
        await audit_comment(principal, "comment.remove", comment, reason)
    return present(updated, viewer_of(access))


async def audit_comment(principal: Principal, action: str, comment: CommentDoc, reason: str | None, *,
                        report_id: str | None = None) -> None:
    from shared.domain.moderation import audit_log

    await audit_log.record(principal, action, place=audit_log.topic_place(comment["topic_id"]),
                           target_kind="comment", target_id=comment["id"], target_user_id=comment.get("author_id"),
                           reason=reason, report_id=report_id,
                           details={"post_id": comment["post_id"], "excerpt": mentions.excerpt(comment.get("content"))})


async def do_remove(comment: CommentDoc, principal: Principal, reason: str) -> CommentDoc:
    removal: RemovalDoc = {"reason": reason, "by": principal.user_id, "at": clock.now_iso()}
    updated = await _change_state(comment, "removed", [Patch("set", "/removal", removal)], ("visible", "deleted"))
    if updated is None:
        return await read_comment(comment["post_id"], comment["id"])
    await _announce_deleted(comment, "removed")
    return updated


async def purge_comment(comment: CommentDoc) -> None:
    """Administrators' hard delete: the comment and its whole subtree, with votes and revisions."""
    from shared.domain.communities.post_moderation import purge_comment_docs

    post_id = comment["post_id"]
    subtree = Query(where=[Where("path", ">=", comment["path"]), Where("path", "<", subtree_end(comment["path"]))])
    visible = await comment_docs.count([*subtree.where, Where("state", "=", "visible")], pk=post_id)
    await purge_comment_docs(post_id, subtree)
    post_ref: PostKey = {"pk": comment["topic_id"], "id": post_id, "topic_id": comment["topic_id"]}
    if visible:
        await note_comment(post_ref, -visible, None)
    if parent_id := comment.get("parent_id"):
        try:
            await comment_docs.patch(post_id, parent_id, [Patch("incr", "/reply_count", -1)])
        except NotFound:
            pass


# ---------------------------------------------------------------------------------------------------------
# votes and reports


async def check_vote_comment(principal: Principal, comment_id: str, *, value: int | None = None,
                             toggle: int | None = None) -> VoteResult:
    _access, post, comment = await load_comment(principal, comment_id, contribute=True)
    if comment.get("state") != "visible":
        raise Conflict("This comment was deleted or removed.", code="comment_not_active")
    target = votes.Target(container=COMMENTS, pk=post["id"], id=comment_id, kind="comment",
                          topic_id=post["topic_id"], post_id=post["id"])
    outcome = await votes.cast(target, principal.user_id, value=value, toggle=toggle)
    counts: votes.VoteCounts = {"upvote_count": outcome.target.get("upvote_count", 0),
                                "downvote_count": outcome.target.get("downvote_count", 0),
                                "score": outcome.target.get("score", 0)}
    if outcome.changed:
        await events.publish(events.post_group(post["id"]), "comment_voted",
                             {"comment_id": comment_id, "post_id": post["id"], **counts})
    return VoteResult(target_id=comment_id, user_vote=outcome.value, **counts)


async def check_report_comment(principal: Principal, comment_id: str, reason: str) -> ReportResult:
    from shared.domain.communities.post_moderation import file_report

    return await file_report(kind="comment", target_id=comment_id, principal=principal, reason=reason)
