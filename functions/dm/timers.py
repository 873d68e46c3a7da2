"""Timers for presence: finish the grace periods that ran out (a worker that restarted, or whose delayed check
did not run, loses nothing: the state is in the key-value store)."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.dm import bp

log = logging.getLogger("topicsflow.presence.timers")


@bp.timer_trigger(schedule="*/3 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def finish_presence_grace_periods(timer: func.TimerRequest) -> None:
    """Every 3 seconds; costs one set read when nobody is leaving."""
    from shared.domain.dm.presence import sweep

    done = await sweep()
    if done:
        log.info("presence: %d users went offline", done)
