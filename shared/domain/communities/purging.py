"""Removing a topic for good, after its deletion was approved, and the hook other parts use to remove theirs
(`register_topic_purger`, kept in purgers.py so that registering by dotted path loads nothing of this module).

Every step tolerates a half-finished earlier run (at-least-once timers): documents already gone are skipped,
and the topic document itself goes last, so a purge interrupted half-way is picked up again by the next run.
"""

from __future__ import annotations

import logging

from shared import clock, wiring
from shared.domain.communities.containers import ALIASES, INVITATIONS, MEMBERSHIPS, USER_TOPICS, invitation_id
from shared.domain.communities.documents import invitation_docs, member_docs, title_docs, topic_docs
from shared.domain.communities.purgers import (  # noqa: F401  (the registry, re-exported)
    TopicPurger,
    _purgers,
    register_topic_purger,
    registered_topic_purgers,
)
from shared.domain.purging import PURGE_BATCH, delete_partition
from shared.errors import NotFound, PreconditionFailed
from shared.ports import Query, Where

log = logging.getLogger("topicsflow.communities.purge")
MAX_TOPICS_PER_RUN = 20


async def _delete_quietly(container: str, pk: str, id: str) -> None:
    try:
        await wiring.documents().delete(container, pk, id)
    except NotFound:
        pass


async def purge_topic(topic_id: str) -> None:
    try:
        topic = await topic_docs.read(topic_id, topic_id)
    except NotFound:
        return
    for name, purger in registered_topic_purgers().items():
        try:
            await purger(topic_id)
        except Exception:
            log.exception("topic purger %s failed for %s; will retry on the next run", name, topic_id)
            raise
    # user-side mirrors first, found through the topic-side member edges
    while True:
        page = await member_docs.query(Query(where=[Where("kind", "=", "member")]), pk=topic_id, limit=PURGE_BATCH)
        if not page.items:
            break
        for edge in page.items:
            await _delete_quietly(USER_TOPICS, edge["user_id"], topic_id)
            await _delete_quietly(MEMBERSHIPS, topic_id, edge["id"])
    await delete_partition(MEMBERSHIPS, topic_id)
    await delete_partition(ALIASES, topic_id)
    while True:
        page = await invitation_docs.query(Query(where=[Where("topic_id", "=", topic_id)]), limit=PURGE_BATCH)
        if not page.items:
            break
        for inv in page.items:
            await _delete_quietly(INVITATIONS, inv["pk"], invitation_id(topic_id))
    await release_title(topic_id, topic.get("title_key"))
    try:
        await topic_docs.delete(topic_id, topic_id)
    except (NotFound, PreconditionFailed):
        pass


async def release_title(topic_id: str, key: str | None) -> None:
    """Frees the topic's title (its reservation `key`) for others, unless the reservation already belongs to
    another topic."""
    if not key:
        return
    try:
        lookup = await title_docs.read(key, key)
    except NotFound:
        return
    if lookup.get("topic_id") == topic_id:
        try:
            await title_docs.delete(key, key, if_match=lookup.get("_etag"))
        except (NotFound, PreconditionFailed):
            pass


async def purge_due_topics(limit: int = MAX_TOPICS_PER_RUN) -> list[str]:
    """The timer's work: topics whose deletion was approved and whose grace period ended."""
    page = await topic_docs.query(
        Query(where=[Where("status", "=", "deletion_approved"),
                             Where("deletion.permanent_delete_at", "<=", clock.now_iso())]), limit=limit)
    purged = []
    for topic in page.items:
        await purge_topic(topic["id"])
        purged.append(topic["id"])
    return purged
