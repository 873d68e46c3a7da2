"""The registry of topic purgers; purging.py has the purge that runs them.

Apart from purging.py, and importing nothing of the app, because `function_app` registers the purgers while it
loads: each is named by dotted path and imported only when a topic is purged.

    register_topic_purger("communities.posts", "shared.domain.communities.post_moderation:purge_topic_content")
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shared.lazy import import_target

TopicPurger = Callable[[str], Awaitable[None]]
_purgers: dict[str, TopicPurger | str] = {}


def register_topic_purger(name: str, fn: TopicPurger | str) -> None:
    """Posts, comments and the like register here: `fn(topic_id)` (an async function, or the
    "package.module:function" path of one) removes everything of theirs in the topic, idempotently. It runs
    before the topic's own documents are removed."""
    _purgers[name] = fn


def registered_topic_purgers() -> dict[str, TopicPurger]:
    """Every purger in registration order, those given by path imported now."""
    return {name: import_target(fn) for name, fn in _purgers.items()}
