"""Lemmy's "hot" rank, stored on each post and refreshed by a timer.

    hot_rank = log10(max(2, score + 2)) / (age_hours + 2) ** 1.8     while the post is younger than 7 days, else 0

Storing the rank lets "hot" be a plain ORDER BY on one field of one partition. Votes update it at once; time
only lowers it, so the timer (functions/posts/timers.py) walks the posts that still have a positive rank and
rewrites the ones that moved. After 7 days a post's rank becomes 0 and the timer stops visiting it.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime

from shared import clock
from shared.domain.communities.documents import post_docs
from shared.errors import NotFound
from shared.ports import Patch, Query, Where

log = logging.getLogger("topicsflow.ranking")

GRAVITY = 1.8
MAX_AGE_HOURS = 7 * 24
REFRESH_PAGE = 200
# Below this relative change a rewrite is not worth a store write; order between posts is what matters.
MIN_RELATIVE_CHANGE = 0.01


def hot_rank(score: int, created_at: str, now: datetime | None = None) -> float:
    age_hours = ((now or clock.now()) - clock.parse(created_at)).total_seconds() / 3600
    if age_hours >= MAX_AGE_HOURS:
        return 0.0
    age_hours = max(age_hours, 0.0)
    return math.log10(max(2, score + 2)) / (age_hours + 2) ** GRAVITY


def _moved(old: float, new: float) -> bool:
    if new == 0.0 or old == 0.0:
        return old != new
    return abs(new - old) / old >= MIN_RELATIVE_CHANGE


async def refresh_hot_ranks(now: datetime | None = None) -> int:
    """Recomputes every positive rank; returns how many posts were rewritten."""
    moment = now or clock.now()
    query = Query(where=[Where("hot_rank", ">", 0)])
    continuation: str | None = None
    rewritten = 0
    while True:
        page = await post_docs.query(query, limit=REFRESH_PAGE, continuation=continuation)
        for post in page.items:
            rank = hot_rank(post.get("score", 0), post["created_at"], moment)
            if not _moved(post.get("hot_rank", 0.0), rank):
                continue
            try:
                await post_docs.patch(post["pk"], post["id"], [Patch("set", "/hot_rank", rank)])
                rewritten += 1
            except NotFound:
                continue  # hard-deleted meanwhile
        continuation = page.continuation
        if continuation is None:
            return rewritten
