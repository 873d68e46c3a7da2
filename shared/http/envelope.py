"""The one success envelope and the one error envelope, and JSON encoding for both."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import Enum
from typing import Any

from shared import clock


def _is_pydantic_model(value: Any) -> bool:
    # Not imported here: pydantic.main is loaded by the first model a request uses, and until then no value
    # can be a model. Importing it at module level would put it on every cold start.
    main = sys.modules.get("pydantic.main")
    return main is not None and isinstance(value, main.BaseModel)


def to_jsonable(value: Any) -> Any:
    if _is_pydantic_model(value):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return clock.iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)


def success(data: Any) -> dict[str, Any]:
    return {"success": True, "data": to_jsonable(data)}


def failure(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": to_jsonable(details)}}
