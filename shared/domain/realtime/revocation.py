"""What the other areas call when access to something ends, so that realtime access ends with it.

Each call is a handful of REST calls however many groups were joined (grants.py), and never fails the write
that took the access away: a failure is logged, and the guard filter keeps events from anything left behind.
"""

from __future__ import annotations

import logging

from shared import wiring
from shared.domain.realtime import grants
from shared.domain.realtime.groups import Scope

log = logging.getLogger("topicsflow.realtime.revocation")


async def topic_access_lost(user_id: str, topic_id: str) -> int:
    """The user may no longer read the topic (left, kicked or banned from an invite-only topic): their
    connections leave the topic's group and every post group of it. Returns the REST calls made."""
    return await grants.revoke(user_id, Scope("topic", topic_id))


async def topic_hidden(topic_id: str) -> int:
    """Nobody may read the topic any more (deleted, pending review): every connection leaves its groups."""
    return await grants.revoke_everyone(Scope("topic", topic_id))


async def group_closed(group: str) -> None:
    """Every connection leaves one group (a post deleted or removed)."""
    try:
        await wiring.realtime().remove_connections_from_groups([group])
    except Exception:
        log.exception("could not empty the realtime group %s", group)
