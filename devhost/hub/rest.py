"""The REST data plane under /api/hubs/{hub}, exactly as azure-messaging-webpubsubservice calls it.

Every request carries `Authorization: Bearer <JWT>` (HS256 with an access key, aud = the full request URL, exp).
The SDK raises on any status it does not expect, so the codes here are the service's: 202 for sends, 200 for
adds, grants and the two filtered batch operations (`:addToGroups`, `:removeFromGroups`), 204 for removals and
closes, 200/404 for the HEAD checks. Facts: functions-local.md §4 and the 2024-12-01 data-plane API. OData
filters (devhost/hub/odata.py) are checked before anything is sent or changed: a bad one is a 400.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devhost.hub import odata, protocol
from devhost.hub.protocol import SESSION_REMOVED, Payload, PayloadError
from devhost.hub.service import HubService
from devhost.hub.state import Hub, RestCall
from devhost.hub.tokens import TokenError, decode, same_url

PERMISSIONS = ("joinLeaveGroup", "sendToGroup")
MAX_PAGE = 200

Handler = Callable[[Request, HubService, Hub], Awaitable[Response]]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _request_url(request: Request) -> str:
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(request.scope["path"])
    query = request.scope.get("query_string", b"").decode("latin-1")
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}{path}" + (f"?{query}" if query else "")


def _authorized(request: Request, service: HubService) -> str | None:
    """None when the bearer token is good, else why not."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return "A bearer token is required."
    try:
        claims = decode(header[7:].strip(), service.access_keys)
    except TokenError as exc:
        return str(exc)
    if not same_url(claims.get("aud"), _request_url(request), compare_query=True):
        return "The token's audience is not this request's URL."
    return None


def _route(template: str, path: str, method: str, handler: Handler, service: HubService) -> Route:
    async def answer(request: Request) -> Response:
        hub_name = request.path_params["hub"]
        if not protocol.HUB_NAME.match(hub_name):
            return _error(400, "InvalidHubName", "Invalid hub name.")
        problem = _authorized(request, service)
        if problem is not None:
            return _error(401, "Unauthorized", problem)
        if "group" in request.path_params and not protocol.valid_group_name(request.path_params["group"]):
            return _error(400, "InvalidGroupName", "Invalid group name.")
        return await handler(request, service, service.state.hub(hub_name))

    async def endpoint(request: Request) -> Response:
        response = await answer(request)
        service.state.record_rest_call(RestCall(request.path_params["hub"].lower(), method, template,
                                                request.url.path, response.status_code, time.time()))
        return response

    return Route(path, endpoint, methods=[method], name=f"webpubsub {method} {path}")


# ---- sends ------------------------------------------------------------------------------------------------


def _bad_filter(problem: odata.FilterError) -> JSONResponse:
    return _error(400, "InvalidFilter", f"{problem} (Parameter 'filter')")


def _filter(text: str | None) -> odata.Filter | None:
    """None for no filter (absent or empty, as the service treats both); FilterError when it does not parse."""
    return odata.parse(text) if text else None


async def _send_options(request: Request) -> tuple[Payload, odata.Filter | None] | Response:
    """The payload and the filter of a send, or the 400 that refuses it."""
    try:
        filter = _filter(request.query_params.get("filter"))
    except odata.FilterError as problem:
        return _bad_filter(problem)
    payload = await _payload(request)
    if isinstance(payload, Response):
        return payload
    return payload, filter


async def _payload(request: Request) -> Payload | Response:
    ttl = request.query_params.get("messageTtlSeconds")
    if ttl is not None and (not ttl.isdigit() or int(ttl) > 300):
        return _error(400, "InvalidTtl", "messageTtlSeconds must be between 0 and 300.")
    try:
        return Payload.from_http(request.headers.get("content-type"), await request.body())
    except PayloadError as exc:
        return _error(400, "InvalidContent", str(exc))


async def send_to_all(request: Request, service: HubService, hub: Hub) -> Response:
    options = await _send_options(request)
    if isinstance(options, Response):
        return options
    payload, filter = options
    hub.send("all", payload, excluded=request.query_params.getlist("excluded"), filter=filter)
    return Response(status_code=202)


async def send_to_group(request: Request, service: HubService, hub: Hub) -> Response:
    options = await _send_options(request)
    if isinstance(options, Response):
        return options
    payload, filter = options
    hub.send("group", payload, group=request.path_params["group"], excluded=request.query_params.getlist("excluded"),
             filter=filter)
    return Response(status_code=202)


async def send_to_user(request: Request, service: HubService, hub: Hub) -> Response:
    options = await _send_options(request)
    if isinstance(options, Response):
        return options
    payload, filter = options
    hub.send("user", payload, user=request.path_params["user"], filter=filter)
    return Response(status_code=202)


async def send_to_connection(request: Request, service: HubService, hub: Hub) -> Response:
    payload = await _payload(request)
    if isinstance(payload, Response):
        return payload
    hub.send("connection", payload, connection=request.path_params["connection"])
    return Response(status_code=202)


# ---- membership -------------------------------------------------------------------------------------------


async def add_user_to_group(request: Request, service: HubService, hub: Hub) -> Response:
    hub.add_user_to_group(request.path_params["user"], request.path_params["group"])
    return Response(status_code=200)


async def remove_user_from_group(request: Request, service: HubService, hub: Hub) -> Response:
    hub.remove_user_from_group(request.path_params["user"], request.path_params["group"])
    return Response(status_code=204)


async def remove_user_from_all_groups(request: Request, service: HubService, hub: Hub) -> Response:
    hub.remove_user_from_all_groups(request.path_params["user"])
    return Response(status_code=204)


def _missing_connection(connection_id: str) -> JSONResponse:
    return _error(404, "Error.Connection.NotExisted", f"Connection '{connection_id}' does not exist.")


async def add_connection_to_group(request: Request, service: HubService, hub: Hub) -> Response:
    connection = hub.connections.get(request.path_params["connection"])
    if connection is None:
        return _missing_connection(request.path_params["connection"])
    hub.join(connection, request.path_params["group"])
    return Response(status_code=200)


async def remove_connection_from_group(request: Request, service: HubService, hub: Hub) -> Response:
    connection = hub.connections.get(request.path_params["connection"])
    if connection is not None:
        hub.leave(connection, request.path_params["group"])
    return Response(status_code=204)


async def remove_connection_from_all_groups(request: Request, service: HubService, hub: Hub) -> Response:
    connection = hub.connections.get(request.path_params["connection"])
    if connection is not None:
        for group in list(connection.groups):
            hub.leave(connection, group)
    return Response(status_code=204)


async def _groups_and_filter(request: Request) -> tuple[list[str], odata.Filter | None] | Response:
    """The body of `:addToGroups` / `:removeFromGroups`: {"groups": [...], "filter": "..."}.

    Microsoft's own Web PubSub emulator is the reference where the REST spec is silent: a JSON content type
    (else 415), a nonempty list of valid group names, and no limit on how many. An absent or empty filter
    means every connection, as the SDK team describes it for removal.
    """
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media != "application/json":
        return _error(415, "UnsupportedMediaType", "The body must be application/json.")
    try:
        body = protocol.parse_json(await request.body())
    except protocol.PayloadError:
        return _error(400, "InvalidContent", "The body is not valid JSON.")
    if not isinstance(body, dict):
        return _error(400, "InvalidContent", "The body must be a JSON object with 'groups' and 'filter'.")
    groups, filter = body.get("groups"), body.get("filter")
    if not isinstance(groups, list) or not groups or not all(protocol.valid_group_name(g) for g in groups):
        return _error(400, "InvalidGroupName", "'groups' must be a nonempty list of valid group names.")
    if filter is not None and not isinstance(filter, str):
        return _error(400, "InvalidContent", "'filter' must be a string.")
    try:
        return groups, _filter(filter)
    except odata.FilterError as problem:
        return _bad_filter(problem)


async def add_connections_to_groups(request: Request, service: HubService, hub: Hub) -> Response:
    found = await _groups_and_filter(request)
    if isinstance(found, Response):
        return found
    hub.add_connections_to_groups(*found)
    return Response(status_code=200)


async def remove_connections_from_groups(request: Request, service: HubService, hub: Hub) -> Response:
    found = await _groups_and_filter(request)
    if isinstance(found, Response):
        return found
    hub.remove_connections_from_groups(*found)
    return Response(status_code=200)


async def list_connections(request: Request, service: HubService, hub: Hub) -> Response:
    query = request.query_params
    try:
        page_size = min(int(query.get("maxpagesize", MAX_PAGE)), MAX_PAGE)
        top = int(query["top"]) if "top" in query else None
        start = int(query.get("continuationToken", "0"))
    except ValueError:
        return _error(400, "InvalidQuery", "maxpagesize, top and continuationToken must be integers.")
    if page_size < 1 or start < 0 or (top is not None and top < 1):
        return _error(400, "InvalidQuery", "maxpagesize and top must be positive.")
    members = hub.group_connections(request.path_params["group"])
    end = len(members) if top is None else min(len(members), top)
    page = members[start:min(end, start + page_size)]
    body: dict = {"value": [{"connectionId": c.id, **({"userId": c.user_id} if c.user_id is not None else {})}
                            for c in page]}
    if start + page_size < end:
        params = [(k, v) for k, v in query.multi_items() if k != "continuationToken"]
        params.append(("continuationToken", str(start + page_size)))
        body["nextLink"] = f"{request.url.scheme}://{request.headers.get('host', '')}{request.url.path}?" \
                           f"{urlencode(params)}"
    return JSONResponse(body, status_code=200)


# ---- closing ----------------------------------------------------------------------------------------------


def _reason(request: Request) -> str:
    return request.query_params.get("reason") or "The connection was closed by the server."


async def close_connection(request: Request, service: HubService, hub: Hub) -> Response:
    connection = hub.connections.get(request.path_params["connection"])
    if connection is not None:
        await connection.end(_reason(request), close_code=SESSION_REMOVED)
    return Response(status_code=204)


async def _close_all(connections, request: Request) -> Response:
    excluded = set(request.query_params.getlist("excluded"))
    for connection in connections:
        if connection.id not in excluded:
            await connection.end(_reason(request), close_code=SESSION_REMOVED)
    return Response(status_code=204)


async def close_user_connections(request: Request, service: HubService, hub: Hub) -> Response:
    return await _close_all(hub.user_connections(request.path_params["user"]), request)


async def close_group_connections(request: Request, service: HubService, hub: Hub) -> Response:
    return await _close_all(hub.group_connections(request.path_params["group"]), request)


async def close_all_connections(request: Request, service: HubService, hub: Hub) -> Response:
    return await _close_all(list(hub.connections.values()), request)


# ---- existence checks -------------------------------------------------------------------------------------


def _exists(found: bool) -> Response:
    return Response(status_code=200 if found else 404)


async def connection_exists(request: Request, service: HubService, hub: Hub) -> Response:
    return _exists(request.path_params["connection"] in hub.connections)


async def group_exists(request: Request, service: HubService, hub: Hub) -> Response:
    return _exists(bool(hub.group_connections(request.path_params["group"])))


async def user_exists(request: Request, service: HubService, hub: Hub) -> Response:
    return _exists(bool(hub.user_connections(request.path_params["user"])))


# ---- permissions ------------------------------------------------------------------------------------------


def _permission_target(request: Request, hub: Hub):
    permission = request.path_params["permission"]
    if permission not in PERMISSIONS:
        return _error(400, "InvalidPermission", f"permission must be one of {', '.join(PERMISSIONS)}")
    return permission, request.query_params.get("targetName") or None, hub.connections.get(
        request.path_params["connection"])


async def grant_permission(request: Request, service: HubService, hub: Hub) -> Response:
    found = _permission_target(request, hub)
    if isinstance(found, Response):
        return found
    permission, target, connection = found
    if connection is None:
        return _missing_connection(request.path_params["connection"])
    connection.grant(permission, target)
    return Response(status_code=200)


async def revoke_permission(request: Request, service: HubService, hub: Hub) -> Response:
    found = _permission_target(request, hub)
    if isinstance(found, Response):
        return found
    permission, target, connection = found
    if connection is not None:
        connection.revoke(permission, target)
    return Response(status_code=204)


async def has_permission(request: Request, service: HubService, hub: Hub) -> Response:
    found = _permission_target(request, hub)
    if isinstance(found, Response):
        return found
    permission, target, connection = found
    if connection is None:
        return Response(status_code=404)
    if target is None:
        granted = f"webpubsub.{permission}" in connection.roles or (permission, None) in connection.grants
    else:
        granted = connection.allowed(permission, target)
    return _exists(granted)


# ---- tokens (what the SDK asks for when it authenticates with Microsoft Entra ID) ----------------------------


async def generate_token(request: Request, service: HubService, hub: Hub) -> Response:
    query = request.query_params
    try:
        minutes = int(query.get("minutesToExpire", "60"))
    except ValueError:
        return _error(400, "InvalidQuery", "minutesToExpire must be an integer.")
    if minutes < 1:
        return _error(400, "InvalidQuery", "minutesToExpire must be at least 1.")
    now = dt.datetime.now(dt.UTC)
    host = request.headers.get("host", "")
    claims: dict = {"aud": f"{request.url.scheme}://{host}/client/hubs/{request.path_params['hub']}",
                    "iat": now, "exp": now + dt.timedelta(minutes=minutes)}
    if query.get("userId"):
        claims["sub"] = query["userId"]
    if query.getlist("role"):
        claims["role"] = query.getlist("role")
    if query.getlist("group"):
        claims["webpubsub.group"] = query.getlist("group")
    return JSONResponse({"token": jwt.encode(claims, service.access_keys[0], algorithm="HS256")})


def rest_routes(service: HubService) -> list[Route]:
    base = "/api/hubs/{hub}"
    table: list[tuple[str, str, Handler]] = [
        ("/:send", "POST", send_to_all),
        ("/:addToGroups", "POST", add_connections_to_groups),
        ("/:removeFromGroups", "POST", remove_connections_from_groups),
        ("/:closeConnections", "POST", close_all_connections),
        ("/:generateToken", "POST", generate_token),
        ("/groups/{group}/:send", "POST", send_to_group),
        ("/groups/{group}/:closeConnections", "POST", close_group_connections),
        ("/groups/{group}", "HEAD", group_exists),
        ("/groups/{group}/connections", "GET", list_connections),
        ("/groups/{group}/connections/{connection}", "PUT", add_connection_to_group),
        ("/groups/{group}/connections/{connection}", "DELETE", remove_connection_from_group),
        ("/users/{user}/:send", "POST", send_to_user),
        ("/users/{user}/:closeConnections", "POST", close_user_connections),
        ("/users/{user}", "HEAD", user_exists),
        ("/users/{user}/groups", "DELETE", remove_user_from_all_groups),
        ("/users/{user}/groups/{group}", "PUT", add_user_to_group),
        ("/users/{user}/groups/{group}", "DELETE", remove_user_from_group),
        ("/connections/{connection}/:send", "POST", send_to_connection),
        ("/connections/{connection}", "HEAD", connection_exists),
        ("/connections/{connection}", "DELETE", close_connection),
        ("/connections/{connection}/groups", "DELETE", remove_connection_from_all_groups),
        ("/permissions/{permission}/connections/{connection}", "PUT", grant_permission),
        ("/permissions/{permission}/connections/{connection}", "DELETE", revoke_permission),
        ("/permissions/{permission}/connections/{connection}", "HEAD", has_permission),
    ]
    return [_route(path, base + path, method, handler, service) for path, method, handler in table]
