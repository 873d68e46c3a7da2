"""What the app registered, read from azure.functions metadata, and how to call it as the worker would.

The checks mirror the Python worker's: every parameter except `context` must be a declared binding and every
binding must be a parameter, out bindings must be annotated func.Out[...], in bindings must not be. A mistake
fails here, locally, before it fails on Azure.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_origin

import azure.functions as func
from azure.functions.decorators.core import BindingDirection

HOST_JSON = Path(__file__).resolve().parent.parent / "host.json"


class FunctionLoadError(RuntimeError):
    pass


class OutValue(func.Out):
    """The stub the worker passes for an out binding; the host reads .value after the call."""

    def __init__(self) -> None:
        self.value: Any = None

    def set(self, val: Any) -> None:
        self.value = val

    def get(self) -> Any:
        return self.value


@dataclass
class IndexedFunction:
    name: str
    trigger: Any  # the trigger binding object (HttpTrigger, ServiceBusQueueTrigger, TimerTrigger, ...)
    bindings: list[Any]
    user_function: Callable[..., Any]
    out_bindings: list[str] = field(default_factory=list)

    @property
    def trigger_type(self) -> str:
        return self.trigger.get_binding_name() if hasattr(self.trigger, "get_binding_name") else self.trigger.type

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.user_function)

    async def invoke(self, trigger_value: Any, *, inputs: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Calls the function with its trigger value; returns (return value, {out binding: value})."""
        kwargs: dict[str, Any] = dict(inputs or {})
        kwargs[self.trigger.name] = trigger_value
        outs = {name: OutValue() for name in self.out_bindings}
        kwargs.update(outs)
        params = inspect.signature(self.user_function).parameters
        if "context" in params:
            kwargs["context"] = _Context(self.name)
        if self.is_async:
            result = await self.user_function(**kwargs)
        else:
            result = await asyncio.to_thread(self.user_function, **kwargs)
        return result, {name: out.get() for name, out in outs.items()}


class _Context:
    def __init__(self, function_name: str):
        self.invocation_id = str(uuid.uuid4())
        self.function_name = function_name
        self.function_directory = str(HOST_JSON.parent)
        self.trace_context = None
        self.retry_context = None


@dataclass
class FunctionIndex:
    http: list[IndexedFunction]
    service_bus: dict[str, IndexedFunction]
    timers: list[IndexedFunction]
    route_prefix: str
    service_bus_settings: dict[str, Any]

    @classmethod
    def from_app(cls, app: func.FunctionApp, host_json: Path = HOST_JSON) -> FunctionIndex:
        host = json.loads(host_json.read_text()) if host_json.is_file() else {}
        extensions = host.get("extensions", {})
        prefix = extensions.get("http", {}).get("routePrefix", "api").strip("/")
        http, service_bus, timers = [], {}, []
        seen: set[str] = set()
        # get_functions() is not idempotent (it raises on a second call), so build from the builders directly.
        for builder in app._function_builders:
            fn = builder.build(app.auth_level)
            name = fn.get_function_name()
            if name in seen:
                raise FunctionLoadError(f"Function {name} does not have a unique function name")
            seen.add(name)
            indexed = _index(fn)
            kind = indexed.trigger_type
            if kind == "httpTrigger":
                http.append(indexed)
            elif kind == "serviceBusTrigger":
                queue = indexed.trigger.queue_name
                if queue in service_bus:
                    raise FunctionLoadError(f"Two functions listen on queue {queue}")
                service_bus[queue] = indexed
            elif kind == "timerTrigger":
                timers.append(indexed)
            else:
                raise FunctionLoadError(f"{name}: the dev host does not run {kind} triggers")
        return cls(http, service_bus, timers, prefix, extensions.get("serviceBus", {}))


def _index(fn: Any) -> IndexedFunction:
    user_function = fn.get_user_function()
    trigger = fn.get_trigger()
    bindings = list(fn.get_bindings())
    params = inspect.signature(user_function).parameters
    declared = {b.name for b in bindings if b.name != "$return"}
    name = fn.get_function_name()
    for param in params:
        if param != "context" and param not in declared:
            raise FunctionLoadError(f"{name}: parameter '{param}' is declared in Python but not in the function "
                                    "definition (function.json or function decorators)")
    for binding in declared:
        if binding not in params:
            raise FunctionLoadError(f"{name}: binding '{binding}' has no parameter of that name")
    try:  # resolves string annotations (modules with `from __future__ import annotations`)
        hints = typing.get_type_hints(user_function)
    except Exception:
        hints = {}
    outs = []
    for binding in bindings:
        if binding.name == "$return":
            continue
        annotation = hints.get(binding.name, params[binding.name].annotation)
        is_out_annotated = get_origin(annotation) is func.Out or annotation is func.Out
        if getattr(binding.direction, "value", binding.direction) == BindingDirection.OUT.value:
            if not is_out_annotated:
                raise FunctionLoadError(f"{name}: out binding '{binding.name}' must be annotated func.Out[T]")
            outs.append(binding.name)
        elif is_out_annotated:
            raise FunctionLoadError(f"{name}: in binding '{binding.name}' must not be annotated func.Out[T]")
    return IndexedFunction(name=name, trigger=trigger, bindings=bindings, user_function=user_function,
                           out_bindings=outs)
