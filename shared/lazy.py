"""Deferred imports, so that loading the app does not load the code and the models behind every route.

Importing `function_app` registers every function of the app, and a cold start pays for whatever that imports.
If each route module imported its domain modules at the top, every cold start would build all the pydantic
models and load all the service code, although a request uses one or two of them. Route modules therefore
name what they use without importing it:

    posts = lazy_module("shared.domain.communities.posts")         # imported on first attribute access
    models = lazy_models("shared.domain.communities.post_models")  # models.PostCreate is a ModelRef

    @endpoint(summary="Create a post", body=models.PostCreate, response=models.PostPublic)
    async def create_post(call: Call[models.PostCreate]) -> models.PostPublic:
        return await posts.check_create_post(call.user, call.body)

`@endpoint` resolves the refs on the endpoint's first request, and the OpenAPI builder when it builds the
document. Such modules keep `from __future__ import annotations`, so annotations that name refs stay strings.
Registries that other areas plug into take a dotted path ("package.module:function") for the same reason;
`import_target` resolves it when the registry is used.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands in for a module and imports it on first attribute access.

    Each access reads the module's current attribute, so a test that patches the module is seen here too.
    """

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


class ModelRef:
    """A class named by module and name, imported when first needed (`resolve()`).

    Calling the ref calls the class, so handler code such as `models.Done(topic_id=...)` works unchanged.
    """

    __slots__ = ("_resolved", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self._resolved: Any = None

    def resolve(self) -> Any:
        if self._resolved is None:
            self._resolved = getattr(importlib.import_module(self.module), self.name)
        return self._resolved

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    @property
    def __name__(self) -> str:  # what code that labels models by class name (OpenAPI, tests) reads
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelRef) and (other.module, other.name) == (self.module, self.name)

    def __hash__(self) -> int:
        return hash((self.module, self.name))

    def __repr__(self) -> str:
        return f"ModelRef({self.module!r}, {self.name!r})"


class LazyModels:
    """`lazy_models(module).Name` is a ModelRef to `module.Name`; nothing is imported until a ref is resolved."""

    __slots__ = ("_module", "_refs")

    def __init__(self, module: str) -> None:
        self._module = module
        self._refs: dict[str, ModelRef] = {}

    def __getattr__(self, name: str) -> ModelRef:
        if name.startswith("__"):  # protocol probes (copy, pickle, inspect) must not invent refs
            raise AttributeError(name)
        ref = self._refs.get(name)
        if ref is None:
            ref = self._refs[name] = ModelRef(self._module, name)
        return ref

    def __repr__(self) -> str:
        return f"<lazy models of {self._module!r}>"


def lazy_module(name: str) -> Any:
    """A stand-in for module `name` that imports it on first attribute access."""
    return LazyModule(name)


def lazy_models(module: str) -> Any:
    """Refs to the classes of `module`, imported when a ref is resolved (see ModelRef)."""
    return LazyModels(module)


def import_target(target: Any) -> Any:
    """`"package.module:attribute"` -> that attribute (imported now); anything else as it is."""
    if not isinstance(target, str):
        return target
    module, sep, attribute = target.partition(":")
    if not sep or not module or not attribute:
        raise ValueError(f"expected 'package.module:attribute', got {target!r}")
    return getattr(importlib.import_module(module), attribute)
