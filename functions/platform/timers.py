"""Timers of the platform: relaying what the outbox still holds."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.platform import bp

log = logging.getLogger("topicsflow.platform.timers")


@bp.timer_trigger(schedule="*/30 * * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def platform_relay_outbox(timer: func.TimerRequest) -> None:
    """Every 30 seconds: side effects a write recorded but could not relay at once (queue down, store throttling,
    a worker that died) are relayed now (shared/domain/outbox.py)."""
    from shared.domain import outbox

    report = await outbox.relay_due()
    if report.relayed or report.failed:
        log.info("outbox: relayed %d, failed %d, skipped %d", report.relayed, report.failed, report.skipped)
