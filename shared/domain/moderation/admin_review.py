"""What administrators review besides reports: banned users, one user's posts and comments, and the queue of pending
deletions (topics their owners deleted, waiting for approval; posts their authors deleted) with approve/reject.

- Topics: approve and reject are the topics' own review (communities/topics.py, audited there); the purge timer
  removes approved topics after the grace period.
- Posts: a post its author deleted is hidden already; approving purges it for good at once (comments, votes,
  reports and image with it), rejecting brings it back (as TopicsFlow's reject did). Both are audit entries.
Every function asks `access_site_admin` itself, whatever the route checked.
"""

from __future__ import annotations

from shared.domain import cursors
from shared.domain.communities.access import access_site_admin
from shared.domain.identity import Principal
from shared.domain.moderation.admin_models import (
    AdminPageQuery,
    BannedUser,
    BannedUserPage,
    PendingDeletions,
    PendingPost,
    PendingQuery,
    PendingTopic,
    PostDeletionResult,
    UserContentItem,
    UserContentPage,
    UserContentQuery,
)
from shared.errors import BadRequest, Conflict, NotFound
from shared.ports import Query, Where


async def check_banned_users(principal: Principal, q: AdminPageQuery) -> BannedUserPage:
    from shared.domain.accounts.documents import user_docs

    access_site_admin(principal)
    scope = "admin-banned"
    page = await user_docs.query(Query(where=[Where("status", "=", "banned")], order_by=[("updated_at", "desc")]),
                                 limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
    items = []
    for doc in page.items:
        ban = doc.get("ban") or {}
        items.append(BannedUser(id=doc["id"], username=doc["username"], reason=ban.get("reason"),
                                banned_at=ban.get("at"), banned_by=ban.get("by")))
    return BannedUserPage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_user_content(principal: Principal, user_id: str, q: UserContentQuery) -> UserContentPage:
    """A user's posts or comments, newest first, whatever their state (anonymous ones included: administrators see
    who wrote them anyway)."""
    from shared.domain.communities.documents import comment_docs, post_docs
    from shared.domain.communities.mentions import excerpt

    access_site_admin(principal)
    scope = cursors.scope("admin-content", user_id, q.kind)
    query = Query(where=[Where("author_id", "=", user_id), Where("kind", "=", q.kind)],
                  order_by=[("created_at", "desc")])
    continuation = cursors.continuation(scope, q.cursor)
    items: list[UserContentItem] = []
    if q.kind == "post":
        posts = await post_docs.query(query, limit=q.limit, continuation=continuation)
        items = [UserContentItem(kind="post", id=d["id"], topic_id=d["topic_id"], post_id=d["id"],
                                 title=d.get("title"), excerpt=excerpt(d.get("content")), state=d["state"],
                                 anonymous=bool(d.get("anonymous")), report_count=d.get("report_count", 0),
                                 created_at=d["created_at"]) for d in posts.items]
        next_token = posts.continuation
    else:
        comments = await comment_docs.query(query, limit=q.limit, continuation=continuation)
        items = [UserContentItem(kind="comment", id=d["id"], topic_id=d["topic_id"], post_id=d["post_id"],
                                 title=None, excerpt=excerpt(d.get("content")), state=d["state"],
                                 anonymous=bool(d.get("anonymous")), report_count=d.get("report_count", 0),
                                 created_at=d["created_at"]) for d in comments.items]
        next_token = comments.continuation
    return UserContentPage(items=items, next_cursor=cursors.next_cursor(scope, next_token))


async def check_pending_deletions(principal: Principal, q: PendingQuery) -> PendingDeletions:
    from shared.domain.communities.documents import post_docs, topic_docs

    access_site_admin(principal)
    if q.cursor and q.kind is None:
        raise BadRequest("A cursor pages one kind: send kind with it.", code="invalid_cursor")
    topics: list[PendingTopic] = []
    posts: list[PendingPost] = []
    topics_next = posts_next = None
    if q.kind in (None, "topic"):
        scope = "pending:topics"
        page = await topic_docs.query(Query(where=[Where("status", "=", "pending_deletion")],
                                            order_by=[("updated_at", "asc")]),
                                      limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
        for t in page.items:
            deletion = t.get("deletion") or {}
            topics.append(PendingTopic(id=t["id"], title=t["title"], owner_id=t.get("owner_id"),
                                       requested_by=deletion.get("requested_by"),
                                       requested_at=deletion.get("requested_at"),
                                       permanent_delete_at=deletion.get("permanent_delete_at")))
        topics_next = cursors.next_cursor(scope, page.continuation)
    if q.kind in (None, "post"):
        scope = "pending:posts"
        page = await post_docs.query(Query(where=[Where("kind", "=", "post"), Where("state", "=", "deleted"),
                                                  Where("erased_at", "undefined")],
                                           order_by=[("created_at", "asc")]),
                                     limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
        posts = [PendingPost(id=p["id"], topic_id=p["topic_id"], title=p.get("title"), author_id=p.get("author_id"),
                             deleted_at=p.get("deleted_at")) for p in page.items]
        posts_next = cursors.next_cursor(scope, page.continuation)
    return PendingDeletions(topics=topics, posts=posts, topics_next_cursor=topics_next, posts_next_cursor=posts_next)


async def _deleted_post(post_id: str):
    from shared.domain.communities.content_ids import topic_of_post
    from shared.domain.communities.post_views import read_post

    post = await read_post(topic_of_post(post_id), post_id)
    if post.get("state") != "deleted":
        raise Conflict("This post is not waiting for a deletion review.", code="not_pending_deletion")
    return post


async def check_approve_post_deletion(principal: Principal, post_id: str) -> PostDeletionResult:
    from shared.domain import events
    from shared.domain.communities.post_moderation import audit_post, purge_post

    access_site_admin(principal)
    post = await _deleted_post(post_id)
    await purge_post(post)
    await events.publish(events.topic_group(post["topic_id"]), "post_deleted",
                         {"post_id": post_id, "topic_id": post["topic_id"], "state": "purged"})
    await audit_post(principal, "post.approve_deletion", post, None)
    return PostDeletionResult(post_id=post_id, status="purged")


async def check_reject_post_deletion(principal: Principal, post_id: str) -> PostDeletionResult:
    from shared.domain import events
    from shared.domain.communities.post_moderation import audit_post
    from shared.domain.communities.post_views import event_payload
    from shared.domain.communities.posts import change_state
    from shared.ports import Patch

    access_site_admin(principal)
    post = await _deleted_post(post_id)
    updated = await change_state(post, "visible", [Patch("set", "/deleted_at", None)], from_states=("deleted",))
    if updated is None:
        raise NotFound("Post not found.", code="post_not_found")
    await events.publish(events.topic_group(post["topic_id"]), "post_updated", await event_payload(updated))
    await audit_post(principal, "post.reject_deletion", post, None)
    return PostDeletionResult(post_id=post_id, status="restored")
