"""Warnings: a moderator or administrator warns a user (from a report's `warn_user` action); the user gets a
`user_warning` event on their user group at once, sees the warning on GET /api/auth/me until they acknowledge it
(or it expires), lists theirs, and acknowledges it. Stored in `warnings`, pk = user id, so "mine" is one partition."""

from __future__ import annotations

import secrets

from shared import clock
from shared.domain import cursors, events
from shared.domain.identity import Principal
from shared.domain.moderation import audit_log
from shared.domain.moderation.audit_models import AuditPlace
from shared.domain.moderation.documents import WarningDoc, warning_docs
from shared.domain.moderation.places import Place
from shared.domain.moderation.warning_models import WarningListQuery, WarningPage, WarningPublic
from shared.errors import NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

MAX_ACTIVE_SHOWN = 20  # on /auth/me


def _id() -> str:
    return f"w_{clock.now().strftime('%Y%m%d%H%M%S%f')}_{secrets.token_hex(6)}"


def _active(doc: WarningDoc) -> bool:
    return not doc.get("acknowledged") and not clock.has_passed(doc.get("expires_at"))


def present(doc: WarningDoc) -> WarningPublic:
    return WarningPublic(id=doc["id"], message=doc["message"],
                         place=AuditPlace(kind=doc["place_kind"], id=doc.get("place_id")),
                         created_at=doc["created_at"], expires_at=doc.get("expires_at"),
                         acknowledged_at=doc.get("acknowledged_at"), active=_active(doc))


async def do_warn(principal: Principal, user_id: str, message: str, *, place: Place, report_id: str | None,
                  expires_days: float | None = None) -> WarningDoc:
    doc: WarningDoc = {"id": _id(), "pk": user_id, "user_id": user_id, "message": message, "place_kind": place.kind,
                       "place_id": place.id, "by": principal.user_id, "report_id": report_id,
                       "created_at": clock.now_iso(),
                       "expires_at": clock.later_iso(days=expires_days) if expires_days else None,
                       "acknowledged": False, "acknowledged_at": None}
    created = await warning_docs.create(doc)
    await audit_log.record(principal, "user.warn", place=place, target_kind="user", target_id=user_id,
                           target_user_id=user_id, reason=message, public=False, report_id=report_id)
    await events.publish_to_user(user_id, "user_warning", present(created).model_dump(mode="json"))
    return created


async def check_list_mine(principal: Principal, q: WarningListQuery) -> WarningPage:
    scope = cursors.scope("warnings", principal.user_id, q.active)
    where = [Where("acknowledged", "=", False)] if q.active else []
    page = await warning_docs.query(Query(where=where, order_by=[("id", "desc")]), pk=principal.user_id,
                                    limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
    items = [present(doc) for doc in page.items if not q.active or _active(doc)]
    return WarningPage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_acknowledge(principal: Principal, warning_id: str) -> WarningPublic:
    """Idempotent: acknowledging twice answers the warning as it is."""
    doc = await warning_docs.find(principal.user_id, warning_id)
    if doc is None:
        raise NotFound("Warning not found.", code="warning_not_found")
    if doc.get("acknowledged"):
        return present(doc)
    try:
        updated = await warning_docs.patch(principal.user_id, warning_id, [
            Patch("set", "/acknowledged", True), Patch("set", "/acknowledged_at", clock.now_iso())],
            condition=[Where("acknowledged", "=", False)])
    except PreconditionFailed:
        updated = await warning_docs.read(principal.user_id, warning_id)
    return present(updated)


async def active_warnings(user_id: str) -> list[WarningPublic]:
    """What GET /api/auth/me shows: one query in the user's partition."""
    page = await warning_docs.query(Query(where=[Where("acknowledged", "=", False)], order_by=[("id", "desc")]),
                                    pk=user_id, limit=MAX_ACTIVE_SHOWN)
    return [present(doc) for doc in page.items if _active(doc)]
