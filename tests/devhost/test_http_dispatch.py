import azure.functions as func
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from devhost.function_index import FunctionIndex, FunctionLoadError
from devhost.http_dispatch import build_router, dispatch


def serve(app: func.FunctionApp) -> TestClient:
    router = build_router(FunctionIndex.from_app(app))

    async def endpoint(request: Request):
        return await dispatch(router, request)

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    return TestClient(Starlette(routes=[Route("/api/{rest:path}", endpoint, methods=methods)]))


def sample_app() -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="echo/{id:int}", methods=["POST"])
    async def echo(req: func.HttpRequest) -> func.HttpResponse:
        headers = {"X-Seen-Id": req.route_params["id"], "X-Seen-Forwarded": req.headers.get("x-forwarded-for", "")}
        response = func.HttpResponse(req.get_body(), status_code=201, headers=headers, mimetype="application/json")
        response.headers.add("Set-Cookie", "a=1")
        response.headers.add("Set-Cookie", "b=2")
        return response

    @app.route(route="text", methods=["GET"])
    def text(req: func.HttpRequest) -> str:
        return "plain " + req.params.get("q", "")

    @app.route(route="nothing", methods=["GET"])
    async def nothing(req: func.HttpRequest) -> None:
        return None

    @app.route(route="ctx", methods=["GET"])
    async def with_context(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
        return func.HttpResponse(context.function_name)

    return app


def test_async_handlers_get_a_function_request_and_their_response_is_mapped_back():
    client = serve(sample_app())
    response = client.post("/api/echo/5", content=b'{"x":1}', headers={"X-Forwarded-For": "6.6.6.6"})
    assert response.status_code == 201
    assert response.content == b'{"x":1}'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-seen-id"] == "5"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    # the host appends the socket address it saw, as App Service's front end does
    assert response.headers["x-seen-forwarded"] == "6.6.6.6, testclient"


def test_sync_handlers_run_and_a_returned_str_is_text():
    response = serve(sample_app()).get("/api/text?q=hi")
    assert response.status_code == 200
    assert response.text == "plain hi"
    assert response.headers["content-type"].startswith("text/plain")


def test_returning_none_answers_204_and_context_is_passed_when_asked_for():
    client = serve(sample_app())
    assert client.get("/api/nothing").status_code == 204
    assert client.get("/api/ctx").text == "with_context"


def test_an_unknown_route_or_method_answers_404_as_on_azure():
    client = serve(sample_app())
    assert client.get("/api/nope").status_code == 404
    assert client.get("/api/echo/5").status_code == 404
    assert client.post("/api/echo/abc").status_code == 404


def test_a_parameter_that_is_not_a_binding_fails_to_load_like_the_worker():
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="bad")
    async def bad(req: func.HttpRequest, extra: str) -> func.HttpResponse:
        return func.HttpResponse("")

    with pytest.raises(FunctionLoadError, match="extra"):
        FunctionIndex.from_app(app)


def test_an_out_binding_without_func_out_annotation_fails_to_load():
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="enqueue")
    @app.service_bus_queue_output(arg_name="msg", queue_name="q", connection="ServiceBusConnection")
    async def enqueue(req: func.HttpRequest, msg: str) -> func.HttpResponse:
        return func.HttpResponse("")

    with pytest.raises(FunctionLoadError, match=r"func\.Out"):
        FunctionIndex.from_app(app)
