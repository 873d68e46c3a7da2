"""Realtime: negotiate a client URL, and the upstream event handler Web PubSub calls (CloudEvents over HTTP)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import azure.functions as func
from pydantic import ValidationError

from functions.realtime import bp
from shared.errors import AppError
from shared.http import envelope, request_json
from shared.http.endpoint import Call, RequestHeader, endpoint, field_errors
from shared.lazy import lazy_models, lazy_module
from shared.settings import get_settings

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.realtime import connections, subscriptions, upstream, user_events
    from shared.domain.realtime import models as realtime_models
else:
    connections = lazy_module("shared.domain.realtime.connections")
    subscriptions = lazy_module("shared.domain.realtime.subscriptions")
    upstream = lazy_module("shared.domain.realtime.upstream")
    user_events = lazy_module("shared.domain.realtime.user_events")
    realtime_models = lazy_models("shared.domain.realtime.models")

SYSTEM = "azure.webpubsub.sys."
USER = "azure.webpubsub.user."


@bp.route(route="realtime/negotiate", methods=["POST"])
@endpoint(summary="A WebSocket URL for the caller, already in their user_<id> group",
          response=realtime_models.ClientAccess,
          description="The URL is bound to the session that asked for it: it connects only while that session "
                      "lives, and only within expires_in seconds (a few minutes). Ending the session (logout, "
                      "password change, ban) closes the connections it opened.")
async def negotiate(call: Call) -> realtime_models.ClientAccess:
    return await subscriptions.check_negotiate(call.user)


@bp.route(route="realtime/events", methods=["OPTIONS", "POST"])
@endpoint(summary="Upstream events from Web PubSub (CloudEvents): connect, connected, disconnected, user events",
          auth="none", raw=True, response=dict, errors=[400, 401, 404],
          media_type=("application/json", "text/plain"),  # the OPTIONS handshake's 200 has no body
          alternatives={204: "A system event (connect, connected, disconnected): nothing to answer"},
          headers=[RequestHeader("WebHook-Request-Origin", "The abuse-protection handshake: our service's host.",
                                 required=True, methods=("OPTIONS",),
                                 values=lambda: [upstream.service_host(get_settings())])],
          description="Called by the service, not by clients. Requests are verified (ce-signature, or an Entra ID "
                      "token when local auth is off) before anything in them is trusted. `connect` is refused "
                      "(401) unless the URL's binding names a live session of an active account. User events "
                      "(`join`/`leave` with {\"group\": \"topic_<id>\" | \"post_<id>\"}, `join_topic`, "
                      "`join_post`, ...) are answered with the envelope, which goes back to the client; a "
                      "refusal is an answer too, so the connection stays open.")
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
    user_id, connection_id = req.headers.get("ce-userid"), req.headers.get("ce-connectionid", "")
    if event_type.startswith(SYSTEM):
        answer = await _system_event(event_type.removeprefix(SYSTEM), user_id, connection_id, req)
        return answer or func.HttpResponse(status_code=204)
    if not event_type.startswith(USER):
        return func.HttpResponse(status_code=204)
    if not user_id:
        return _reply(401, envelope.failure("unauthorized", "Sign in before sending events."))
    event = req.headers.get("ce-eventname", "")
    try:
        data = _event_data(req)
        request_json.refuse_nul(data, "data")
        answer = await user_events.do_user_event(user_id, connection_id, event, data)
    except ValidationError as exc:
        return _reply(200, envelope.failure("validation_error", "The event's data is not valid.",
                                            field_errors(exc, "data")))
    except AppError as exc:
        # An error status would make the service drop the client's connection; a refusal is an answer instead.
        return _reply(200, envelope.failure(exc.code, exc.message, exc.details))
    return _reply(200, envelope.success(answer))


async def _system_event(name: str, user_id: str | None, connection_id: str,
                        req: func.HttpRequest) -> func.HttpResponse | None:
    """The answer to `connect`; None (204, nothing to answer) for the notifications."""
    if name == "connect":
        try:
            body = _event_data(req)
            query = body.get("query") if isinstance(body, dict) else None
            await connections.check_connect(user_id, connection_id, query if isinstance(query, dict) else {})
        except AppError as exc:  # a 4xx answer makes the service refuse the client with that status
            return _reply(exc.status, envelope.failure(exc.code, exc.message))
        return _reply(200, {})
    if name == "connected":
        await connections.do_connected(user_id, connection_id)
    elif name == "disconnected":
        await connections.do_disconnected(connection_id)
    return None


def _event_data(req: func.HttpRequest) -> Any:
    """JSON events as values, text events as strings; malformed or absurdly nested JSON is a refusal, not a 500."""
    raw = req.get_body() or b""
    content_type = (req.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type in ("application/json", "") or content_type.endswith("+json"):
        if not raw.strip():
            return {}
        return request_json.loads(raw)  # 400 invalid_json when malformed or nested too deeply
    return raw.decode("utf-8", errors="replace")


def _reply(status: int, body: dict) -> func.HttpResponse:
    return func.HttpResponse(envelope.dumps(body), status_code=status, mimetype="application/json")
