"""Queue-triggered work for topics: re-stamping the feed audience of a topic's posts."""

from __future__ import annotations

import json

import azure.functions as func

from functions.topics import bp


@bp.service_bus_queue_trigger(arg_name="msg", queue_name="topic-audience", connection="ServiceBusConnection")
async def topics_restamp_post_audience(msg: func.ServiceBusMessage) -> None:
    """After a topic enters or leaves pending deletion its posts leave or rejoin the feeds, as the topic says
    when the message runs. Idempotent."""
    from shared.domain.communities.post_moderation import set_topic_audience

    body = json.loads(msg.get_body())
    await set_topic_audience(body["topic_id"])
