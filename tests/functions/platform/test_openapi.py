import function_app
from devhost.function_index import FunctionIndex
from shared.http.openapi import openapi_path


def registered_http_routes() -> set[tuple[str, str]]:
    index = FunctionIndex.from_app(function_app.app)
    routes = set()
    for fn in index.http:
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


def test_the_docs_page_is_served_as_html(api):
    response = api.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "openapi.json" in response.text
