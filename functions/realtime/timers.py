"""Timers for realtime: close the connections whose session has ended without anyone ending it."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.realtime import bp

log = logging.getLogger("topicsflow.realtime.timers")


@bp.timer_trigger(schedule="30 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def close_connections_of_ended_sessions(timer: func.TimerRequest) -> None:
    """Every minute. Logout, password change, ban and deletion close connections at once; a session that times
    out (idle or absolute) has no such moment, so a connection outlives it by at most this period."""
    from shared.domain.realtime.connections import sweep

    closed = await sweep()
    if closed:
        log.info("closed %d realtime connections whose session had ended", closed)
