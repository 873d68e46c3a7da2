"""The OpenAPI 3.1 document, generated from the registered functions and their @endpoint specs.

Reading a spec's body, query, path and response imports the models a route module named lazily (ModelRef), so
the document is complete although the app loaded none of them. pydantic's TypeAdapter is imported only when the
document is built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions.decorators.function_app import DecoratorApi  # what blueprints and apps share
from azure.functions.decorators.http import HttpTrigger

from shared.http.endpoint import UNSAFE_METHODS, EndpointSpec
from shared.lazy import ModelRef
from shared.settings import get_settings

HOST_JSON = Path(__file__).resolve().parents[2] / "host.json"
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"\{\*{0,2}([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["success", "error"],
    "additionalProperties": False,
    "properties": {
        "success": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable error code."},
                "message": {"type": "string"},
                "details": {"description": "Field errors for validation_error; other context otherwise."},
            },
        },
    },
}
RETRY_AFTER = (429, 503)  # these answers say when to try again
STATUS_TEXT = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found", 409: "Conflict",
    412: "Precondition failed (stale If-Match)", 413: "Payload too large", 415: "Unsupported media type",
    422: "Validation error (details lists the fields)", 429: "Rate limited (see Retry-After)", 500: "Internal error",
    503: "A service we depend on is unavailable (see Retry-After)",
}


def route_prefix() -> str:
    host = json.loads(HOST_JSON.read_text()) if HOST_JSON.is_file() else {}
    return host.get("extensions", {}).get("http", {}).get("routePrefix", "api").strip("/")


def openapi_path(route: str, prefix: str) -> str:
    full = "/" + "/".join(p for p in (prefix, route.strip("/")) if p)
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", full)


class ComponentNameCollision(ValueError):
    """Two different classes would be documented under one component name: clients would read one as the other."""


class _Schemas:
    """The document's components, each name owned by one class: a second class under a taken name raises."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}
        self.owners: dict[str, str] = {}  # component name -> module.qualname of the class it documents

    def of(self, annotation: Any, *, inline: bool = False) -> dict[str, Any]:
        from pydantic import TypeAdapter

        schema = TypeAdapter(annotation).json_schema(ref_template=REF)
        self._own(annotation)
        for name, definition in schema.pop("$defs", {}).items():
            self._add(name, definition)
        if not inline and schema.get("type") == "object" and "title" in schema and hasattr(annotation, "model_fields"):
            name = _component_name(annotation)
            self._add(name, schema)
            return {"$ref": REF.format(model=name)}
        return schema

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        known = self.components.get(name)
        if known is not None and known != schema:
            raise ComponentNameCollision(f"component {name!r} has two different schemas (owned by "
                                         f"{self.owners.get(name, '?')}); rename one of its classes")
        self.components[name] = schema

    def _own(self, annotation: Any) -> None:
        """Records the class behind every component name `annotation` brings in, refusing a second owner."""
        for cls in _named_types(annotation):
            name, owner = _component_name(cls), f"{cls.__module__}.{cls.__qualname__}"
            if self.owners.setdefault(name, owner) != owner:
                raise ComponentNameCollision(f"component {name!r} would document both {self.owners[name]} and "
                                             f"{owner}; give one of them a name that says what it is")


def _component_name(cls: Any) -> str:
    from pydantic.json_schema import GenerateJsonSchema

    return GenerateJsonSchema.normalize_name(None, cls.__name__)  # type: ignore[arg-type]  # pydantic's own naming


def _named_types(annotation: Any, seen: set[Any] | None = None) -> list[Any]:
    """The models and enums reachable from an annotation: the classes pydantic documents as components."""
    import enum
    import typing

    from pydantic import BaseModel

    seen = set() if seen is None else seen
    found: list[Any] = []
    if isinstance(annotation, ModelRef):
        annotation = annotation.resolve()
    try:
        if annotation in seen:
            return found
        seen.add(annotation)
    except TypeError:  # an unhashable annotation (a Field in Annotated metadata) names no class
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
        for field in annotation.model_fields.values():
            found += _named_types(field.annotation, seen)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found += _named_types(arg, seen)
    return found


def http_functions(blueprints: Iterable[DecoratorApi]) -> list[tuple[str, list[str], Any]]:
    """(route, methods, user function) for every HTTP function; builders are rebuilt, which is idempotent."""
    found = []
    for builder in (b for blueprint in blueprints for b in blueprint._function_builders):
        fn = builder.build(func.AuthLevel.ANONYMOUS)
        trigger = fn.get_trigger()
        if not isinstance(trigger, HttpTrigger):
            continue
        methods = [str(m).split(".")[-1].lower() for m in (trigger.methods or [])] or ["get", "post", "put",
                                                                                       "patch", "delete"]
        found.append((trigger.route or fn.get_function_name(), methods, fn.get_user_function()))
    return found


def operation_id(function_name: str, method: str, methods: list[str]) -> str:
    """The function's name; with the method after it when one function serves several (PUT and PATCH)."""
    return function_name if len(methods) == 1 else f"{function_name}_{method.lower()}"


def build_openapi(blueprints: Iterable[DecoratorApi]) -> dict[str, Any]:
    settings = get_settings()
    prefix = route_prefix()
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route, methods, user_function in http_functions(blueprints):
        spec: EndpointSpec | None = getattr(user_function, "endpoint_spec", None)
        if spec is not None and spec.undocumented:
            continue
        path = openapi_path(route, prefix)
        for method in methods:
            paths.setdefault(path, {})[method] = _operation(spec, route, method,
                                                            operation_id(user_function.__name__, method, methods),
                                                            schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "TopicsFlow Functions API", "version": settings.app_version,
                 "description": "Envelope: {success: true, data} or {success: false, error: {code, message, details}}."
                                " Lists page with limit + cursor -> data.next_cursor. Sign in with POST "
                                "/api/auth/login: token=true gives a Bearer token; otherwise the browser keeps a "
                                "session cookie and every write also sends the session's CSRF token (from the login "
                                "answer or GET /api/auth/me) in X-CSRF-Token."},
        "servers": [{"url": settings.public_base_url}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**dict(sorted(schemas.components.items())), "ErrorEnvelope": ERROR_ENVELOPE},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "The session token from POST /api/auth/login with token=true."},
    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "__Host-session",
                   "description": "Browsers: the session cookie login sets (named `session` on plain-http dev "
                                  "hosts). Writes also need csrfHeader."},
    "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                   "description": "The session's CSRF token (csrf_token in the login answer and in GET /api/auth/me); "
                                  "required with cookieAuth on POST, PUT, PATCH and DELETE."},
}


def _security(spec: EndpointSpec, method: str) -> list[dict[str, list[str]]] | None:
    if spec.auth == "none":
        return None
    cookie = {"cookieAuth": [], "csrfHeader": []} if method.upper() in UNSAFE_METHODS else {"cookieAuth": []}
    signed_in: list[dict[str, list[str]]] = [{"bearerAuth": []}, cookie]
    return signed_in if spec.auth in ("user", "admin") else [{}, *signed_in]


def _operation(spec: EndpointSpec | None, route: str, method: str, name: str, schemas: _Schemas) -> dict[str, Any]:
    path_names = _PARAM.findall(route)
    if spec is None:  # a function without @endpoint is still listed, so the document never hides a route
        return {"operationId": name, "summary": name, "parameters": [_path_param(p, {"type": "string"})
                                                                     for p in path_names],
                "responses": {"default": {"description": "Undocumented"}}}
    operation: dict[str, Any] = {"operationId": name, "summary": spec.summary, "tags": spec.tags}
    if spec.description.strip():
        operation["description"] = spec.description.strip()
    parameters = []
    path_fields = _field_schemas(spec.path, schemas)
    for param in path_names:
        parameters.append(_path_param(param, path_fields.get(param, ({"type": "string"}, True, None))[0]))
    for field_name, (schema, required, description) in _field_schemas(spec.query, schemas).items():
        parameters.append({"name": field_name, "in": "query", "required": required, "schema": schema,
                           **({"description": description} if description else {})})
    for header in spec.headers:
        if header.methods and method.upper() not in header.methods:
            continue
        schema: dict[str, Any] = {"type": "string"}
        if header.pattern:
            schema["pattern"] = header.pattern
        if header.values:
            schema["enum"] = header.values()
        parameters.append({"name": header.name, "in": "header", "required": header.required,
                           "description": header.description, "schema": schema})
    if spec.idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
                           "description": "Send the same key to retry safely: a repeat gets the first answer "
                                          "(Idempotent-Replayed: true); the key with another request is a 422."})
    if parameters:
        operation["parameters"] = parameters
    if spec.body:
        # An empty body reads as {}: where {} is a valid body, sending none is a valid request.
        required = not _accepts_empty(spec.body)
        operation["requestBody"] = {"required": required,
                                    "content": {"application/json": {"schema": schemas.of(spec.body)}}}
    data_schema = schemas.of(spec.response) if spec.response is not None else {"type": "null"}
    responses: dict[str, Any] = {}
    for status in spec.success_statuses:
        description = spec.alternatives.get(status, "Success")
        if status == 204:
            responses["204"] = {"description": "No content" if description == "Success" else description}
        elif spec.raw:
            media_types = (spec.media_type,) if isinstance(spec.media_type, str) else spec.media_type
            responses[str(status)] = {"description": description,
                                      "content": {media: {"schema": data_schema} for media in media_types}}
        else:
            responses[str(status)] = {"description": description, "content": {"application/json": {"schema": {
                "type": "object", "required": ["success", "data"], "additionalProperties": False,
                "properties": {"success": {"const": True}, "data": data_schema}}}}}
    for status in sorted(spec.error_statuses(method)):
        responses[str(status)] = {"description": STATUS_TEXT.get(status, "Error"), "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
        if status in RETRY_AFTER:
            responses[str(status)]["headers"] = {"Retry-After": {
                "description": "Seconds to wait before trying again.", "schema": {"type": "string"}}}
    operation["responses"] = responses
    security = _security(spec, method)
    if security is not None:
        operation["security"] = security
    return operation


def _accepts_empty(model: Any) -> bool:
    from pydantic import ValidationError

    try:
        model.model_validate_json("{}", strict=True)
    except ValidationError:
        return False
    return True


def _field_schemas(model: Any, schemas: _Schemas) -> dict[str, tuple[dict[str, Any], bool, str | None]]:
    """name -> (schema with the field's constraints, required, description) of a path or query model."""
    if model is None:
        return {}
    document = schemas.of(model, inline=True)
    required = set(document.get("required", []))
    found = {}
    for name, schema in document.get("properties", {}).items():
        schema = {k: v for k, v in schema.items() if k not in ("title", "description")}
        found[name] = (schema, name in required, document["properties"][name].get("description"))
    return found


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def cached_openapi_json(blueprints: tuple[DecoratorApi, ...]) -> str:
    settings = get_settings()
    # The document names this host (servers, the realtime service's origin): one per set of settings, so a process
    # that serves several hosts (the tests) never hands one host's document to another.
    return _openapi_json(blueprints, settings.public_base_url, settings.webpubsub_endpoint,
                         settings.webpubsub_connection_string, settings.app_version)


@lru_cache(maxsize=4)
def _openapi_json(blueprints: tuple[DecoratorApi, ...], *settings_it_names: str) -> str:
    return json.dumps(build_openapi(blueprints))
