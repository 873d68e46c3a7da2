"""Realtime events, published after the write that caused them has succeeded.

Every event reaches clients as {"type": <event name>, "data": {...}}. An event to a group that an access
decision guards (a topic's, a post's, a room's, a call's) is sent with the filter "also in the scope's guard
group" (shared/domain/realtime/groups.py), so it reaches only connections whose access still holds.

Events are best effort: a failed publish is logged and counted (`dropped_events`, shown in /api/health under
`counters`), never raised, because the write already happened and clients re-read on reconnect, so failing the
request would only mislead.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping

from shared import wiring
from shared.domain.realtime.groups import guard_of, post_group, topic_group, user_group
from shared.realtime_filters import in_group

log = logging.getLogger("topicsflow.events")

dropped_events: Counter[str] = Counter()  # event type -> events this worker could not publish


async def publish(group: str, event_type: str, data: Mapping[str, object]) -> None:
    guard = guard_of(group)
    try:
        await wiring.realtime().send_to_group(group, {"type": event_type, "data": data},
                                              filter=in_group(guard) if guard is not None else None)
    except Exception:
        dropped_events[event_type] += 1
        # One line per drop, with the running total, for the logs and alerts (Application Insights traces).
        log.warning("could not publish %s to %s (dropped; %d %s events dropped by this worker)", event_type, group,
                    dropped_events[event_type], event_type, exc_info=True)


async def publish_to_user(user_id: str, event_type: str, data: Mapping[str, object]) -> None:
    await publish(user_group(user_id), event_type, data)


__all__ = ["dropped_events", "post_group", "publish", "publish_to_user", "topic_group", "user_group"]
