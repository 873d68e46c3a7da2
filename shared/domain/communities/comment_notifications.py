"""Fan-out of a new comment to the people who care, run from the `comment-notifications` queue.

Recipients: the author of the parent comment ("reply") and everyone following the post ("comment"; a post's
author follows it from the start), minus the commenter, the users the comment already mentioned, users who
blocked the commenter (named comments only: blocks never apply to anonymous content, which would give the alias
away), and, in an invite-only topic, anyone no longer a member. Ids are "reply_<comment id>" and
"comment_<comment id>" in each recipient's partition, so a redelivered message notifies nobody twice.
Anonymous commenters are named by their alias only.
"""

from __future__ import annotations

from shared.domain.communities.containers import member_id
from shared.domain.communities.content_ids import post_of_comment, topic_of_post
from shared.domain.communities.documents import (
    TopicDoc,
    comment_docs,
    follow_docs,
    membership_docs,
    post_docs,
    topic_docs,
)
from shared.domain.communities.mentions import excerpt, not_blocking
from shared.domain.communities.posts import actor_of
from shared.domain.notifications import service as notifications
from shared.domain.notifications.documents import NotificationData
from shared.ports import Query

FOLLOWER_PAGE = 100


async def _eligible(topic: TopicDoc, author_id: str, candidates: list[str], *, anonymous: bool) -> list[str]:
    if not candidates:
        return []
    eligible = await not_blocking(author_id, candidates, anonymous=anonymous)
    if topic.get("visibility") == "private" and eligible:
        members = await membership_docs.read_many([(topic["id"], member_id(uid)) for uid in eligible])
        member_ids = {doc["id"] for doc in members}
        eligible = [uid for uid in eligible if uid == topic.get("owner_id") or member_id(uid) in member_ids]
    return eligible


async def do_notify_followers(comment_id: str, skip: list[str]) -> int:
    """Returns how many notifications were created (0 on a redelivery)."""
    post_id = post_of_comment(comment_id)
    topic_id = topic_of_post(post_id)
    comment = await comment_docs.find(post_id, comment_id)
    post = await post_docs.find(topic_id, post_id)
    topic = await topic_docs.find(topic_id, topic_id)
    if comment is None or post is None or topic is None or comment.get("state") != "visible":
        return 0
    author_id = comment["author_id"]
    if author_id is None:  # an erased author's comment is a tombstone, never visible
        return 0
    actor = actor_of(comment)
    data: NotificationData = {"topic_id": topic_id, "post_id": post_id, "comment_id": comment_id}
    message = excerpt(comment.get("content"))
    done = {author_id, *skip}
    created = 0
    if parent_id := comment.get("parent_id"):
        parent = await comment_docs.find(post_id, parent_id)
        parent_author = parent.get("author_id") if parent else None
        if parent_author and parent_author not in done:
            done.add(parent_author)
            for uid in await _eligible(topic, author_id, [parent_author], anonymous=actor.anonymous):
                if await notifications.notify(uid, f"reply_{comment_id}", "reply", data=data, actor=actor,
                                              title=f"{actor.display_name} replied to your comment",
                                              message=message):
                    created += 1
    title = f"New comment on “{excerpt(post.get('title'))}”"
    continuation: str | None = None
    while True:
        page = await follow_docs.query(Query(), pk=post_id, limit=FOLLOWER_PAGE,
                                              continuation=continuation)
        candidates = [doc["id"] for doc in page.items if doc["id"] not in done]
        for uid in await _eligible(topic, author_id, candidates, anonymous=actor.anonymous):
            if await notifications.notify(uid, f"comment_{comment_id}", "comment", title=title, message=message,
                                          data=data, actor=actor):
                created += 1
        continuation = page.continuation
        if continuation is None:
            return created
