"""Purging soft-deleted messages: unsent and removed messages are kept for PURGE_AFTER_DAYS (their content already
hidden from every answer), then the timer deletes them for good with what hangs off them: reactions, the edit
history, attached files and their lookups. One cross-partition query per batch; a second run after an interruption
finds less to do."""

from __future__ import annotations

import logging

from shared import clock
from shared.domain.chat import attachments
from shared.domain.chat.documents import MessageDoc, message_docs, revision_docs
from shared.domain.purging import delete_partition
from shared.errors import NotFound
from shared.ports import Query, Where

log = logging.getLogger("topicsflow.chat.purging")

BATCH = 100


async def _purge_one(doc: MessageDoc) -> None:
    await delete_partition("reactions", doc["id"])
    for version in range(1, int(doc.get("edit_count", 0)) + 1):
        try:
            await revision_docs.delete(doc["pk"], f"{doc['id']}.v{version}")
        except NotFound:
            pass
    for file in doc.get("attachments") or []:
        await attachments.delete_blob(file["id"])
        try:
            await attachments.lookup_docs.delete(file["id"], file["id"])
        except NotFound:
            pass
    try:
        await message_docs.delete(doc["pk"], doc["id"])
    except NotFound:
        pass


async def purge_messages_of(conversation_id: str) -> None:
    """Every message of a conversation that goes for good (a purged room), with what hangs off each."""
    while True:
        page = await message_docs.query(Query(where=[Where("kind", "=", "message")]), pk=conversation_id,
                                        limit=BATCH)
        if not page.items:
            return
        for doc in page.items:
            await _purge_one(doc)


async def purge_deleted_messages(*, max_batches: int = 10) -> int:
    """Deletes the messages whose permanent_delete_at has passed; returns how many."""
    purged = 0
    for _ in range(max_batches):
        page = await message_docs.query(Query(where=[Where("kind", "=", "message"),
                                                     Where("state", "in", ["deleted", "removed"]),
                                                     Where("permanent_delete_at", "<=", clock.now_iso())]),
                                        limit=BATCH)
        if not page.items:
            break
        for doc in page.items:
            await _purge_one(doc)
            purged += 1
        if len(page.items) < BATCH:
            break
    if purged:
        log.info("purged %d deleted messages", purged)
    return purged
