"""HTTP requests in, as the Functions host does it: match the route, build func.HttpRequest, call, map back."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import azure.functions as func
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from devhost.function_index import FunctionIndex, IndexedFunction
from devhost.queue_runner import send_out_bindings
from devhost.routing import CompiledRoute, Router, compile_route
from shared.adapters.queue_store import QueueStore

log = logging.getLogger("devhost.http")


def build_router(index: FunctionIndex) -> Router:
    routes: list[CompiledRoute] = []
    for fn in index.http:
        trigger = fn.trigger
        compiled = compile_route(trigger.route or fn.name, index.route_prefix)
        compiled.target = fn
        methods = trigger.methods or []
        compiled.methods = frozenset(str(m).upper().split(".")[-1] for m in methods) or None
        routes.append(compiled)
    return Router(routes)


def to_function_request(request: Request, body: bytes, route_params: dict[str, str]) -> func.HttpRequest:
    headers = {k: v for k, v in request.headers.items()}
    # Like App Service's front end, append the socket address we saw; the app counts trusted hops from the right.
    peer = request.client.host if request.client else "127.0.0.1"
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {peer}" if forwarded else peer
    return func.HttpRequest(method=request.method, url=str(request.url), headers=headers,
                            params=dict(parse_qsl(request.url.query, keep_blank_values=True)),
                            route_params=route_params, body=body)


def to_starlette_response(result: object) -> Response:
    if result is None:
        return Response(status_code=204)
    if isinstance(result, str):
        return Response(result, status_code=200, media_type="text/plain")
    if not isinstance(result, func.HttpResponse):
        raise TypeError(f"an HTTP function returned {type(result).__name__}; expected func.HttpResponse, str or None")
    response = Response(result.get_body(), status_code=result.status_code)
    raw_headers = []
    for name, value in result.headers.items():
        raw_headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
    if not any(name == b"content-type" for name, _ in raw_headers) and result.status_code != 204:
        mimetype = result.mimetype or "text/plain"
        content_type = f"{mimetype}; charset={result.charset}" if mimetype.startswith("text/") else mimetype
        raw_headers.append((b"content-type", content_type.encode("latin-1")))
    raw_headers.append((b"content-length", str(len(result.get_body())).encode()))
    response.raw_headers = raw_headers
    return response


async def dispatch(router: Router, request: Request, queue_store: QueueStore | None = None) -> Response:
    resolved = router.resolve(request.url.path, request.method)
    if resolved is None:
        return JSONResponse({"success": False, "error": {"code": "not_found", "message": "No such route.",
                                                           "details": None}}, status_code=404)
    route, params = resolved
    fn: IndexedFunction = route.target
    body = await request.body()
    result, outs = await fn.invoke(to_function_request(request, body, params))
    if outs and queue_store is not None:
        send_out_bindings(queue_store, fn, outs)  # service_bus_queue_output values, as the host would send them
    return to_starlette_response(result)
