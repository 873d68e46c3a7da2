"""Support tickets: /api/tickets (open, mine, categories, read, thread, reply, close)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.moderation import bp
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import ticket_models, tickets
else:
    tickets = lazy_module("shared.domain.moderation.tickets")
    ticket_models = lazy_models("shared.domain.moderation.ticket_models")

CREATE_RATE = RateRule("tickets_create", 10, 3600, per="user")
WRITE_RATE = RateRule("tickets_write", 60, 600, per="user")


@bp.route(route="tickets", methods=["POST"])
@endpoint(summary="Open a support ticket", body=ticket_models.TicketCreate, response=ticket_models.TicketView,
          status=201, rate_limits=[CREATE_RATE], idempotent=True, tags=["tickets"])
async def create_ticket(call: Call[ticket_models.TicketCreate]) -> ticket_models.TicketView:
    return await tickets.check_create(call.user, call.body, request_key=call.idempotency_key)


@bp.route(route="tickets/my", methods=["GET"])
@endpoint(summary="My tickets, newest first", query=ticket_models.TicketListQuery, response=ticket_models.TicketPage,
          tags=["tickets"])
async def my_tickets(call: Call) -> ticket_models.TicketPage:
    return await tickets.check_list_mine(call.user, call.query)


@bp.route(route="tickets/my-tickets", methods=["GET"])
@endpoint(summary="My tickets (TopicsFlow's path)", query=ticket_models.TicketListQuery,
          response=ticket_models.TicketPage, tags=["tickets"])
async def my_tickets_legacy(call: Call) -> ticket_models.TicketPage:
    return await tickets.check_list_mine(call.user, call.query)


@bp.route(route="tickets/categories", methods=["GET"])
@endpoint(summary="Ticket categories and priorities", response=ticket_models.TicketCategoryList, tags=["tickets"])
async def ticket_categories(call: Call) -> ticket_models.TicketCategoryList:
    return tickets.check_categories()


@bp.route(route="tickets/{ticket_id:length(27)}", methods=["GET"])
@endpoint(summary="A ticket with the start of its thread (its owner, administrators)", path=ticket_models.TicketPath,
          response=ticket_models.TicketDetail, tags=["tickets"])
async def get_ticket(call: Call) -> ticket_models.TicketDetail:
    return await tickets.check_get(call.user, call.path.ticket_id)


@bp.route(route="tickets/{ticket_id}/messages", methods=["GET"])
@endpoint(summary="A ticket's thread, oldest first", path=ticket_models.TicketPath,
          query=ticket_models.TicketListQuery, response=ticket_models.TicketMessagePage, tags=["tickets"])
async def ticket_thread(call: Call) -> ticket_models.TicketMessagePage:
    return await tickets.check_thread(call.user, call.path.ticket_id, call.query)


@bp.route(route="tickets/{ticket_id}/messages", methods=["POST"])
@endpoint(summary="Reply in a ticket's thread (its owner, administrators)", path=ticket_models.TicketPath,
          body=ticket_models.TicketReplyBody, response=ticket_models.TicketMessageView, status=201, errors=(409,),
          rate_limits=[WRITE_RATE], idempotent=True, tags=["tickets"])
async def reply_to_ticket(call: Call[ticket_models.TicketReplyBody]) -> ticket_models.TicketMessageView:
    return await tickets.check_reply(call.user, call.path.ticket_id, call.body.message)


@bp.route(route="tickets/{ticket_id}/close", methods=["POST"])
@endpoint(summary="Close a ticket (its owner, administrators)", path=ticket_models.TicketPath,
          response=ticket_models.TicketView, errors=(409,), rate_limits=[WRITE_RATE], tags=["tickets"])
async def close_ticket(call: Call) -> ticket_models.TicketView:
    return await tickets.check_close(call.user, call.path.ticket_id)


@bp.route(route="tickets/{ticket_id:length(27)}", methods=["PUT"])  # so PUT /tickets/my is a 405
@endpoint(summary="Reply in a ticket's thread (TopicsFlow's path for POST /api/tickets/{id}/messages)",
          path=ticket_models.TicketPath, body=ticket_models.TicketReplyBody, response=ticket_models.TicketMessageView,
          errors=(409,), rate_limits=[WRITE_RATE], tags=["tickets"])
async def reply_to_ticket_legacy(call: Call[ticket_models.TicketReplyBody]) -> ticket_models.TicketMessageView:
    return await tickets.check_reply(call.user, call.path.ticket_id, call.body.message)
