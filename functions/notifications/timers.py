"""Timers for notifications: purge the expired ones (Cosmos DB's TTL does it there; SQLite needs this)."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.notifications import bp

log = logging.getLogger("topicsflow.notifications.timers")


@bp.timer_trigger(schedule="0 17 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def purge_expired_notifications(timer: func.TimerRequest) -> None:
    """Hourly. Reads filter expired notifications out anyway, so this only reclaims space."""
    from shared.domain.notifications.service import purge_expired

    purged = await purge_expired()
    log.info("purged %d expired notifications", purged)
