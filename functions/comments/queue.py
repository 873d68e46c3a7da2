"""Queue-triggered work for comments: notifying the followers of a post and the parent comment's author."""

from __future__ import annotations

import json

import azure.functions as func

from functions.comments import bp


@bp.service_bus_queue_trigger(arg_name="msg", queue_name="comment-notifications", connection="ServiceBusConnection")
async def comments_notify_followers(msg: func.ServiceBusMessage) -> None:
    """Idempotent: notification ids are derived from the comment, so a redelivery creates nothing new."""
    from shared.domain.communities.comment_notifications import do_notify_followers

    body = json.loads(msg.get_body())
    await do_notify_followers(body["comment_id"], list(body.get("skip") or []))
