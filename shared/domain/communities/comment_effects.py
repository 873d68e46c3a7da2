"""What follows a new comment, relayed from its outbox document (shared/domain/outbox.py) until done.

- `count_comment` (once): the post's comment_count and last_activity, and the topic's last_activity;
- `notify_about_comment` (idempotent): the mention notifications (ids "mention_<comment id>") and the
  `comment-notifications` message for the followers' fan-out (message id = comment id).

The writer passes what it has in memory as hints (the topic and the comment); the relay timer reads them instead.
A comment deleted or purged before its relay notifies nobody.
"""

from __future__ import annotations

from typing import Any

from shared import wiring
from shared.domain.communities import mentions
from shared.domain.communities.documents import PostKey
from shared.domain.communities.effect_hints import comment_of, topic_of
from shared.domain.communities.posts import actor_of, note_comment

FANOUT_QUEUE = "comment-notifications"


async def count_comment(args: dict[str, Any], hints: dict[str, Any]) -> None:
    post: PostKey = {"pk": args["topic_id"], "id": args["post_id"], "topic_id": args["topic_id"]}
    await note_comment(post, 1, args["activity"])


async def notify_about_comment(args: dict[str, Any], hints: dict[str, Any]) -> None:
    topic_id, post_id, comment_id = args["topic_id"], args["post_id"], args["comment_id"]
    comment = await comment_of(hints, post_id, comment_id)
    topic = await topic_of(hints, topic_id)
    if comment is None or topic is None or comment.get("state") != "visible" or comment["author_id"] is None:
        return
    mentioned = await mentions.notify_mentions(topic=topic, item_id=comment_id, post_id=post_id,
                                               comment_id=comment_id, text=comment.get("content"),
                                               author_id=comment["author_id"], actor=actor_of(comment))
    await wiring.queue().send(FANOUT_QUEUE, {"comment_id": comment_id, "skip": mentioned}, message_id=comment_id)
