"""Documents an outbox step may find in its hints (what the writer had in memory) or else reads again.

Hints are the writer's own documents, passed as they were written; the relay timer has none and reads the store.
"""

from __future__ import annotations

from typing import Any, cast

from shared.domain.communities.documents import CommentDoc, PostDoc, TopicDoc, comment_docs, post_docs, topic_docs


async def topic_of(hints: dict[str, Any], topic_id: str) -> TopicDoc | None:
    return cast(TopicDoc, hints["topic"]) if "topic" in hints else await topic_docs.find(topic_id, topic_id)


async def post_of(hints: dict[str, Any], topic_id: str, post_id: str) -> PostDoc | None:
    return cast(PostDoc, hints["post"]) if "post" in hints else await post_docs.find(topic_id, post_id)


async def comment_of(hints: dict[str, Any], post_id: str, comment_id: str) -> CommentDoc | None:
    return cast(CommentDoc, hints["comment"]) if "comment" in hints else await comment_docs.find(post_id, comment_id)
