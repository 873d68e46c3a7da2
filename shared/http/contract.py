"""The check of an answer against its route's declared contract, run before sending when `validate_responses` is on
(tests): the status is one the route declares, a success body is the envelope around its declared response model
(nothing missing, nothing undeclared), an error body is the error envelope.

A body is validated as a client would read it: the JSON that goes on the wire, parsed by the declared model in
strict mode (a number is not a string, a string is not a number), then compared with what the model would write
back, so a key the model does not declare is reported too.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    import azure.functions as func

    from shared.http.endpoint import EndpointSpec

MAX_REPORTED = 10


def violations(spec: EndpointSpec, method: str, response: func.HttpResponse) -> list[str]:
    """What is wrong with this answer, if anything (an empty list: it keeps the contract)."""
    status = response.status_code
    if status not in spec.success_statuses:
        if status < 400:
            return [f"success status {status} is not declared (status= or alternatives= of the decorator)"]
        if status not in spec.error_statuses(method):
            return [f"error status {status} is not declared for {method.upper()} (declare it in errors=[...])"]
        return [] if spec.raw and not response.get_body() else _error_envelope_problems(response.get_body())
    if spec.raw:
        return []  # a raw answer (the OpenAPI document, the docs page, upstream events) is its own media type
    if status == 204:
        return ["a 204 answer carries a body"] if response.get_body() else []
    try:
        body = json.loads(response.get_body())
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(body, dict) or body.get("success") is not True or set(body) != {"success", "data"}:
        return ["the body is not the success envelope {success: true, data}"]
    if spec.response is None:
        return [] if body["data"] is None else ["data is not null, but the route declares no response model"]
    return _model_problems(spec.response, body["data"])


def _model_problems(model: Any, data: Any) -> list[str]:
    adapter = _adapter(model)
    try:
        parsed = adapter.validate_json(json.dumps(data), strict=True)
    except ValidationError as exc:
        return [f"data.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_url=False, include_input=False)[:MAX_REPORTED]]
    written = adapter.dump_python(parsed, mode="json")
    return [f"{where}: not declared by {getattr(model, '__name__', model)}"
            for where in _undeclared(data, written, "data")][:MAX_REPORTED]


def _undeclared(sent: Any, declared: Any, where: str) -> list[str]:
    """Keys of `sent` that the model's own rendering of it does not have."""
    if isinstance(sent, dict) and isinstance(declared, dict):
        found = [f"{where}.{key}" for key in sent if key not in declared]
        for key in sent.keys() & declared.keys():
            found += _undeclared(sent[key], declared[key], f"{where}.{key}")
        return found
    if isinstance(sent, list) and isinstance(declared, list):
        return [found for i, (a, b) in enumerate(zip(sent, declared, strict=False))
                for found in _undeclared(a, b, f"{where}[{i}]")]
    return []


def _error_envelope_problems(raw: bytes | None) -> list[str]:
    try:
        body = json.loads(raw or b"")
    except ValueError:
        return ["the error body is not JSON"]
    error = body.get("error") if isinstance(body, dict) else None
    if (not isinstance(error, dict) or body.get("success") is not False or set(body) != {"success", "error"}
            or not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str)
            or not set(error) <= {"code", "message", "details"}):
        return ["the body is not the error envelope {success: false, error: {code, message, details}}"]
    return []


@lru_cache(maxsize=512)
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)
