"""Read state of any conversation: a marker per reader ("read up to seq N", plus mentions since), and the
conversation's counter (the seq of its last message). Unread = counter - marker: two read_many calls for a
whole page of conversations, never a count of messages per request (as Matrix's and Zulip's read markers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from shared import clock
from shared.domain.chat.containers import COUNTER_ID
from shared.domain.chat.documents import ReadMarkerDoc, counter_docs, read_marker_docs
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch

MAX_ATTEMPTS = 10


async def current_seqs(conversation_ids: Sequence[str]) -> dict[str, int]:
    if not conversation_ids:
        return {}
    docs = await counter_docs.read_many([(cid, COUNTER_ID) for cid in conversation_ids])
    return {doc["pk"]: int(doc.get("seq", 0)) for doc in docs}


async def current_seq(conversation_id: str) -> int:
    return (await current_seqs([conversation_id])).get(conversation_id, 0)


async def unread(user_id: str | None, conversation_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """conversation id -> (unread count, mention count) for the caller; (0, 0) where they keep no marker."""
    if not user_id or not conversation_ids:
        return {}
    seqs, markers = await asyncio.gather(
        current_seqs(conversation_ids),
        read_marker_docs.read_many([(user_id, cid) for cid in conversation_ids]))
    found = {doc["id"]: doc for doc in markers}
    result: dict[str, tuple[int, int]] = {}
    for cid in conversation_ids:
        marker = found.get(cid)
        if marker is None:
            result[cid] = (0, 0)
            continue
        result[cid] = (max(0, seqs.get(cid, 0) - int(marker.get("read_seq", 0))), int(marker.get("mention_count", 0)))
    return result


async def start_reading(user_id: str, conversation_id: str) -> None:
    """A new member starts with nothing unread (the marker at the last message)."""
    seq = await current_seq(conversation_id)
    marker: ReadMarkerDoc = {"id": conversation_id, "pk": user_id, "conversation_id": conversation_id,
                             "read_seq": seq, "mention_count": 0, "updated_at": clock.now_iso()}
    await read_marker_docs.upsert(marker)


async def forget(user_id: str, conversation_id: str) -> None:
    try:
        await read_marker_docs.delete(user_id, conversation_id)
    except NotFound:
        pass


async def mark_read(user_id: str, conversation_id: str, seq: int) -> ReadMarkerDoc:
    """Moves the marker forward to `seq` (never back) and clears the mention count."""
    for _ in range(MAX_ATTEMPTS):
        existing = await read_marker_docs.find(user_id, conversation_id)
        marker: ReadMarkerDoc = {"id": conversation_id, "pk": user_id, "conversation_id": conversation_id,
                                 "read_seq": max(seq, int(existing["read_seq"]) if existing else 0),
                                 "mention_count": 0, "updated_at": clock.now_iso()}
        try:
            if existing is None:
                return await read_marker_docs.create(marker)
            return await read_marker_docs.replace(marker, if_match=existing.get("_etag"))
        except (Conflict, PreconditionFailed, NotFound):
            continue
    raise Conflict("The read marker kept changing; try again.", code="concurrent_update")


async def add_mention(user_id: str, conversation_id: str) -> None:
    """One more mention for the user (kept until they read)."""
    try:
        await read_marker_docs.patch(user_id, conversation_id, [Patch("incr", "/mention_count", 1)])
    except NotFound:
        pass  # no marker: not a reader of this conversation


__all__ = ["add_mention", "current_seq", "current_seqs", "forget", "mark_read", "start_reading", "unread"]
