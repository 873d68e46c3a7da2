"""Timers for topics: purge approved deletions and expired bans and mutes; refresh the hot rank."""

from __future__ import annotations

import logging

import azure.functions as func

from functions.topics import bp

log = logging.getLogger("topicsflow.topics.timers")


@bp.timer_trigger(schedule="0 7 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def purge_topics(timer: func.TimerRequest) -> None:
    """Hourly: topics whose deletion was approved and whose grace period ended are removed with everything in
    them; bans and mutes whose time is up are deleted."""
    from shared.domain.communities.moderation import remove_expired_restrictions
    from shared.domain.communities.purging import purge_due_topics

    purged = await purge_due_topics()
    lifted = await remove_expired_restrictions()
    log.info("purged %d topics, removed %d expired bans or mutes", len(purged), lifted)


@bp.timer_trigger(schedule="0 */10 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def refresh_topic_hot_ranks(timer: func.TimerRequest) -> None:
    """Every 10 minutes, as Lemmy and Discourse batch-update their scores."""
    from shared.domain.communities.topics import refresh_hot_ranks

    changed = await refresh_hot_ranks()
    log.info("refreshed the hot rank of %d topics", changed)


@bp.timer_trigger(schedule="0 37 * * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def reconcile_community_counters(timer: func.TimerRequest) -> None:
    """Hourly: member counts and vote tallies recounted from their edge documents (see reconcile.py)."""
    from shared.domain.communities.reconcile import reconcile_counters

    result = await reconcile_counters()
    log.info("checked %d topics and %d voted targets; corrected %s", result.topics_checked,
             result.targets_checked, result.corrected or "nothing")
