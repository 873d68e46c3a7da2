"""The audit log: one append-only entry per moderator or administrator action (who, what, target, reason, when).

Every action that moderates writes here: topic bans, mutes, kicks and moderator changes, post and comment
removals, restores, locks, pins and purges, topic deletion reviews, site bans, and every report action. Entries
live in the partition of their place ("topic:<id>", "room:<id>", "site"), so a topic's log is one partition.
Readers:
- administrators read everything (GET /api/admin/audit-log), filtered by place or action;
- a topic's owner and moderators read its log (GET /api/topics/{id}/audit-log);
- anyone who may see a topic reads its public modlog (GET /api/topics/{id}/modlog), as in Lemmy: the public
  entries only (not warnings or report triage), and the moderator's name only when the site setting
  MODLOG_SHOW_MODERATOR_NAMES is on.
An entry is written after the action succeeded; it is never changed or deleted (account erasure keeps the entry,
which names ids only, and drops nothing).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from shared import clock
from shared.domain import cursors
from shared.domain.identity import Principal
from shared.domain.moderation.audit_models import (
    ActorRef,
    AuditEntryPublic,
    AuditPage,
    AuditPlace,
    AuditQuery,
    AuditTarget,
    ModlogEntryPublic,
    ModlogPage,
    ModlogQuery,
)
from shared.domain.moderation.documents import AuditEntryDoc, audit_docs
from shared.domain.moderation.places import Place, access_place, parse_place
from shared.errors import NotFound
from shared.ports import Query, Where
from shared.settings import get_settings


def _entry_id() -> str:
    return f"{clock.now().strftime('%Y%m%d%H%M%S%f')}_{secrets.token_hex(6)}"


async def record(actor: Principal | None, action: str, *, place: Place, target_kind: str, target_id: str,
                 target_user_id: str | None = None, reason: str | None = None, public: bool = True,
                 report_id: str | None = None, details: Mapping[str, Any] | None = None) -> AuditEntryDoc:
    doc: AuditEntryDoc = {
        "id": _entry_id(), "pk": place.key, "place_kind": place.kind, "place_id": place.id, "action": action,
        "actor_id": actor.user_id if actor else None, "actor_username": actor.username if actor else None,
        "actor_admin": bool(actor and actor.is_admin), "target_kind": target_kind, "target_id": target_id,
        "target_user_id": target_user_id, "reason": reason, "public": public, "report_id": report_id,
        "details": dict(details or {}), "created_at": clock.now_iso()}
    return await audit_docs.create(doc)


def topic_place(topic_id: str) -> Place:
    return Place("topic", topic_id)


def _public(doc: AuditEntryDoc) -> AuditEntryPublic:
    return AuditEntryPublic(
        id=doc["id"], place=AuditPlace(kind=doc["place_kind"], id=doc.get("place_id")), action=doc["action"],
        actor=ActorRef(id=doc.get("actor_id"), username=doc.get("actor_username")),
        actor_is_admin=bool(doc.get("actor_admin")),
        target=AuditTarget(kind=doc["target_kind"], id=doc["target_id"], user_id=doc.get("target_user_id")),
        reason=doc.get("reason"), report_id=doc.get("report_id"),
        details={k: v for k, v in (doc.get("details") or {}).items() if isinstance(v, str | int | float | bool)
                 or v is None},
        created_at=doc["created_at"])


async def _page(where: list[Where], pk: str | None, limit: int, cursor: str | None, scope: str) -> tuple[
        list[AuditEntryDoc], str | None]:
    page = await audit_docs.query(Query(where=where, order_by=[("id", "desc")]), pk=pk, limit=limit,
                                  continuation=cursors.continuation(scope, cursor))
    return page.items, cursors.next_cursor(scope, page.continuation)


async def check_list_site_log(principal: Principal, q: AuditQuery) -> AuditPage:
    """Administrators: every entry, newest first, optionally of one place or action."""
    from shared.domain.communities.access import access_site_admin

    access_site_admin(principal)
    where = [Where("action", "=", q.action)] if q.action else []
    pk = parse_place(q.place).key if q.place else None
    items, next_cursor = await _page(where, pk, q.limit, q.cursor, cursors.scope("audit", q.action, q.place))
    return AuditPage(items=[_public(doc) for doc in items], next_cursor=next_cursor)


async def check_list_topic_log(principal: Principal, topic_id: str, q: AuditQuery) -> AuditPage:
    """A topic's owner and moderators (and administrators): its whole log. Others: 404, as for any hidden list."""
    place = topic_place(topic_id)
    access = await access_place(principal, place)
    if not access.is_moderator:
        raise NotFound("Topic not found.", code="topic_not_found")
    where = [Where("action", "=", q.action)] if q.action else []
    items, next_cursor = await _page(where, place.key, q.limit, q.cursor,
                                     cursors.scope("audit-topic", topic_id, q.action))
    return AuditPage(items=[_public(doc) for doc in items], next_cursor=next_cursor)


async def check_modlog(principal: Principal | None, topic_id: str, q: ModlogQuery) -> ModlogPage:
    """The public modlog of a topic the caller may see (404 otherwise)."""
    from shared.domain.communities.access import access_topic

    await access_topic(principal, topic_id)
    show = get_settings().modlog_show_moderator_names
    items, next_cursor = await _page([Where("public", "=", True)], topic_place(topic_id).key, q.limit, q.cursor,
                                     f"modlog:{topic_id}")
    return ModlogPage(items=[ModlogEntryPublic(
        id=doc["id"], action=doc["action"],
        moderator=ActorRef(id=doc.get("actor_id"), username=doc.get("actor_username")) if show else None,
        target=AuditTarget(kind=doc["target_kind"], id=doc["target_id"], user_id=doc.get("target_user_id")),
        reason=doc.get("reason"), created_at=doc["created_at"]) for doc in items], next_cursor=next_cursor)
