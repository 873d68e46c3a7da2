"""Erasing a deleted account's posts, comments, votes, follows, reports and notifications.

- Votes are withdrawn (each target's counters go back by exactly the vote, then the vote document goes).
- Posts and comments stay as tombstones so threads keep their shape, but lose their text, image and author:
  state "deleted", author_id / author_username / anonymous_name null.
- Follows, the user's reports and their notifications are deleted.
Idempotent (the erasure job is delivered at least once): a second run finds nothing left to change. Registered
with the accounts erasure registry as "communities.content", and with the topic purge as "communities.posts"
(by path, in functions/posts/__init__.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared import clock, wiring
from shared.domain.communities import images, votes
from shared.domain.communities.content_ids import COMMENTS, FOLLOWS, POSTS
from shared.domain.communities.documents import (
    CommentDoc,
    FollowDoc,
    PostDoc,
    VoteDoc,
    comment_docs,
    follow_docs,
    post_docs,
    vote_docs,
)
from shared.domain.communities.posts import bump_topic, note_comment
from shared.domain.notifications import service as notifications
from shared.domain.stored import Container
from shared.errors import NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

PAGE = 100
D = TypeVar("D")


async def _each(container: Container[D], where: list[Where], handle: Callable[[D], Awaitable[None]]) -> None:
    """Visits every matching document across partitions; `handle` must make it stop matching."""
    while True:
        page = await container.query(Query(where=where), limit=PAGE)
        if not page.items:
            return
        for doc in page.items:
            await handle(doc)


async def _withdraw_vote(vote: VoteDoc) -> None:
    docs = wiring.documents()
    try:
        await vote_docs.delete(vote["pk"], vote["id"], if_match=vote.get("_etag"))
    except (NotFound, PreconditionFailed):
        return  # changed or gone meanwhile: the next pass sees its current state
    container, pk = (POSTS, vote["topic_id"]) if vote.get("kind") == "post" else (COMMENTS, vote["post_id"])
    try:
        await docs.patch(container, pk, vote["pk"], votes.counters(int(vote.get("value", 0)), 0))
    except NotFound:
        pass


async def _strip(container: str, doc: PostDoc | CommentDoc) -> None:
    ops = [Patch("set", "/author_id", None), Patch("set", "/author_username", None),
           Patch("set", "/anonymous_name", None), Patch("set", "/content", None)]
    if container == POSTS:
        ops += [Patch("set", "/title", None), Patch("set", "/image", None)]
    was_visible = doc.get("state") == "visible"
    ops.append(Patch("set", "/state", "deleted" if doc.get("state") != "removed" else "removed"))
    ops.append(Patch("set", "/erased_at", clock.now_iso()))
    try:
        await wiring.documents().patch(container, doc["pk"], doc["id"], ops, if_match=doc.get("_etag"))
    except (NotFound, PreconditionFailed):
        return
    if container == POSTS:
        await images.delete_image(doc.get("image"))
        if was_visible:
            await bump_topic(doc["topic_id"], -1)
    elif was_visible and doc["kind"] == "comment":
        await note_comment({"pk": doc["topic_id"], "id": doc["post_id"], "topic_id": doc["topic_id"]}, -1, None)


async def _delete(container: str, doc: FollowDoc) -> None:
    try:
        await wiring.documents().delete(container, doc["pk"], doc["id"])
    except NotFound:
        pass


async def erase_user(user_id: str) -> None:
    await _each(vote_docs, [Where("voter_id", "=", user_id)], _withdraw_vote)
    await _each(follow_docs, [Where("follower_id", "=", user_id)], lambda doc: _delete(FOLLOWS, doc))
    from shared.domain.moderation.reports import delete_reports_by

    await delete_reports_by(user_id)
    await _each(comment_docs, [Where("author_id", "=", user_id)], lambda doc: _strip(COMMENTS, doc))
    await _each(post_docs, [Where("author_id", "=", user_id)], lambda doc: _strip(POSTS, doc))
    await notifications.erase_user(user_id)
