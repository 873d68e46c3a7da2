"""The client endpoint: WebSocket `/client/hubs/{hub}` (and `/client/?hub=`), as Azure Web PubSub serves it.

Connect: a JWT (query `access_token` or `Authorization: Bearer`) signed with an access key, aud = the http form
of the client URL, not expired; then the blocking upstream `connect` event (which may reject the client or set
its userId, roles, groups and subprotocol); then the handshake, `connected`, and the non-blocking `connected`
event. Subprotocols `json.reliable.webpubsub.azure.v1` and `json.webpubsub.azure.v1` make a PubSub client;
anything else is a plain WebSocket client whose frames become `message` user events.
Resume: `awps_connection_id` + `awps_reconnection_token` reattach a reliable connection within its window.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocket

from devhost.hub import protocol
from devhost.hub.protocol import SESSION_REMOVED, Payload, PayloadError
from devhost.hub.service import HubService
from devhost.hub.state import Connection, Hub
from devhost.hub.tokens import TokenError, claim_list, decode, same_url
from devhost.hub.upstream import EventContext, UpstreamError, UpstreamReply

log = logging.getLogger("devhost.hub")

# Close codes a client sends when it leaves on purpose; any other loss keeps a reliable session resumable.
# 1005 is not among them: servers report a lost TCP connection as 1005 too (uvicorn's websockets-sansio does),
# so an empty close frame (what @azure/web-pubsub-client's stop() sends) keeps the session until its window ends.
DELIBERATE_CLOSE_CODES = {1000, 1001}


async def _deny(websocket: WebSocket, status: int, message: str) -> None:
    log.info("refused a client connection: %s %s", status, message)
    try:
        await websocket.send_denial_response(PlainTextResponse(message, status_code=status))
    except RuntimeError:  # the server has no denial-response extension: a close before accept is a 403
        await websocket.close(1008, message[:120])


def _client_url(websocket: WebSocket, hub: str) -> str:
    host = websocket.headers.get("host", "")
    scheme = "https" if websocket.url.scheme in ("wss", "https") else "http"
    return f"{scheme}://{host}/client/hubs/{hub}"


def _multi(items: list[tuple[str, str]], *, drop: set[str] = frozenset()) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for key, value in items:
        if key.lower() not in drop:
            result.setdefault(key, []).append(value)
    return result


async def client_endpoint(websocket: WebSocket, service: HubService) -> None:
    hub_name = websocket.path_params.get("hub") or websocket.query_params.get("hub") or ""
    if not protocol.HUB_NAME.match(hub_name):
        await _deny(websocket, 400, "Invalid hub name.")
        return
    hub = service.state.hub(hub_name)
    offered = list(websocket.scope.get("subprotocols") or [])
    if websocket.query_params.get("awps_connection_id"):
        await _resume(websocket, service, hub, offered)
        return

    token = websocket.query_params.get("access_token") or ""
    authorization = websocket.headers.get("authorization", "")
    if not token and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    try:
        claims = decode(token, service.access_keys)
    except TokenError as exc:
        await _deny(websocket, 401, str(exc))
        return
    if not same_url(claims.get("aud"), _client_url(websocket, hub_name), compare_query=False):
        await _deny(websocket, 401, "The access token's audience is not this hub's client URL.")
        return

    user_id = claims.get("sub")
    admission = Admission(
        connection_id=service.state.new_connection_id(),
        user_id=str(user_id) if user_id is not None else None,
        subprotocol=next((p for p in offered if p in protocol.SUPPORTED_PROTOCOLS), None),
        roles=claim_list(claims, "role"),
        groups=claim_list(claims, "webpubsub.group"),
    )
    refusal = await _ask_connect_handler(websocket, service, hub, claims, offered, admission)
    if refusal is not None:
        await _deny(websocket, *refusal)
        return

    await websocket.accept(subprotocol=admission.subprotocol)
    connection = Connection(hub, admission.connection_id, admission.user_id, admission.subprotocol, admission.roles,
                            connection_state=admission.connection_state)
    hub.add(connection, admission.groups)
    connection.attach(websocket)
    connection.send_control(protocol.connected(connection.id, connection.user_id, connection.reconnection_token))
    upstream = service.upstream
    if upstream.config.wants_system("connected"):
        ctx = service.context(connection)
        connection.in_order(lambda: upstream.notify(ctx, "connected", {}))
    await _serve(websocket, service, connection)


@dataclass
class Admission:
    """Who a new connection will be: from its token, then as the connect event handler amends it."""

    connection_id: str
    user_id: str | None
    subprotocol: str | None
    roles: list[str]
    groups: list[str]
    connection_state: str | None = None


async def _ask_connect_handler(websocket: WebSocket, service: HubService, hub: Hub, claims: dict[str, Any],
                               offered: list[str], admission: Admission) -> tuple[int, str] | None:
    """The blocking `connect` event. Returns (status, message) to refuse the client, else None."""
    upstream = service.upstream
    if not upstream.config.wants_system("connect"):
        return None
    body = {
        "claims": {name: claim_list(claims, name) for name in claims},
        "query": _multi(websocket.query_params.multi_items(), drop={"access_token"}),
        "headers": _multi(list(websocket.headers.items()), drop={"authorization", "cookie"}),
        "subprotocols": offered,
        "clientCertificates": [],
    }
    ctx = EventContext(hub.name, admission.connection_id, admission.user_id, admission.subprotocol)
    try:
        reply = await upstream.system(ctx, "connect", body)
    except UpstreamError as exc:
        log.warning("%s", exc)
        return 500, "The connect event handler could not be reached."
    if reply is None:
        return None
    if not reply.ok:
        status = reply.status if 400 <= reply.status < 500 else 500
        return status, reply.body.decode("utf-8", "replace") or "Rejected by the event handler."
    admission.connection_state = reply.connection_state
    if reply.status != 200 or not reply.body:
        return None
    try:
        answer = protocol.parse_json(reply.body) if reply.body else None
    except PayloadError:
        answer = None
    if not isinstance(answer, dict):
        return 500, "The connect event handler answered something other than a JSON object."
    if answer.get("userId"):
        admission.user_id = str(answer["userId"])
    admission.roles += [str(r) for r in answer.get("roles") or []]
    admission.groups += [str(g) for g in answer.get("groups") or []]
    picked = answer.get("subprotocol")
    if picked:
        if picked not in offered:
            return 500, "The connect event handler picked a subprotocol the client did not offer."
        admission.subprotocol = picked
    return None


async def _resume(websocket: WebSocket, service: HubService, hub: Hub, offered: list[str]) -> None:
    connection_id = websocket.query_params.get("awps_connection_id", "")
    token = websocket.query_params.get("awps_reconnection_token", "")
    connection = hub.connections.get(connection_id)
    valid = (connection is not None and connection.reliable and connection.reconnection_token is not None
             and hmac.compare_digest(token.encode(), connection.reconnection_token.encode())
             and connection.subprotocol in offered)
    if not valid:
        # Accept, then say why and close with 1008 so the client stops resuming and starts afresh.
        chosen = next((p for p in offered if p in protocol.SUPPORTED_PROTOCOLS), None)
        await websocket.accept(subprotocol=chosen)
        if chosen is not None:
            await websocket.send_text(protocol.encode(protocol.disconnected(
                "The connection cannot be resumed: it has ended or the reconnection token is invalid.")))
        await websocket.close(SESSION_REMOVED, "The connection cannot be resumed.")
        return
    await websocket.accept(subprotocol=connection.subprotocol)
    old = connection.socket
    connection.attach(websocket, resume=True)
    if old is not None:  # a half-open socket the hub had not noticed yet
        service.state.spawn(_close_quietly(old))
    await _serve(websocket, service, connection)


async def _close_quietly(socket: WebSocket) -> None:
    try:
        await socket.close(1000, "superseded by a resumed socket")
    except Exception as exc:
        log.debug("closing a superseded socket: %r", exc)


async def _serve(websocket: WebSocket, service: HubService, connection: Connection) -> None:
    code = 1005
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                code = message.get("code") or 1005
                break
            frame = message.get("text")
            if frame is None:
                frame = message.get("bytes") or b""
            if connection.status == "closed":
                break
            if connection.pubsub:
                await _pubsub_frame(service, connection, frame)
            else:
                await _plain_frame(service, connection, frame)
    finally:
        await _socket_lost(service, connection, websocket, code)


async def _socket_lost(service: HubService, connection: Connection, websocket: WebSocket, code: int) -> None:
    if connection.status == "closed" or connection.socket is not websocket:
        return  # already ended by the hub, or a resumed socket has taken over
    if connection.reliable and (connection.dropping or code not in DELIBERATE_CLOSE_CODES):
        connection.detach()
        return
    await connection.end(f"The client closed the connection (code {code}).")


# ---- plain WebSocket clients ------------------------------------------------------------------------------


async def _plain_frame(service: HubService, connection: Connection, frame: str | bytes) -> None:
    upstream = service.upstream
    if not upstream.config.wants_user("message"):
        return
    payload = Payload.from_frame(frame)
    content_type = "text/plain; charset=utf-8" if payload.data_type == "text" else protocol.CONTENT_TYPES["binary"]
    body = frame.encode() if isinstance(frame, str) else frame
    ctx = service.context(connection)
    try:
        reply = await connection.in_order(lambda: upstream.user(ctx, "message", content_type, body))
    except UpstreamError as exc:
        log.warning("%s", exc)
        await connection.end("The message event handler failed.", close_code=SESSION_REMOVED)
        return
    if reply is None:
        return
    if not reply.ok:
        await connection.end(f"The message event handler answered {reply.status}.", close_code=SESSION_REMOVED)
        return
    _keep_state(connection, reply.connection_state)
    if reply.status == 200 and reply.body:
        media = (reply.content_type or "").split(";")[0].strip().lower()
        raw = Payload("binary", reply.body) if media == "application/octet-stream" else Payload(
            "text", reply.body.decode("utf-8", "replace"))
        connection.hub.send("connection", raw, connection=connection.id, source="upstream")


def _keep_state(connection: Connection, state: str | None) -> None:
    if state is not None:
        connection.connection_state = state


# ---- PubSub clients ---------------------------------------------------------------------------------------


async def _pubsub_frame(service: HubService, connection: Connection, frame: str | bytes) -> None:
    try:
        message = protocol.parse_json(frame)  # malformed, recursive or too deeply nested: refused alike
    except PayloadError:
        message = None
    if not isinstance(message, dict):
        await connection.end("The message is not valid JSON for the json subprotocol.", close_code=SESSION_REMOVED)
        return
    ack_id = message.get("ackId")
    if ack_id is not None and (not isinstance(ack_id, int) or isinstance(ack_id, bool) or ack_id < 0):
        await connection.end("ackId must be an unsigned integer.", close_code=SESSION_REMOVED)
        return
    kind = message.get("type")
    if kind in ("joinGroup", "leaveGroup"):
        _join_or_leave(connection, message, join=kind == "joinGroup")
    elif kind == "sendToGroup":
        _send_to_group(connection, message)
    elif kind == "event":
        await _event(service, connection, message)
    elif kind == "invoke":
        await _invoke(service, connection, message)
    elif kind == "sequenceAck":
        sequence_id = message.get("sequenceId")
        if isinstance(sequence_id, int) and not isinstance(sequence_id, bool):
            connection.ack_sequence(sequence_id)
    elif kind == "ping":
        connection.send_control({"type": "pong"})
    elif kind == "cancelInvocation":
        pass  # upstream calls are not cancellable here; the late response is simply ignored by the client
    else:
        await connection.end(f"Unknown message type {kind!r}.", close_code=SESSION_REMOVED)


def _ack(connection: Connection, ack_id: Any, error: str | None = None, detail: str | None = None) -> None:
    if ack_id is not None:
        connection.send_control(protocol.ack(ack_id, error, detail))


def _duplicate(connection: Connection, ack_id: Any) -> bool:
    if connection.already_processed(ack_id):
        _ack(connection, ack_id, "Duplicate", f"Message with ack-id: {ack_id} has been processed")
        return True
    return False


def _join_or_leave(connection: Connection, message: dict[str, Any], *, join: bool) -> None:
    ack_id, group = message.get("ackId"), message.get("group")
    if _duplicate(connection, ack_id):
        return
    if not protocol.valid_group_name(group):
        _ack(connection, ack_id, "BadRequest", "The group name is missing or invalid.")
        return
    if not connection.allowed("joinLeaveGroup", group):
        verb = "join" if join else "leave"
        _ack(connection, ack_id, "Forbidden", f"The connection has no permission to {verb} group '{group}'.")
        return
    if join:
        connection.hub.join(connection, group)
    else:
        connection.hub.leave(connection, group)
    connection.mark_processed(ack_id)
    _ack(connection, ack_id)


def _send_to_group(connection: Connection, message: dict[str, Any]) -> None:
    ack_id, group = message.get("ackId"), message.get("group")
    if _duplicate(connection, ack_id):
        return
    if not protocol.valid_group_name(group):
        _ack(connection, ack_id, "BadRequest", "The group name is missing or invalid.")
        return
    if not connection.allowed("sendToGroup", group):
        _ack(connection, ack_id, "Forbidden", f"The connection has no permission to send to group '{group}'.")
        return
    try:
        payload = Payload.from_client(message.get("dataType"), message.get("data"))
    except PayloadError as exc:
        _ack(connection, ack_id, "BadRequest", str(exc))
        return
    excluded = [connection.id] if message.get("noEcho") else []
    connection.hub.send("group", payload, group=group, excluded=excluded, source="client",
                        from_user=connection.user_id)
    connection.mark_processed(ack_id)
    _ack(connection, ack_id)


async def _call_user_event(service: HubService, connection: Connection, event: str,
                           payload: Payload) -> UpstreamReply | None:
    """Returns the upstream reply, or None when no handler is configured for this event."""
    upstream = service.upstream
    if not upstream.config.wants_user(event):
        return None
    content_type, body = payload.http_body()
    ctx = service.context(connection)
    reply = await connection.in_order(lambda: upstream.user(ctx, event, content_type, body))
    if reply is not None:
        _keep_state(connection, reply.connection_state)
    return reply


def _reply_payload(reply: UpstreamReply | None) -> Payload | None:
    if reply is None or reply.status != 200 or not reply.body:
        return None
    try:
        return Payload.from_http(reply.content_type or "text/plain", reply.body)
    except PayloadError:
        return Payload("binary", reply.body)


async def _event(service: HubService, connection: Connection, message: dict[str, Any]) -> None:
    ack_id, event = message.get("ackId"), message.get("event")
    if _duplicate(connection, ack_id):
        return
    if not isinstance(event, str) or not event:
        _ack(connection, ack_id, "BadRequest", "The event name is missing.")
        return
    try:
        payload = Payload.from_client(message.get("dataType"), message.get("data"))
    except PayloadError as exc:
        _ack(connection, ack_id, "BadRequest", str(exc))
        return
    reply, failed = await _user_event_outcome(service, connection, event, payload)
    if failed:
        # Azure drops the connection when a user event's handler fails.
        _ack(connection, ack_id, "InternalServerError", "The event handler failed.")
        await connection.end("The event handler failed.", close_code=SESSION_REMOVED)
        return
    connection.mark_processed(ack_id)
    _ack(connection, ack_id)
    answer = _reply_payload(reply)
    if answer is not None:
        connection.hub.send("connection", answer, connection=connection.id, source="upstream")


async def _user_event_outcome(service: HubService, connection: Connection, event: str,
                              payload: Payload) -> tuple[Any, bool]:
    """The event handler's reply, and whether it failed (unreachable, or answered with an error status)."""
    try:
        reply = await _call_user_event(service, connection, event, payload)
    except UpstreamError as exc:
        log.warning("%s", exc)
        return None, True
    return reply, reply is not None and not reply.ok


async def _invoke(service: HubService, connection: Connection, message: dict[str, Any]) -> None:
    """`invoke` (newer clients): the user event's reply comes back as an invokeResponse, not a message."""
    invocation_id, event = message.get("invocationId"), message.get("event")

    def respond(answer: Payload | None = None, *, error: str | None = None, detail: str = "") -> None:
        response: dict[str, Any] = {"type": "invokeResponse", "invocationId": invocation_id,
                                    "success": error is None}
        if error is not None:
            response["error"] = {"name": error, "message": detail}
        elif answer is not None:
            response["dataType"] = answer.data_type
            response["data"] = answer.wire_data()
        connection.send_control(response)

    if not isinstance(event, str) or not event or invocation_id is None:
        respond(error="BadRequest", detail="An invoke needs an invocationId and an event name.")
        return
    try:
        payload = (Payload.from_client(message.get("dataType"), message.get("data"))
                   if message.get("dataType") is not None else Payload("json", None))
    except PayloadError as exc:
        respond(error="BadRequest", detail=str(exc))
        return
    reply, failed = await _user_event_outcome(service, connection, event, payload)
    if failed:
        respond(error="InternalServerError", detail="The event handler failed.")
        return
    respond(_reply_payload(reply))
