"""Realtime: negotiate a client URL, and the upstream event handler Web PubSub calls (CloudEvents over HTTP)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import azure.functions as func
from pydantic import ValidationError

from functions.realtime import bp
from shared.errors import AppError
from shared.http import envelope
from shared.http.endpoint import Call, RequestHeader, endpoint, field_errors
from shared.lazy import lazy_models, lazy_module
from shared.settings import get_settings

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.realtime import subscriptions, upstream
    from shared.domain.realtime import subscriptions as realtime_models
else:
    subscriptions = lazy_module("shared.domain.realtime.subscriptions")
    upstream = lazy_module("shared.domain.realtime.upstream")
    realtime_models = lazy_models("shared.domain.realtime.subscriptions")


@bp.route(route="realtime/negotiate", methods=["POST"])
@endpoint(summary="A WebSocket URL for the caller, already in their user_<id> group",
          response=realtime_models.ClientAccess)
async def negotiate(call: Call) -> realtime_models.ClientAccess:
    return await subscriptions.check_negotiate(call.user)


@bp.route(route="realtime/events", methods=["OPTIONS", "POST"])
@endpoint(summary="Upstream events from Web PubSub (CloudEvents): join and leave requests of clients",
          auth="none", raw=True, response=dict, errors=[400, 401, 404],
          media_type=("application/json", "text/plain"),  # the OPTIONS handshake's 200 has no body
          alternatives={204: "A system event (connect, connected, disconnected): nothing to answer"},
          headers=[RequestHeader("WebHook-Request-Origin", "The abuse-protection handshake: our service's host.",
                                 required=True, methods=("OPTIONS",),
                                 values=lambda: [upstream.service_host(get_settings())])],
          description="Called by the service, not by clients. Requests are verified (ce-signature, or an Entra ID "
                      "token when local auth is off) before anything in them is trusted. User events `join` and "
                      "`leave` take {\"group\": \"topic_<id>\" | \"post_<id>\"}; the reply (the envelope) goes back to "
                      "the client; a refusal is a reply too, so the connection stays open.")
async def realtime_events(call: Call) -> func.HttpResponse:
    settings = get_settings()
    req = call.req
    if req.method.upper() == "OPTIONS":  # abuse protection: only our service may deliver events here
        origin = req.headers.get("webhook-request-origin", "")
        if origin and origin == upstream.service_host(settings):
            return func.HttpResponse(status_code=200, headers={"WebHook-Allowed-Origin": origin})
        return _reply(400, envelope.failure("origin_not_allowed", "Only our realtime service may deliver events."))
    if not await upstream.is_genuine(req.headers, settings):
        return _reply(401, envelope.failure("unauthorized", "Not a verified event from the realtime service."))
    event_type = req.headers.get("ce-type", "")
    if not event_type.startswith("azure.webpubsub.user."):
        return func.HttpResponse(status_code=204)  # connect (accepted as the token says), connected, disconnected
    user_id, connection_id = req.headers.get("ce-userid"), req.headers.get("ce-connectionid", "")
    if not user_id:
        return _reply(401, envelope.failure("unauthorized", "Sign in before joining groups."))
    try:
        request = subscriptions.GroupRequest.model_validate(json.loads(req.get_body() or b"{}"))
        event = req.headers.get("ce-eventname", "")
        if event == "join":
            await subscriptions.do_join(user_id, connection_id, request.group)
        elif event == "leave":
            await subscriptions.do_leave(connection_id, request.group)
        else:
            return _reply(200, envelope.failure("unknown_event", f"Unknown event {event!r}."))
    except (ValueError, ValidationError) as exc:
        details = field_errors(exc, "data") if isinstance(exc, ValidationError) else None
        return _reply(200, envelope.failure("validation_error", "Send {\"group\": \"topic_<id>\"}.", details))
    except AppError as exc:
        # An error status would make the service drop the client's connection; a refusal is an answer instead.
        return _reply(200, envelope.failure(exc.code, exc.message))
    return _reply(200, envelope.success({"group": request.group, "joined": event == "join"}))


def _reply(status: int, body: dict) -> func.HttpResponse:
    return func.HttpResponse(envelope.dumps(body), status_code=status, mimetype="application/json")
