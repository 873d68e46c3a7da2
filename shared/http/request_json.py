"""What a request may carry before its models see it: JSON that parses within a fixed depth, and text without NUL.

`json.loads` raises RecursionError (not ValueError) on deeply nested input, and a value that parses close to the
interpreter's limit can still fail later when a store or an event serialises it again. So a body is refused with
400 `invalid_json` when it does not parse *or* nests deeper than MAX_DEPTH; nothing legitimate comes close.

NUL characters (`\\u0000` in JSON, `%00` in a URL) are refused with 422 `validation_error` (`code: nul_character`
on the field) in every string of a body, a query or a path, keys included: they truncate strings in C libraries
and some stores, and no text field of this API has a use for them. The walk is iterative, so no input can make
it recurse.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from shared import errors

MAX_DEPTH = 64  # objects and arrays inside one another


def loads(raw: bytes | str, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """The parsed JSON value; 400 `invalid_json` when it is malformed or nested deeper than MAX_DEPTH."""
    try:
        data = json.loads(raw, parse_float=parse_float)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise invalid_json("The body is not valid JSON.") from None
    if depth_exceeds(data, MAX_DEPTH):
        raise invalid_json(f"The body nests objects and arrays more than {MAX_DEPTH} levels deep.")
    return data


def invalid_json(message: str) -> errors.BadRequest:
    return errors.BadRequest(message, code="invalid_json", details={"max_depth": MAX_DEPTH})


def depth_exceeds(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def refuse_nul(data: Any, where: str) -> None:
    """422 naming every field whose text (or key) holds a NUL character."""
    found: list[dict[str, str]] = []
    stack: list[tuple[Any, str]] = [(data, where)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found.append(_nul_error(path))
        elif isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}"
                if isinstance(key, str) and "\x00" in key:
                    found.append(_nul_error(child_path.replace("\x00", "\\u0000")))
                    continue
                stack.append((child, child_path))
        elif isinstance(value, list | tuple):
            stack.extend((child, f"{path}.{i}") for i, child in enumerate(value))
    if found:
        raise errors.ValidationFailed(details=sorted(found, key=lambda e: e["field"]))


def _nul_error(field: str) -> dict[str, str]:
    return {"field": field, "code": "nul_character", "message": "Text may not contain NUL characters (U+0000)."}


__all__ = ["MAX_DEPTH", "depth_exceeds", "invalid_json", "loads", "refuse_nul"]
