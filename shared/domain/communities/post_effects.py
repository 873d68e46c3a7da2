"""What follows a new post, relayed from its outbox document (shared/domain/outbox.py) until done.

- `count_post` (once): the topic's post_count and last_activity;
- `follow_up_post` (idempotent): the author follows the post (so they hear about comments), the image's upload
  claim is forgotten, and the mentioned users are notified (ids "mention_<post id>").

The writer passes the topic and the post as hints; the relay timer reads them instead.
"""

from __future__ import annotations

from typing import Any

from shared.domain.communities import images, mentions
from shared.domain.communities.effect_hints import post_of, topic_of
from shared.domain.communities.posts import actor_of, bump_topic, follow


async def count_post(args: dict[str, Any], hints: dict[str, Any]) -> None:
    await bump_topic(args["topic_id"], 1, args["activity"])


async def follow_up_post(args: dict[str, Any], hints: dict[str, Any]) -> None:
    topic_id, post_id = args["topic_id"], args["post_id"]
    if args.get("image"):
        await images.forget_claim(args["image"])
    post = await post_of(hints, topic_id, post_id)
    topic = await topic_of(hints, topic_id)
    if post is None or topic is None or post.get("state") != "visible" or post["author_id"] is None:
        return
    await follow(post, post["author_id"])
    await mentions.notify_mentions(topic=topic, item_id=post_id, post_id=post_id, comment_id=None,
                                   text=post.get("content"), title=post.get("title"), author_id=post["author_id"],
                                   actor=actor_of(post))
