"""Votes on posts and comments: one document per voter and target, so counts stay exact under concurrency.

`votes` container: pk = target id (post or comment), id = voter's user id, value -1, 0 or 1. A vote changes in
two steps:
1. The vote document moves from the value read to the new one with a conditional write: create (Conflict
   when another request created it first) or replace with If-Match (412 when another request changed it).
   A lost race re-reads and tries again, so each transition old -> new happens exactly once.
2. The winner adds the difference to the target's counters with one atomic patch (incr).
Fifty voters at once give fifty transitions and fifty increments; twenty identical requests from one voter give
one transition and nineteen no-ops. Vote documents are never returned: nobody learns who voted, only their
own vote (`user_vote`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypedDict

from shared import clock
from shared.domain.communities.content_ids import VOTES
from shared.domain.communities.documents import CommentDoc, PostDoc, VoteDoc, comment_docs, post_docs, vote_docs
from shared.domain.purging import delete_partition
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch

MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Target:
    container: str  # posts or comments
    pk: str  # the target's partition key (topic id for posts, post id for comments)
    id: str
    kind: Literal["post", "comment"]
    topic_id: str
    post_id: str


class VoteCounts(TypedDict):
    """A post's or comment's tallies, as responses and events show them."""

    upvote_count: int
    downvote_count: int
    score: int


@dataclass(frozen=True)
class VoteOutcome:
    target: PostDoc | CommentDoc  # the target document after the vote
    value: int  # the voter's vote now
    changed: bool


def counters(old: int, new: int) -> list[Patch]:
    ops = [Patch("incr", "/score", new - old)]
    up = int(new == 1) - int(old == 1)
    down = int(new == -1) - int(old == -1)
    if up:
        ops.append(Patch("incr", "/upvote_count", up))
    if down:
        ops.append(Patch("incr", "/downvote_count", down))
    return ops


async def current_vote(target_id: str, user_id: str) -> tuple[int, str | None]:
    try:
        doc = await vote_docs.read(target_id, user_id)
    except NotFound:
        return 0, None
    return int(doc.get("value", 0)), doc.get("_etag")


async def my_votes(target_ids: list[str], user_id: str | None) -> dict[str, int]:
    """The caller's own votes on a page of targets, in one read."""
    if not user_id or not target_ids:
        return {}
    docs = await vote_docs.read_many([(tid, user_id) for tid in target_ids])
    return {doc["pk"]: int(doc.get("value", 0)) for doc in docs}


async def cast(target: Target, user_id: str, *, value: int | None = None, toggle: int | None = None) -> VoteOutcome:
    """Sets the vote to `value`, or with `toggle` (1 or -1) flips it as TopicsFlow's upvote/downvote routes did:
    the same vote again withdraws it, the opposite vote replaces it."""
    targets = post_docs if target.kind == "post" else comment_docs
    for _ in range(MAX_ATTEMPTS):
        old, etag = await current_vote(target.id, user_id)
        new = value if value is not None else (0 if old == toggle else toggle or 0)
        if new == old:
            return VoteOutcome(target=await targets.read(target.pk, target.id), value=old,
                               changed=False)
        doc: VoteDoc = {"id": user_id, "pk": target.id, "voter_id": user_id, "value": new, "kind": target.kind,
               "topic_id": target.topic_id, "post_id": target.post_id, "updated_at": clock.now_iso()}
        try:
            if etag is None:
                await vote_docs.create(doc)
            else:
                await vote_docs.replace(doc, if_match=etag)
        except (Conflict, PreconditionFailed, NotFound):
            continue  # another request moved this vote first: read it again
        updated = await targets.patch(target.pk, target.id, counters(old, new))
        return VoteOutcome(target=updated, value=new, changed=True)
    raise Conflict("Too many simultaneous changes to this vote; try again.", code="vote_conflict")


async def erase_votes_on(target_id: str) -> None:
    """Deletes every vote on a target that is being deleted for good."""
    await delete_partition(VOTES, target_id)
