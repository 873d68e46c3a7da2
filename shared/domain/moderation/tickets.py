"""Support tickets: a user opens one (category, priority), reads it, and talks with the administrators in its thread;
the owner or an administrator closes it; administrators list every ticket, assign it, change its status and
priority, reopen it. New tickets and owners' replies reach the administrators as `admin_notification`; an
administrator's reply or change reaches the owner as `ticket_updated`.

Storage: `tickets`, pk = ticket id: the ticket ("ticket") and its replies ("reply:<time>_<random>") share a
partition, so the thread never grows the ticket document. Everyone but the owner and administrators gets 404.
Administrators' changes are audit entries (place "site", not public).
"""

from __future__ import annotations

import hashlib
import secrets

from shared import clock
from shared.domain import cursors, events
from shared.domain.identity import Principal
from shared.domain.moderation import admin_stats, audit_log
from shared.domain.moderation.containers import TICKET_ID
from shared.domain.moderation.documents import TicketDoc, TicketReplyDoc, reply_docs, ticket_docs
from shared.domain.moderation.notify import admin_ids, notify_admins
from shared.domain.moderation.places import SITE_PLACE
from shared.domain.moderation.ticket_models import (
    CATEGORIES,
    AdminTicketQuery,
    TicketAdminUpdate,
    TicketCategoryList,
    TicketCreate,
    TicketDetail,
    TicketListQuery,
    TicketMessagePage,
    TicketMessageView,
    TicketPage,
    TicketView,
)
from shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import Patch, Query, Where

THREAD_PAGE = 50
CLOSED = ("resolved", "closed")


def ticket_not_found() -> NotFound:
    return NotFound("Ticket not found.", code="ticket_not_found")


def _new_id(principal: Principal, request_key: str | None) -> str:
    if request_key is None:
        return f"tk_{secrets.token_hex(12)}"
    return "tk_" + hashlib.sha256(f"ticket\x1f{principal.user_id}\x1f{request_key}".encode()).hexdigest()[:24]


def view(doc: TicketDoc) -> TicketView:
    return TicketView(id=doc["ticket_id"], user_id=doc["user_id"], username=doc.get("username"),
                      category=doc["category"], subject=doc["subject"], description=doc["description"],
                      priority=doc["priority"], status=doc["status"], assigned_to=doc.get("assigned_to"),
                      reply_count=doc.get("reply_count", 0), created_at=doc["created_at"],
                      updated_at=doc["updated_at"], closed_at=doc.get("closed_at"))


def _message(doc: TicketReplyDoc) -> TicketMessageView:
    return TicketMessageView(id=doc["id"], user_id=doc["user_id"], username=doc.get("username"),
                             is_admin=doc["is_admin"], message=doc["message"], created_at=doc["created_at"])


async def access_ticket(principal: Principal, ticket_id: str) -> TicketDoc:
    doc = await ticket_docs.find(ticket_id, TICKET_ID)
    if doc is None or (doc["user_id"] != principal.user_id and not principal.is_admin):
        raise ticket_not_found()
    return doc


async def check_create(principal: Principal, body: TicketCreate, *, request_key: str | None = None) -> TicketView:
    now = clock.now_iso()
    ticket_id = _new_id(principal, request_key)
    doc: TicketDoc = {"id": TICKET_ID, "pk": ticket_id, "type": "ticket", "ticket_id": ticket_id,
                      "user_id": principal.user_id, "username": principal.username, "category": body.category,
                      "subject": body.subject, "description": body.description, "priority": body.priority,
                      "status": "open", "assigned_to": None, "reply_count": 0, "created_at": now,
                      "updated_at": now, "closed_at": None}
    try:
        created = await ticket_docs.create(doc)
    except Conflict:  # the same Idempotency-Key again: the ticket it made
        return view(await access_ticket(principal, ticket_id))
    await admin_stats.bump({"tickets_total": 1, "tickets_open": 1}, new={"tickets_new": 1})
    await notify_admins("new_ticket", {"ticket_id": ticket_id, "category": body.category, "priority": body.priority,
                                       "subject": body.subject})
    return view(created)


async def check_list_mine(principal: Principal, q: TicketListQuery) -> TicketPage:
    scope = f"my-tickets:{principal.user_id}"
    page = await ticket_docs.query(Query(where=[Where("type", "=", "ticket"), Where("user_id", "=", principal.user_id)],
                                         order_by=[("created_at", "desc")]),
                                   limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
    return TicketPage(items=[view(d) for d in page.items], next_cursor=cursors.next_cursor(scope, page.continuation))


async def _thread(ticket_id: str, limit: int, cursor: str | None) -> TicketMessagePage:
    scope = f"ticket-thread:{ticket_id}"
    page = await reply_docs.query(Query(where=[Where("type", "=", "reply")], order_by=[("id", "asc")]),
                                  pk=ticket_id, limit=limit, continuation=cursors.continuation(scope, cursor))
    return TicketMessagePage(items=[_message(d) for d in page.items],
                             next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_get(principal: Principal, ticket_id: str) -> TicketDetail:
    doc = await access_ticket(principal, ticket_id)
    thread = await _thread(ticket_id, THREAD_PAGE, None)
    return TicketDetail(**view(doc).model_dump(), messages=thread.items, messages_next_cursor=thread.next_cursor)


async def check_thread(principal: Principal, ticket_id: str, q: TicketListQuery) -> TicketMessagePage:
    await access_ticket(principal, ticket_id)
    return await _thread(ticket_id, q.limit, q.cursor)


async def _add_reply(principal: Principal, doc: TicketDoc, message: str) -> TicketReplyDoc:
    now = clock.now_iso()
    reply: TicketReplyDoc = {"id": f"reply:{clock.now().strftime('%Y%m%d%H%M%S%f')}_{secrets.token_hex(4)}",
                             "pk": doc["ticket_id"], "type": "reply", "ticket_id": doc["ticket_id"],
                             "user_id": principal.user_id, "username": principal.username,
                             "is_admin": principal.is_admin and principal.user_id != doc["user_id"],
                             "message": message, "created_at": now}
    created = await reply_docs.create(reply)
    await ticket_docs.patch(doc["ticket_id"], TICKET_ID, [Patch("incr", "/reply_count", 1),
                                                          Patch("set", "/updated_at", now)])
    return created


async def check_reply(principal: Principal, ticket_id: str, message: str) -> TicketMessageView:
    doc = await access_ticket(principal, ticket_id)
    if doc["status"] in CLOSED:
        raise Conflict("This ticket is closed; an administrator can reopen it.", code="ticket_closed")
    reply = await _add_reply(principal, doc, message)
    if reply["is_admin"]:
        await events.publish_to_user(doc["user_id"], "ticket_updated", {"ticket_id": ticket_id, "reply": True})
    else:
        await notify_admins("ticket_reply", {"ticket_id": ticket_id})
    return _message(reply)


async def _move(doc: TicketDoc, ops: list[Patch], new_status: str | None) -> TicketDoc:
    now = clock.now_iso()
    ops = [*ops, Patch("set", "/updated_at", now)]
    if new_status == "closed":
        ops.append(Patch("set", "/closed_at", now))
    elif new_status is not None:
        ops.append(Patch("set", "/closed_at", None))
    try:
        updated = await ticket_docs.patch(doc["ticket_id"], TICKET_ID, ops, if_match=doc.get("_etag"))
    except PreconditionFailed:
        raise Conflict("The ticket changed meanwhile; look again.", code="concurrent_update") from None
    if new_status is not None and new_status != doc["status"]:
        await admin_stats.bump({f"tickets_{new_status}": 1, f"tickets_{doc['status']}": -1})
    return updated


async def check_close(principal: Principal, ticket_id: str) -> TicketView:
    doc = await access_ticket(principal, ticket_id)
    if doc["status"] == "closed":
        return view(doc)
    updated = await _move(doc, [Patch("set", "/status", "closed")], "closed")
    if principal.user_id != doc["user_id"]:
        await audit_log.record(principal, "ticket.close", place=SITE_PLACE, target_kind="ticket",
                               target_id=ticket_id, target_user_id=doc["user_id"], public=False)
        await events.publish_to_user(doc["user_id"], "ticket_updated", {"ticket_id": ticket_id, "status": "closed"})
    return view(updated)


async def check_admin_list(principal: Principal, q: AdminTicketQuery) -> TicketPage:
    from shared.domain.communities.access import access_site_admin

    access_site_admin(principal)
    where = [Where("type", "=", "ticket")]
    for name in ("status", "category", "priority", "assigned_to"):
        value = getattr(q, name)
        if value is not None:
            where.append(Where(name, "=", value))
    scope = cursors.scope("admin-tickets", q.status, q.category, q.priority, q.assigned_to)
    page = await ticket_docs.query(Query(where=where, order_by=[("created_at", "desc")]), limit=q.limit,
                                   continuation=cursors.continuation(scope, q.cursor))
    return TicketPage(items=[view(d) for d in page.items], next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_admin_update(principal: Principal, ticket_id: str, body: TicketAdminUpdate) -> TicketView:
    """Assign, change status or priority, reopen, answer: each change one audit entry."""
    from shared.domain.communities.access import access_site_admin

    access_site_admin(principal)
    doc = await access_ticket(principal, ticket_id)
    ops: list[Patch] = []
    changes: list[tuple[str, dict[str, str | None]]] = []
    new_status: str | None = None
    if body.reopen:
        if doc["status"] not in CLOSED:
            raise Conflict("Only a resolved or closed ticket can be reopened.", code="ticket_not_closed")
        new_status = "open"
        changes.append(("ticket.reopen", {"from": doc["status"]}))
    elif body.status is not None and body.status != doc["status"]:
        new_status = body.status
        changes.append(("ticket.status", {"from": doc["status"], "to": body.status}))
    if new_status is not None:
        ops.append(Patch("set", "/status", new_status))
    if body.priority is not None and body.priority != doc["priority"]:
        ops.append(Patch("set", "/priority", body.priority))
        changes.append(("ticket.priority", {"from": doc["priority"], "to": body.priority}))
    if body.unassign and doc.get("assigned_to"):
        ops.append(Patch("set", "/assigned_to", None))
        changes.append(("ticket.unassign", {"from": doc.get("assigned_to")}))
    elif body.assigned_to is not None and body.assigned_to != doc.get("assigned_to"):
        if body.assigned_to not in await admin_ids():
            raise ValidationFailed("Tickets are assigned to administrators.", code="not_an_admin",
                                   details={"fields": [{"field": "body.assigned_to", "reason": "not_an_admin"}]})
        ops.append(Patch("set", "/assigned_to", body.assigned_to))
        changes.append(("ticket.assign", {"to": body.assigned_to}))
    if not ops and body.admin_response is None:
        return view(doc)
    current = doc
    if body.admin_response is not None:  # the answer goes first: "resolved, with this answer" is one call
        if doc["status"] in CLOSED and new_status not in ("open", "in_progress"):
            raise Conflict("This ticket is closed; reopen it to answer.", code="ticket_closed")
        await _add_reply(principal, doc, body.admin_response)
        changes.append(("ticket.reply", {}))
        current = await ticket_docs.read(ticket_id, TICKET_ID)
    updated = await _move(current, ops, new_status) if ops else current
    for action, details in changes:
        await audit_log.record(principal, action, place=SITE_PLACE, target_kind="ticket", target_id=ticket_id,
                               target_user_id=doc["user_id"], reason=body.reason, public=False, details=details)
    await events.publish_to_user(doc["user_id"], "ticket_updated", {"ticket_id": ticket_id,
                                                                    "status": updated["status"]})
    return view(updated)


def check_categories() -> TicketCategoryList:
    return TicketCategoryList(categories=list(CATEGORIES), priorities=["low", "medium", "high"])

