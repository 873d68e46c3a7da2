"""Realtime events, published after the write that caused them has succeeded.

Every event reaches clients as {"type": <event name>, "data": {...}}. A failed publish is logged and swallowed:
the write already happened, and clients re-read on reconnect, so failing the request would only mislead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from shared import wiring

log = logging.getLogger("topicsflow.events")


def user_group(user_id: str) -> str:
    return f"user_{user_id}"


def topic_group(topic_id: str) -> str:
    return f"topic_{topic_id}"


def post_group(post_id: str) -> str:
    return f"post_{post_id}"


async def publish(group: str, event_type: str, data: Mapping[str, object]) -> None:
    try:
        await wiring.realtime().send_to_group(group, {"type": event_type, "data": data})
    except Exception:
        log.exception("could not publish %s to %s", event_type, group)


async def publish_to_user(user_id: str, event_type: str, data: Mapping[str, object]) -> None:
    await publish(user_group(user_id), event_type, data)
