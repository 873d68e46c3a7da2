import pytest

import function_app
from devhost.function_index import FunctionIndex
from shared.http.openapi import openapi_path


def registered_http_routes() -> set[tuple[str, str]]:
    index = FunctionIndex.from_app(function_app.app)
    routes = set()
    for fn in index.http:
        spec = getattr(fn.user_function, "endpoint_spec", None)
        if spec is not None and spec.undocumented:
            assert fn.user_function.__module__ == "functions.platform.fallback", f"{fn.name} hides from the document"
            continue
        methods = [str(m).split(".")[-1].lower() for m in (fn.trigger.methods or [])]
        for method in methods:
            routes.add((openapi_path(fn.trigger.route, index.route_prefix), method))
    return routes


def test_every_registered_route_is_in_the_openapi_document(api):
    document = api.get("/api/openapi.json").json()
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    missing = registered_http_routes() - documented
    assert not missing, f"routes missing from /api/openapi.json: {sorted(missing)}"


def test_every_route_is_declared_with_the_endpoint_conventions():
    # A route without @endpoint would bypass parsing, auth, CSRF, the envelope and the docs.
    index = FunctionIndex.from_app(function_app.app)
    bare = [fn.name for fn in index.http if getattr(fn.user_function, "endpoint_spec", None) is None]
    assert not bare, f"HTTP functions without @endpoint: {bare}"


def test_the_document_describes_bodies_errors_and_security(api):
    document = api.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "ErrorEnvelope" in document["components"]["schemas"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert "500" in operation["responses"], f"{method} {path} does not document 500"


def test_the_document_is_a_valid_openapi_3_1_document(api):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.validators import OpenAPIV31SpecValidator

    validate(api.get("/api/openapi.json").json(), cls=OpenAPIV31SpecValidator)


def test_building_the_whole_document_finds_no_two_classes_sharing_a_component_name():
    from functions import blueprints
    from shared.http.openapi import build_openapi

    build_openapi(blueprints())  # raises ComponentNameCollision on one


def test_two_classes_of_one_name_are_refused_rather_than_documented_as_one():
    from pydantic import BaseModel, create_model

    from shared.http.openapi import ComponentNameCollision, _Schemas

    first = create_model("Upload", __module__="area_one.models", url=(str, ...))
    second = create_model("Upload", __module__="area_two.models", upload_id=(str, ...))

    class Wraps(BaseModel):
        upload: second  # type: ignore[valid-type]

    schemas = _Schemas()
    schemas.of(first)
    with pytest.raises(ComponentNameCollision, match="Upload"):
        schemas.of(Wraps)  # even one level down, where pydantic alone would silently take the first


def test_every_path_parameter_says_what_it_accepts(api):
    document = api.get("/api/openapi.json").json()
    vague = [f"{method} {path} {{{p['name']}}}" for path, item in document["paths"].items()
             for method, operation in item.items() for p in operation.get("parameters", [])
             if p["in"] == "path" and not _constrained(p["schema"], document)]
    assert not vague, f"path parameters without a pattern, enum or type bound: {vague}"


def _constrained(schema: dict, document: dict) -> bool:
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return bool({"pattern", "enum", "const"} & set(schema)) or schema.get("type") == "integer"


def test_status_codes_come_from_the_decorators_alone():
    # A handler may pick a status only among the alternatives its decorator declares (Reply(status=...));
    # everything else returns data and lets @endpoint answer with the declared status.
    import ast
    from pathlib import Path

    offenders = []
    for module in Path("functions").rglob("*.py"):
        tree = ast.parse(module.read_text())
        for fn in (n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)):
            declares = any(isinstance(d, ast.Call) and any(k.arg == "alternatives" for k in d.keywords)
                           for d in fn.decorator_list)
            for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call)):
                named = getattr(call.func, "id", getattr(call.func, "attr", ""))
                sets_status = any(k.arg in ("status", "status_code") for k in call.keywords)
                if named in ("Reply", "HttpResponse") and sets_status and not declares and not _is_raw(fn):
                    offenders.append(f"{module}:{call.lineno} {fn.name}")
    assert not offenders, f"statuses set outside the decorator: {offenders}"


def _is_raw(fn) -> bool:
    import ast

    return any(isinstance(d, ast.Call) and any(k.arg == "raw" for k in d.keywords) for d in fn.decorator_list)
