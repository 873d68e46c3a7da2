"""Deleting every document of one partition: the one loop that every area's erasure and purge uses.

It asks again from the start after each batch (deleted documents no longer match), so it neither depends on
continuation tokens surviving deletes nor stops early on a short page, and a second run after an interruption
simply finds less to do.
"""

from __future__ import annotations

from shared import wiring
from shared.errors import NotFound
from shared.ports import BatchOp, Query, Where

PURGE_BATCH = 100  # a transactional batch's maximum


async def delete_partition(container: str, pk: str, where: list[Where] | None = None) -> int:
    """Deletes every document of one partition (optionally filtered), 100 per transactional batch."""
    docs = wiring.documents()
    removed = 0
    while True:
        page = await docs.query(container, Query(where=where or []), pk=pk, limit=PURGE_BATCH)
        if not page.items:
            return removed
        try:
            await docs.batch(container, pk, [BatchOp("delete", id=item["id"]) for item in page.items])
        except NotFound:  # someone removed one meanwhile: fall back to one by one
            for item in page.items:
                try:
                    await docs.delete(container, pk, item["id"])
                except NotFound:
                    pass
        removed += len(page.items)
