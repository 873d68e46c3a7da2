"""The host's last route: a path no function serves answers 404, and a path served only under other methods answers
405 with `Allow` (RFC 9110), both in the error envelope. The Functions host matches a route together with its
methods, so without this function a wrong method would be a bare 404 from the host; this route comes after every
other one (catch-alls have the lowest precedence) and is left out of the OpenAPI document."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import azure.functions as func

from functions.platform import bp
from shared.http import envelope
from shared.http.endpoint import Call, endpoint

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@bp.route(route="{*path}", methods=ALL_METHODS)
@endpoint(summary="No function serves this path and method", auth="none", raw=True, undocumented=True, status=404,
          alternatives={405: "The path is served under other methods (see Allow)"})
async def no_such_route(call: Call) -> func.HttpResponse:
    allowed = allowed_methods(urlsplit(call.req.url).path)
    if allowed:
        body = envelope.failure("method_not_allowed", f"Use {', '.join(allowed)} here.")
        return func.HttpResponse(envelope.dumps(body), status_code=405, mimetype="application/json",
                                 headers={"Allow": ", ".join(allowed)})
    return func.HttpResponse(envelope.dumps(envelope.failure("not_found", "No such route.")), status_code=404,
                             mimetype="application/json")


def allowed_methods(path: str) -> list[str]:
    """The methods of the resource at `path`: of the templates that match it, the most specific ones (a literal
    segment beats a parameter, as in the host's precedence), so /topics/invitations is not also /topics/{id}."""
    matches = [(rank, methods) for pattern, checks, rank, methods in _routes()
               if (found := pattern.fullmatch(path.rstrip("/")))
               and all(re.search(check, found.group(name)) for name, check in checks.items())]
    if not matches:
        return []
    best = min(rank for rank, _ in matches)
    found = {method for rank, methods in matches if rank == best for method in methods}
    return [m for m in ALL_METHODS if m in found]


@lru_cache(maxsize=1)
def _routes() -> list[tuple[re.Pattern[str], dict[str, str], tuple[int, ...], frozenset[str]]]:
    from functions import blueprints
    from shared.http.openapi import http_functions, route_prefix

    prefix = route_prefix()
    compiled = []
    for route, methods, fn in http_functions(blueprints()):
        spec = getattr(fn, "endpoint_spec", None)
        if spec is not None and spec.undocumented:
            continue
        segments = f"{prefix}/{route.strip('/')}".split("/")
        checks: dict[str, str] = {}
        regex = "/".join(_segment(s, f"p{i}", checks) for i, s in enumerate(segments))
        rank = tuple(0 if "{" not in s else 1 for s in segments)
        compiled.append((re.compile("/" + regex, re.IGNORECASE | re.DOTALL), checks, rank,
                         frozenset(m.upper() for m in methods)))
    return compiled


def _segment(segment: str, group: str, checks: dict[str, str]) -> str:
    """A template segment as a regex group; the constraints our templates use (int, length, regex) as checks of it."""
    if "{" not in segment:
        return re.escape(segment)
    constraint = segment.strip("{}").partition(":")[2]
    if constraint == "int":
        checks[group] = r"^-?\d+$"
    elif found := re.fullmatch(r"length\((\d+)\)", constraint):
        checks[group] = rf"^.{{{found.group(1)}}}$"
    elif constraint.startswith("regex(") and constraint.endswith(")"):
        checks[group] = constraint[len("regex("):-1]
    return f"(?P<{group}>[^/]+)"
