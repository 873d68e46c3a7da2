"""`@endpoint`: the conventions every HTTP function follows, in one place.

    @bp.route(route="topics/{topic_id}", methods=["PUT"])
    @endpoint(summary="Update a topic", body=TopicUpdate, path=TopicPath, response=TopicPublic, errors=[404])
    async def update_topic(call: Call) -> TopicPublic:
        return await topics.check_update_topic(call.user, call.path.topic_id, call.body)

The wrapper the runtime sees takes exactly `req`, as the Functions worker requires. It authenticates first
(Bearer token or session cookie; cookie writes need the CSRF token), then parses path, query and body with
pydantic (422 with field errors; JSON and NUL rules in shared/http/request_json.py), enforces the body size
limit, applies rate limits, and renders the envelope. Unexpected exceptions become a 500 with a correlation id
and nothing of the exception text.

The decorator is the one source of the success status (`status`, and `alternatives` where a route answers more
than one, which the handler picks with `Reply(status=...)`) and of the error statuses (`errors`, plus the ones
the conventions add: see `EndpointSpec.error_statuses`). With the `validate_responses` setting on (tests), every
answer is checked against that contract before it is sent (shared/http/contract.py); a violation is a 500
`response_contract_violation`.

`body`, `query`, `path` and `response` take a class or a ModelRef (shared/lazy.py): route modules name their
models without importing them, and the spec imports them on the endpoint's first request (or when the OpenAPI
document is built). Nothing here imports pydantic's models at import time, to keep the cold start short.
"""

from __future__ import annotations

import inspect
import json
import logging
import types
import typing
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar
from urllib.parse import parse_qs, urlsplit

import azure.functions as func
from pydantic import ValidationError  # pydantic_core's: cheap, unlike BaseModel (pydantic.main)

from shared import errors
from shared.domain.identity import Principal
from shared.http import envelope, request_json
from shared.http.auth import authenticate, csrf_ok
from shared.http.client_ip import client_ip
from shared.http.cors import cors_headers
from shared.lazy import ModelRef
from shared.settings import get_settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from shared.ports import WindowDecision

log = logging.getLogger("topicsflow.http")

AuthMode = Literal["none", "optional", "user", "admin"]
B = TypeVar("B")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class RateRule:
    """`limit` requests per `window_seconds`, counted per client IP or per signed-in user."""

    name: str
    limit: int
    window_seconds: int
    per: Literal["ip", "user"] = "ip"


@dataclass
class Reply:
    """A result with headers or cookies of its own. `status` is only for a route that declares `alternatives`:
    it picks one of the decorator's statuses (None: the decorator's `status`); any other is a contract violation."""

    data: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    status: int | None = None


@dataclass(frozen=True)
class RequestHeader:
    """A request header a route reads, documented on its operation."""

    name: str
    description: str
    required: bool = False
    pattern: str | None = None
    methods: tuple[str, ...] = ()  # only on these methods of the route (all when empty)
    values: Callable[[], list[str]] | None = None  # the values it may take, read when the document is built


IF_MATCH = RequestHeader("If-Match", "The ETag from a read: the write is refused with 412 when the resource "
                                     "changed since.")


@dataclass
class EndpointSpec:
    summary: str
    tags: list[str]
    auth: AuthMode
    # "body", "query", "path", "response": each a class, a ModelRef (replaced by its class on first read) or None.
    models: dict[str, Any]
    status: int
    errors: Sequence[int]
    rate_limits: Sequence[RateRule]
    raw: bool
    description: str = ""
    media_type: str | tuple[str, ...] = "application/json"  # of a raw response (one of these)
    alternatives: dict[int, str] = field(default_factory=dict)  # other success statuses -> when they are answered
    headers: Sequence[RequestHeader] = ()
    undocumented: bool = False  # left out of the OpenAPI document (the host's own fallback route)
    idempotent: bool = False  # honours Idempotency-Key (shared/http/idempotency.py)

    @property
    def success_statuses(self) -> list[int]:
        return [self.status, *self.alternatives]

    def error_statuses(self, method: str) -> set[int]:
        """Every error status the route can answer: the declared ones and those the conventions add."""
        # Any route: a NUL in a query or path value (422 nul_character), a dependency down (503, Retry-After).
        statuses = set(self.errors) | {422, 500}
        if 503 not in self.alternatives:
            statuses.add(503)
        if self.query is not None and "cursor" in self.query.model_fields:
            statuses.add(400)  # a cursor that is not ours, was tampered with or belongs to another listing
        if self.path:
            statuses.add(404)  # nothing there (or a value no route template matches, e.g. one with a slash)
        if self.body is not None or self.raw:
            statuses |= {413}  # the body is over max_request_bytes
        if self.body is not None:
            statuses |= {400, 415, 422}  # not JSON, not application/json, not an object
        if self.auth in ("user", "admin"):
            statuses.add(401)
        if self.auth == "admin" or (self.auth != "none" and method.upper() in UNSAFE_METHODS):
            statuses.add(403)  # not an administrator; a cookie write without the CSRF token
        if self.rate_limits:
            statuses.add(429)
        if self.idempotent:
            statuses |= {400, 409, 422}  # a malformed key; the keyed request still running; the key reused
        return statuses

    @property
    def body(self) -> type[BaseModel] | None:
        return self._model("body")

    @property
    def query(self) -> type[BaseModel] | None:
        return self._model("query")

    @property
    def path(self) -> type[BaseModel] | None:
        return self._model("path")

    @property
    def response(self) -> Any:
        return self._model("response")

    def _model(self, role: str) -> Any:
        declared = self.models[role]
        if isinstance(declared, ModelRef):
            declared = self.models[role] = declared.resolve()
        return declared


@dataclass
class Call(Generic[B]):
    req: func.HttpRequest
    body: B
    query: Any
    path: Any
    principal: Principal | None
    ip: str
    correlation_id: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    # On an idempotent route called with Idempotency-Key: a stable digest of (caller, key), from which a write
    # that must never happen twice may derive its document id.
    idempotency_key: str | None = None

    @property
    def user(self) -> Principal:
        if self.principal is None:
            raise errors.Unauthorized()
        return self.principal

    def header(self, name: str) -> str | None:
        return self.req.headers.get(name)


def endpoint(*, summary: str, auth: AuthMode = "user", body: type[BaseModel] | ModelRef | None = None,
             query: type[BaseModel] | ModelRef | None = None, path: type[BaseModel] | ModelRef | None = None,
             response: Any = None, status: int = 200, errors: Sequence[int] = (),
             rate_limits: Sequence[RateRule] = (), tags: Sequence[str] | None = None, raw: bool = False,
             description: str = "", media_type: str | tuple[str, ...] = "application/json",
             alternatives: dict[int, str] | None = None, headers: Sequence[RequestHeader] = (),
             undocumented: bool = False, idempotent: bool = False):
    def decorate(handler: Callable[[Call], Awaitable[Any]]):
        group = handler.__module__.split(".")[1] if handler.__module__.startswith("functions.") else "misc"
        spec = EndpointSpec(summary=summary, tags=list(tags or [group]), auth=auth,
                            models={"body": body, "query": query, "path": path, "response": response},
                            status=status, errors=errors, rate_limits=rate_limits, raw=raw,
                            description=description or (handler.__doc__ or ""), media_type=media_type,
                            alternatives=dict(alternatives or {}), headers=headers, undocumented=undocumented,
                            idempotent=idempotent)

        async def wrapper(req: func.HttpRequest) -> func.HttpResponse:
            return await _run(handler, spec, req)

        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(wrapper, attr, getattr(handler, attr))
        wrapper.endpoint_spec = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


async def _run(handler, spec: EndpointSpec, req: func.HttpRequest) -> func.HttpResponse:
    settings = get_settings()
    correlation_id = req.headers.get("x-correlation-id") or _new_correlation_id()
    origin = req.headers.get("origin")
    extra_headers = {"X-Correlation-Id": correlation_id, **cors_headers(origin, settings.cors_origins)}
    try:
        call = await _prepare(spec, req, correlation_id)
        if spec.idempotent:
            response = await _run_once(handler, spec, call)
        else:
            response = _render(spec, await handler(call), call)
        for name, value in extra_headers.items():
            response.headers[name] = value
    except errors.AppError as exc:
        response = _error_response(exc.status, exc.code, exc.message, exc.details, {**extra_headers, **exc.headers})
    except UndeclaredStatus as exc:
        log.error("response contract violation in %s %s: %s", req.method, req.url, exc)
        return _violation_response([str(exc)], correlation_id, extra_headers)
    except Exception:
        log.exception("unhandled error in %s (correlation id %s)", spec.summary, correlation_id)
        return _error_response(500, "internal_error", "Something went wrong on our side.",
                               {"correlation_id": correlation_id}, extra_headers)
    if settings.validate_responses_on:
        from shared.http.contract import violations  # pydantic's validators: loaded only where the check is on

        found = violations(spec, req.method, response)
        if found:
            log.error("response contract violation in %s %s (%s): %s", req.method, req.url, spec.summary,
                      "; ".join(found))
            return _violation_response(found, correlation_id, extra_headers)
    return response


def _violation_response(found: list[str], correlation_id: str, headers: dict[str, str]) -> func.HttpResponse:
    return _error_response(500, "response_contract_violation", "The answer broke the API contract.",
                           {"correlation_id": correlation_id, "violations": found}, headers)


async def _run_once(handler, spec: EndpointSpec, call: Call) -> func.HttpResponse:
    """The handler at most once per Idempotency-Key (shared/http/idempotency.py)."""
    from shared.http import idempotency

    caller = f"user:{call.principal.user_id}" if call.principal is not None else f"ip:{call.ip}"
    claimed = await idempotency.claim(call.req, caller)
    if isinstance(claimed, func.HttpResponse):
        return claimed
    if claimed is None:
        return _render(spec, await handler(call), call)
    call.idempotency_key = claimed.request_key
    try:
        response = _render(spec, await handler(call), call)
    except BaseException:
        await idempotency.release(claimed)
        raise
    try:
        await idempotency.complete(claimed, response)
    except Exception:  # the write happened: answer it; a repeat then waits out the claim instead of replaying
        log.exception("could not keep the answer of an idempotent request (correlation id %s)", call.correlation_id)
    return response


def _new_correlation_id() -> str:
    import uuid  # here, not at the top: uuid (and the platform module it loads) is not needed to load the app

    return uuid.uuid4().hex


async def _prepare(spec: EndpointSpec, req: func.HttpRequest, correlation_id: str) -> Call:
    settings = get_settings()
    ip = client_ip(req.headers, settings.trusted_proxies)
    # Who is calling comes first: an anonymous caller of a signed-in route learns nothing about its input rules.
    principal, via_cookie = await authenticate(req) if spec.auth != "none" else (None, False)
    if spec.auth in ("user", "admin") and principal is None:
        raise errors.Unauthorized()
    if spec.auth == "admin" and not (principal is not None and principal.is_admin):
        raise errors.Forbidden("Administrators only.", code="admin_required")
    if principal is not None and via_cookie and req.method.upper() in UNSAFE_METHODS and not csrf_ok(req, principal):
        raise errors.Forbidden("A cookie-authenticated write needs the X-CSRF-Token header.", code="csrf_failed")

    path_values, query_values = dict(req.route_params or {}), _query_values(req, spec.query)
    request_json.refuse_nul(path_values, "path")
    request_json.refuse_nul(query_values, "query")
    path = _parse_model(spec.path, path_values, "path")
    query = _parse_model(spec.query, query_values, "query")
    body = _parse_body(spec, req, settings.max_request_bytes)

    call = Call(req=req, body=body, query=query, path=path, principal=principal, ip=ip,
                correlation_id=correlation_id)
    if spec.rate_limits:
        await _apply_rate_limits(spec.rate_limits, call)
    return call


def _query_values(req: func.HttpRequest, model: type[BaseModel] | None) -> dict[str, Any]:
    # func.HttpRequest.params keeps one value per key; repeated keys (tags=a&tags=b) need the raw query string.
    raw = parse_qs(urlsplit(req.url).query, keep_blank_values=True)
    if not raw and req.params:
        raw = {k: [v] for k, v in req.params.items()}
    values: dict[str, Any] = {}
    for key, items in raw.items():
        annotation = model.model_fields[key].annotation if model and key in model.model_fields else None
        values[key] = items if _is_list_type(annotation) else items[-1]
    return values


def _is_list_type(annotation: Any) -> bool:
    """list[X], List[X], and either of them inside Optional / `| None`."""
    if typing.get_origin(annotation) is list:  # also what List[X] reports
        return True
    return any(_is_list_type(arg) for arg in typing.get_args(annotation)
               if typing.get_origin(annotation) in (typing.Union, types.UnionType))


def _parse_model(model: type[BaseModel] | None, data: dict[str, Any], where: str) -> Any:
    if model is None:
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise errors.ValidationFailed(details=field_errors(exc, where)) from None


def _parse_json_body(model: type[BaseModel], raw: str) -> Any:
    # Strict, as JSON Schema reads the document: 0 is not false and "5" is not 5 (a URL's path and query are
    # strings, so they are parsed laxly; a JSON body has types of its own).
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        raise errors.ValidationFailed(details=field_errors(exc, "body")) from None


def _parse_body(spec: EndpointSpec, req: func.HttpRequest, max_bytes: int) -> Any:
    if spec.body is None and not spec.raw:
        return None  # a route without a body never reads one, whatever the client sent
    raw = req.get_body() or b""
    if len(raw) > max_bytes:
        raise errors.PayloadTooLarge(details={"max_bytes": max_bytes})
    if spec.body is None:
        return None
    if not raw.strip():
        data: Any = {}
    else:
        content_type = (req.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise errors.AppError("Send the body as application/json.", code="unsupported_media_type", status=415)
        data = request_json.loads(raw, parse_float=_json_number)  # 400 invalid_json: malformed or nested too deep
        request_json.refuse_nul(data, "body")
    if not isinstance(data, dict):
        raise errors.ValidationFailed(details=[{"field": "body", "code": "type_error",
                                                "message": "The body must be a JSON object."}])
    return _parse_json_body(spec.body, json.dumps(data))


def _json_number(text: str) -> float | int:
    # JSON Schema counts 2.0 and 1e3 as integers; pydantic's strict mode would refuse them for an int field.
    number = float(text)
    return int(number) if number.is_integer() else number


def field_errors(exc: ValidationError, where: str) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in (where, *e["loc"])), "code": e["type"], "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)]


async def _apply_rate_limits(rules: Sequence[RateRule], call: Call) -> None:
    from shared.wiring import kv

    tightest: WindowDecision | None = None
    for rule in rules:
        subject = call.principal.user_id if rule.per == "user" and call.principal else call.ip
        decision = await kv().hit_window(f"rl:{rule.name}:{rule.per}:{subject}", limit=rule.limit,
                                         window_seconds=rule.window_seconds)
        if not decision.allowed:
            headers = rate_limit_headers(decision)
            headers["Retry-After"] = str(max(1, int(decision.reset_seconds + 0.999)))
            raise errors.RateLimited(details={"limit": decision.limit, "retry_after": headers["Retry-After"]},
                                     headers=headers)
        if tightest is None or decision.remaining < tightest.remaining:
            tightest = decision
    if tightest is not None:
        call.headers.update(rate_limit_headers(tightest))


def rate_limit_headers(decision: WindowDecision) -> dict[str, str]:
    return {"X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": str(max(0, decision.remaining)),
            "X-RateLimit-Reset": str(max(0, int(decision.reset_seconds + 0.999)))}


def _render(spec: EndpointSpec, result: Any, call: Call) -> func.HttpResponse:
    if isinstance(result, func.HttpResponse):
        for name, value in call.headers.items():
            result.headers[name] = value
        return result
    reply = result if isinstance(result, Reply) else Reply(data=result)
    status = spec.status if reply.status is None else reply.status
    if status not in spec.success_statuses:
        # Always refused, not only under validate_responses: the decorator is the one place a status is declared.
        raise UndeclaredStatus(f"{spec.summary!r} answered {status}, which its decorator does not declare")
    headers = {**call.headers, **reply.headers}
    if status == 204:
        response = func.HttpResponse(status_code=204, headers=headers)
    else:
        response = func.HttpResponse(envelope.dumps(envelope.success(reply.data)), status_code=status,
                                     headers=headers, mimetype="application/json")
    for cookie in [*call.cookies, *reply.cookies]:
        response.headers.add("Set-Cookie", cookie)
    return response


class UndeclaredStatus(RuntimeError):
    """A handler picked a success status its decorator does not declare (a bug: answered as a 500)."""


def _error_response(status: int, code: str, message: str, details: Any, headers: dict[str, str]) -> func.HttpResponse:
    return func.HttpResponse(envelope.dumps(envelope.failure(code, message, details)), status_code=status,
                             headers=headers, mimetype="application/json")


def endpoint_spec(fn: Any) -> EndpointSpec | None:
    return getattr(fn, "endpoint_spec", None) if inspect.isfunction(fn) else None


__all__ = ["IF_MATCH", "Call", "EndpointSpec", "RateRule", "Reply", "RequestHeader", "endpoint", "endpoint_spec",
           "field_errors", "rate_limit_headers"]
