"""Timers for calls: drop silent participants and end empty calls, so no place is blocked by a dead call."""

from __future__ import annotations

import azure.functions as func

from functions.voip import bp


@bp.timer_trigger(schedule="*/15 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def voip_end_stale_calls(timer: func.TimerRequest) -> None:
    """Every 15 s: a participant is gone within voip_participant_timeout_seconds plus 15 s."""
    from shared.domain.voip.stale import end_stale_calls

    await end_stale_calls()
