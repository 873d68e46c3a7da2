"""Support tickets for administrators: /api/admin/tickets (list, and one PUT to assign, move, reopen, answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.admin import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import ticket_models, tickets
else:
    tickets = lazy_module("shared.domain.moderation.tickets")
    ticket_models = lazy_models("shared.domain.moderation.ticket_models")


@bp.route(route="admin/tickets", methods=["GET"])
@endpoint(summary="Every ticket, filtered by status, category, priority, assignee (admin)", auth="admin",
          query=ticket_models.AdminTicketQuery, response=ticket_models.TicketPage, tags=["admin"])
async def admin_tickets(call: Call) -> ticket_models.TicketPage:
    return await tickets.check_admin_list(call.user, call.query)


@bp.route(route="admin/tickets/{ticket_id}", methods=["PUT", "PATCH"])
@endpoint(summary="Assign a ticket, change its status or priority, reopen it, answer it (admin)", auth="admin",
          path=ticket_models.TicketPath, body=ticket_models.TicketAdminUpdate, response=ticket_models.TicketView,
          errors=(409,), tags=["admin"])
async def admin_update_ticket(call: Call[ticket_models.TicketAdminUpdate]) -> ticket_models.TicketView:
    return await tickets.check_admin_update(call.user, call.path.ticket_id, call.body)
