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

from shared.http.endpoint import EndpointSpec
from shared.settings import get_settings

HOST_JSON = Path(__file__).resolve().parents[2] / "host.json"
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"\{\*{0,2}([A-Za-z_][A-Za-z0-9_]*)[^}]*\}")

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable error code."},
                "message": {"type": "string"},
                "details": {"description": "Field errors for validation_error; other context otherwise."},
            },
        },
    },
}
STATUS_TEXT = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found", 409: "Conflict",
    412: "Precondition failed (stale If-Match)", 413: "Payload too large", 415: "Unsupported media type",
    422: "Validation error (details lists the fields)", 429: "Rate limited (see Retry-After)", 500: "Internal error",
    503: "Not ready",
}


def route_prefix() -> str:
    host = json.loads(HOST_JSON.read_text()) if HOST_JSON.is_file() else {}
    return host.get("extensions", {}).get("http", {}).get("routePrefix", "api").strip("/")


def openapi_path(route: str, prefix: str) -> str:
    full = "/" + "/".join(p for p in (prefix, route.strip("/")) if p)
    return _PARAM.sub(lambda m: "{" + m.group(1) + "}", full)


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def of(self, annotation: Any) -> dict[str, Any]:
        from pydantic import TypeAdapter

        schema = TypeAdapter(annotation).json_schema(ref_template=REF)
        self.components.update(schema.pop("$defs", {}))
        if schema.get("type") == "object" and "title" in schema and hasattr(annotation, "model_fields"):
            name = annotation.__name__
            self.components[name] = schema
            return {"$ref": REF.format(model=name)}
        return schema


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


def build_openapi(blueprints: Iterable[DecoratorApi]) -> dict[str, Any]:
    settings = get_settings()
    prefix = route_prefix()
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for route, methods, user_function in http_functions(blueprints):
        spec: EndpointSpec | None = getattr(user_function, "endpoint_spec", None)
        path = openapi_path(route, prefix)
        for method in methods:
            paths.setdefault(path, {})[method] = _operation(spec, route, method, user_function.__name__, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "TopicsFlow Functions API", "version": settings.app_version,
                 "description": "Envelope: {success: true, data} or {success: false, error: {code, message, details}}."
                                " Lists page with limit + cursor -> data.next_cursor."},
        "servers": [{"url": settings.public_base_url}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**dict(sorted(schemas.components.items())), "ErrorEnvelope": ERROR_ENVELOPE},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Session token from login"},
                "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "__Host-session",
                               "description": "Browsers; writes also need the X-CSRF-Token header"},
            },
        },
    }


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
    path_fields = spec.path.model_fields if spec.path else {}
    for param in path_names:
        field = path_fields.get(param)
        schema = schemas.of(field.annotation) if field else {"type": "string"}
        parameters.append(_path_param(param, schema))
    if spec.query:
        for field_name, field in spec.query.model_fields.items():
            parameters.append({"name": field.alias or field_name, "in": "query", "required": field.is_required(),
                               "schema": schemas.of(field.annotation),
                               **({"description": field.description} if field.description else {})})
    if spec.idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                           "description": "Send the same key to retry safely: a repeat gets the first answer "
                                          "(Idempotent-Replayed: true); the key with another request is a 422."})
    if parameters:
        operation["parameters"] = parameters
    if spec.body:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": schemas.of(spec.body)}}}
    data_schema = schemas.of(spec.response) if spec.response is not None else {}
    success_status = str(spec.status)
    responses: dict[str, Any] = {}
    if spec.status == 204:
        responses["204"] = {"description": "No content"}
    elif spec.raw:
        responses[success_status] = {"description": "Success", "content": {spec.media_type: {"schema": data_schema}}}
    else:
        responses[success_status] = {"description": "Success", "content": {"application/json": {"schema": {
            "type": "object", "required": ["success", "data"],
            "properties": {"success": {"const": True}, "data": data_schema}}}}}
    error_statuses = set(spec.errors) | {500}
    if spec.body or spec.query or spec.path:
        error_statuses.add(422)
    if spec.body:
        error_statuses |= {400, 413, 415}
    if spec.query and "cursor" in spec.query.model_fields:
        error_statuses.add(400)  # invalid_cursor (shared/domain/cursors.py)
    if spec.auth in ("user", "admin"):
        error_statuses.add(401)
    if spec.auth == "admin" or (spec.auth != "none" and method in ("post", "put", "patch", "delete")):
        error_statuses.add(403)
    if spec.rate_limits:
        error_statuses.add(429)
    for status in sorted(error_statuses):
        responses[str(status)] = {"description": STATUS_TEXT.get(status, "Error"), "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
    operation["responses"] = responses
    if spec.auth in ("user", "admin"):
        operation["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
    elif spec.auth == "optional":
        operation["security"] = [{}, {"bearerAuth": []}, {"cookieAuth": []}]
    return operation


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


@lru_cache(maxsize=1)
def cached_openapi_json(blueprints: tuple[DecoratorApi, ...]) -> str:
    return json.dumps(build_openapi(blueprints))
