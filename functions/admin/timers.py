"""Timers for administration: the user counts behind /api/admin/stats."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.admin import bp

log = logging.getLogger("topicsflow.admin.timers")


@bp.timer_trigger(schedule="0 */10 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def snapshot_user_stats(timer: func.TimerRequest) -> None:
    """Every 10 minutes: four count queries over the users, kept as the "users" counters document, and the report
    and ticket totals recounted."""
    from shared.domain.moderation.admin_stats import reconcile_totals, snapshot_user_counts

    counts = await snapshot_user_counts()
    written = await reconcile_totals()
    log.info("user counts: %s; report and ticket totals %s", counts, "recounted" if written else "left to next run")
