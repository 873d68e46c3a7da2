"""Timers for chat: the purge of soft-deleted messages."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.messages import bp

log = logging.getLogger("topicsflow.chat.timers")


@bp.timer_trigger(schedule="0 20 3 * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def purge_deleted_chat_messages(timer: func.TimerRequest) -> None:
    """Every night: unsent and removed messages older than 30 days go for good, with their reactions, edits and
    files."""
    from shared.domain.chat.purging import purge_deleted_messages

    purged = await purge_deleted_messages()
    log.info("purged %d deleted chat messages", purged)


@bp.timer_trigger(schedule="0 40 3 * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def purge_deleted_chat_rooms(timer: func.TimerRequest) -> None:
    """Every night: rooms whose deletion an administrator approved go for good, with everything in them."""
    from shared.domain.chat.rooms import purge_deleted_rooms

    purged = await purge_deleted_rooms()
    log.info("purged %d deleted chat rooms", purged)
