"""Erasing a deleted account from moderation: its warnings and its tickets (with their threads) are deleted; the
reports it filed go with its content (communities/content_erasure.py calls reports.delete_reports_by). The audit log
keeps its entries: they name ids only, and an append-only record of what moderators did must not lose rows.
Registered as "moderation" with the accounts erasure registry (functions/moderation/__init__.py). Idempotent."""

from __future__ import annotations

from shared.domain.moderation.containers import TICKETS, WARNINGS
from shared.domain.moderation.documents import ticket_docs
from shared.domain.purging import delete_partition
from shared.ports import Query, Where


async def erase_user(user_id: str) -> None:
    await delete_partition(WARNINGS, user_id)
    while True:
        page = await ticket_docs.query(Query(where=[Where("type", "=", "ticket"), Where("user_id", "=", user_id)]),
                                       limit=100)
        for doc in page.items:
            await delete_partition(TICKETS, doc["pk"])
        if len(page.items) < 100:
            return
