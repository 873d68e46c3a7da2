"""Timers of the models area: failing jobs whose worker died."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.models import bp

log = logging.getLogger("topicsflow.models.timers")


@bp.timer_trigger(schedule="15 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def models_fail_stale_jobs(timer: func.TimerRequest) -> None:
    """Every minute: a running job without a heartbeat for MODELS_JOB_STALE_SECONDS is failed, so a dead worker
    never keeps a model (or a quota slot) for ever."""
    from shared.domain.models.jobs import fail_stale_jobs

    failed = await fail_stale_jobs()
    if failed:
        log.warning("failed %d model jobs whose worker stopped heartbeating", len(failed))
