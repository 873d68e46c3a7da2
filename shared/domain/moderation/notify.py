"""`admin_notification` events: to every administrator's user group (new reports, escalations, new tickets).

The administrators are found with one query (at most MAX_ADMINS, newest first is not needed: all of them get it);
events are best effort like every realtime event (shared/domain/events.py)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.domain import events
from shared.ports import Query, Where

MAX_ADMINS = 200


async def admin_ids() -> list[str]:
    from shared.domain.accounts.documents import user_docs

    page = await user_docs.query(Query(where=[Where("is_admin", "=", True), Where("status", "=", "active")]),
                                 limit=MAX_ADMINS)
    return [doc["id"] for doc in page.items]


async def notify_admins(kind: str, data: Mapping[str, object], *, except_user: str | None = None) -> None:
    for admin_id in await admin_ids():
        if admin_id != except_user:
            await events.publish_to_user(admin_id, "admin_notification", {"type": kind, **data})
