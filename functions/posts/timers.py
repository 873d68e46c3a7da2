"""Timers for posts: the hot rank refresh."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.posts import bp

log = logging.getLogger("topicsflow.posts.timers")


@bp.timer_trigger(schedule="0 */5 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def refresh_post_hot_ranks(timer: func.TimerRequest) -> None:
    """Every 5 minutes: age lowers every young post's hot rank (votes already updated it at once)."""
    from shared.domain.communities.ranking import refresh_hot_ranks

    changed = await refresh_hot_ranks()
    log.info("refreshed the hot rank of %d posts", changed)
