"""Counters recounted from the edge documents they summarise, so a crash between an edge's write and its counter
update does not leave a count wrong for good (the old system's counters drifted and were never reconciled).

Counted: a topic's `member_count` (member edges) and `post_count` (its visible posts), a post's `comment_count`
(its visible comments; posts active in the last VOTES_LOOKBACK_HOURS), and a post's or comment's `upvote_count`,
`downvote_count` and `score` (vote documents). The outbox relays a new post's or comment's counter update at least
once, so a worker dying between the update and its record can count it twice: this recount puts it right.

A counter is only corrected on a target nobody has written for `quiet_seconds`, and with If-Match on the version
read: a join or vote in flight either lands before the read (and is counted) or changes the target (and the
correction is skipped). Should a correction still race an update, the next run
corrects it from the same ground truth: the recount converges rather than accumulating error.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from shared import clock, wiring
from shared.domain.communities.containers import TOPICS
from shared.domain.communities.content_ids import COMMENTS, POSTS
from shared.domain.communities.documents import (
    CommentDoc,
    PostDoc,
    TopicDoc,
    VoteDoc,
    comment_docs,
    membership_docs,
    post_docs,
    topic_docs,
    vote_docs,
)
from shared.errors import NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

QUIET_SECONDS = 600
VOTES_LOOKBACK_HOURS = 24  # targets whose votes moved lately; older ones were checked by earlier runs
PAGE = 100


@dataclass
class Reconciled:
    topics_checked: int = 0
    targets_checked: int = 0
    corrected: list[str] = field(default_factory=list)  # "<container>/<id>"


async def reconcile_counters(*, quiet_seconds: float = QUIET_SECONDS, max_pages: int = 50) -> Reconciled:
    result = Reconciled()
    await _reconcile_member_counts(result, quiet_seconds, max_pages)
    await _reconcile_comment_counts(result, quiet_seconds, max_pages)
    await _reconcile_vote_tallies(result, quiet_seconds, max_pages)
    return result


async def _reconcile_member_counts(result: Reconciled, quiet_seconds: float, max_pages: int) -> None:
    cursor = None
    for _ in range(max_pages):
        page = await topic_docs.query(Query(where=[Where("status", "=", "active")]), limit=PAGE, continuation=cursor)
        for topic in page.items:
            result.topics_checked += 1
            members = await membership_docs.count([Where("kind", "=", "member")], pk=topic["id"])
            posts = await post_docs.count([Where("state", "=", "visible")], pk=topic["id"])
            if await _correct(TOPICS, topic, {"member_count": members, "post_count": posts}, quiet_seconds):
                result.corrected.append(f"{TOPICS}/{topic['id']}")
        cursor = page.continuation
        if cursor is None:
            return


async def _reconcile_comment_counts(result: Reconciled, quiet_seconds: float, max_pages: int) -> None:
    since = clock.later_iso(hours=-VOTES_LOOKBACK_HOURS)
    cursor = None
    for _ in range(max_pages):
        page = await post_docs.query(Query(where=[Where("last_activity", ">=", since)]), limit=PAGE,
                                     continuation=cursor)
        for post in page.items:
            result.targets_checked += 1
            comments = await comment_docs.count([Where("state", "=", "visible")], pk=post["id"])
            if await _correct(POSTS, post, {"comment_count": comments}, quiet_seconds):
                result.corrected.append(f"{POSTS}/{post['id']}")
        cursor = page.continuation
        if cursor is None:
            return


async def _reconcile_vote_tallies(result: Reconciled, quiet_seconds: float, max_pages: int) -> None:
    since = clock.later_iso(hours=-VOTES_LOOKBACK_HOURS)
    targets: dict[str, VoteDoc] = {}
    cursor = None
    for _ in range(max_pages):
        page = await vote_docs.query(Query(where=[Where("updated_at", ">=", since)]), limit=PAGE,
                                continuation=cursor)
        for vote in page.items:
            targets.setdefault(vote["pk"], vote)
        cursor = page.continuation
        if cursor is None:
            break
    for target_id, vote in targets.items():
        container, pk = (POSTS, vote["topic_id"]) if vote.get("kind") == "post" else (COMMENTS, vote["post_id"])
        try:
            target = await (post_docs if container == POSTS else comment_docs).read(pk, target_id)
        except NotFound:
            continue
        result.targets_checked += 1
        up = await vote_docs.count([Where("value", "=", 1)], pk=target_id)
        down = await vote_docs.count([Where("value", "=", -1)], pk=target_id)
        if await _correct(container, target, {"upvote_count": up, "downvote_count": down, "score": up - down},
                          quiet_seconds):
            result.corrected.append(f"{container}/{target_id}")


async def _correct(container: str, doc: TopicDoc | PostDoc | CommentDoc, truth: dict[str, int],
                   quiet_seconds: float) -> bool:
    wrong = {name: value for name, value in truth.items() if int(doc.get(name, 0) or 0) != value}
    if not wrong or time.time() - float(doc.get("_ts", 0)) < quiet_seconds:
        return False
    try:
        await wiring.documents().patch(container, doc["pk"], doc["id"],
                                       [Patch("set", f"/{name}", value) for name, value in wrong.items()],
                                       if_match=doc.get("_etag"))
    except (PreconditionFailed, NotFound):
        return False  # it changed meanwhile: the next run looks again
    return True
