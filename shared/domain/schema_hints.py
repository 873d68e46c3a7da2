"""JSON schema for the rules a model's validators enforce beyond its field types, so that the OpenAPI document says
what the API accepts: a client (or a fuzzer) built from the document can then send valid input, and knows what is
refused. Each hint only describes a rule the model already enforces; it never changes validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JsonSchema = dict[str, Any]


def _present(name: str) -> JsonSchema:
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def exactly_one_of(*names: str) -> Callable[[JsonSchema], None]:
    """For `model_config = ConfigDict(json_schema_extra=...)`: one of these fields, and only one, is sent non-null."""

    def hint(schema: JsonSchema) -> None:
        schema["oneOf"] = [_present(name) for name in names]

    return hint


def at_least_one_of(*names: str) -> Callable[[JsonSchema], None]:
    """For `model_config`: a body that changes nothing (every one of these fields missing or null) is refused."""

    def hint(schema: JsonSchema) -> None:
        schema["anyOf"] = [_present(name) for name in names]

    return hint


def not_null(schema: JsonSchema) -> None:
    """For `Field(json_schema_extra=...)` of an optional field that may be left out but not sent as null."""
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if schema.get("default", ...) is None:
        del schema["default"]  # a null default would contradict the schema; leaving the field out is the default
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
