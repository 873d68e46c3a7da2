import json

import azure.functions as func
import pytest
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from devhost.function_index import FunctionIndex
from devhost.http_dispatch import build_router, dispatch
from shared import errors
from shared.http.endpoint import Call, Reply, endpoint


class ItemCreate(BaseModel):
    name: str = Field(min_length=1, max_length=20)
    qty: int = Field(ge=1)


class ItemQuery(BaseModel):
    tags: list[str] = []
    limit: int = Field(20, ge=1, le=100)


class ItemPublic(BaseModel):
    name: str
    qty: int


class ItemPath(BaseModel):
    item_id: str = Field(pattern=r"^[a-z0-9]{1,10}$")


def build() -> TestClient:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="items", methods=["POST"])
    @endpoint(summary="create", auth="none", body=ItemCreate, status=201)
    async def create_item(call: Call) -> dict:
        return {"name": call.body.name, "qty": call.body.qty}

    @app.route(route="jobs/{item_id}", methods=["POST"])
    @endpoint(summary="start a job", auth="none", path=ItemPath, response=ItemPublic,
              alternatives={202: "queued"}, errors=[409])
    async def start_job(call: Call) -> Reply:
        """Answers as its path asks, to show what the contract check makes of each answer."""
        wish = call.path.item_id
        if wish == "queued":
            return Reply({"name": "job", "qty": 1}, status=202)
        if wish == "created":
            return Reply({"name": "job", "qty": 1}, status=201)  # not declared
        if wish == "gone":
            raise errors.NotFound("No such job.")  # 404 is declared by the path parameter
        if wish == "teapot":
            raise errors.AppError("I'm a teapot.", code="teapot", status=418)  # not declared
        if wish == "wrongtype":
            return {"name": "job", "qty": "one"}
        if wish == "extra":
            return {"name": "job", "qty": 1, "secret": "leaks"}
        return {"name": "job", "qty": 1}

    @app.route(route="items", methods=["GET"])
    @endpoint(summary="list", auth="none", query=ItemQuery)
    async def list_items(call: Call) -> dict:
        return {"tags": call.query.tags, "limit": call.query.limit}

    @app.route(route="items/{item_id}", methods=["GET"])
    @endpoint(summary="get", auth="none", path=ItemPath)
    async def get_item(call: Call) -> dict:
        if call.path.item_id == "gone":
            raise errors.NotFound("No such item.", code="item_not_found")
        return {"id": call.path.item_id}

    @app.route(route="boom", methods=["GET"])
    @endpoint(summary="boom", auth="none")
    async def boom(call: Call) -> dict:
        raise RuntimeError("secret connection string Password=hunter2")

    @app.route(route="private", methods=["GET"])
    @endpoint(summary="private", auth="user")
    async def private(call: Call) -> dict:
        return {}

    router = build_router(FunctionIndex.from_app(app))

    async def serve(request: Request):
        return await dispatch(router, request)

    return TestClient(Starlette(routes=[Route("/api/{rest:path}", serve, methods=["GET", "POST"])]))


client = build()


def test_a_valid_body_gets_the_success_envelope_and_the_status_the_decorator_declares():
    response = client.post("/api/items", json={"name": "lamp", "qty": 2})
    assert response.status_code == 201
    assert response.json() == {"success": True, "data": {"name": "lamp", "qty": 2}}


def test_field_errors_come_back_as_422_with_every_field_named():
    response = client.post("/api/items", json={"name": "", "qty": 0, "extra": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "validation_error"
    assert {e["field"] for e in body["error"]["details"]} >= {"body.name", "body.qty"}


def test_malformed_json_is_a_400_with_a_stable_code():
    response = client.post("/api/items", content=b"{nope", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_a_body_that_is_not_an_object_is_refused_as_a_field_error():
    response = client.post("/api/items", json=[1, 2])
    assert response.status_code == 422


def test_a_non_json_content_type_is_refused_with_415():
    form = {"content-type": "application/x-www-form-urlencoded"}
    response = client.post("/api/items", content=b"name=x", headers=form)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_an_oversized_body_is_refused_with_413_before_parsing():
    response = client.post("/api/items", content=b"x" * (1024 * 1024 + 1), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_repeated_query_keys_reach_list_fields_and_ranges_are_checked():
    assert client.get("/api/items?tags=a&tags=b&limit=5").json()["data"] == {"tags": ["a", "b"], "limit": 5}
    response = client.get("/api/items?limit=1000")
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.limit"


def test_path_parameters_are_validated_and_domain_errors_keep_their_code():
    assert client.get("/api/items/abc").json()["data"] == {"id": "abc"}
    assert client.get("/api/items/ABC!").status_code == 422
    response = client.get("/api/items/gone")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "item_not_found"


def test_an_unexpected_exception_is_a_500_with_a_correlation_id_and_no_exception_text():
    response = client.get("/api/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["code"] == "internal_error"
    assert body["error"]["details"]["correlation_id"] == response.headers["x-correlation-id"]
    assert "hunter2" not in response.text and "RuntimeError" not in response.text


def test_cors_headers_only_for_configured_origins():
    allowed = client.get("/api/items", headers={"Origin": "http://localhost:3000"})
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    other = client.get("/api/items", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_a_route_for_signed_in_users_refuses_anonymous_callers_with_401():
    response = client.get("/api/private")
    assert response.status_code == 401
    assert json.loads(response.text)["error"]["code"] == "unauthorized"


@pytest.fixture
def validate_responses(monkeypatch):
    """Sets VALIDATE_RESPONSES for one test (settings are read once and cached)."""
    from shared.settings import get_settings

    def set_to(value: str) -> None:
        monkeypatch.setenv("VALIDATE_RESPONSES", value)
        get_settings.cache_clear()

    yield set_to
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_handler_picks_only_among_the_statuses_its_decorator_declares():
    assert client.post("/api/jobs/done").status_code == 200
    assert client.post("/api/jobs/queued").status_code == 202


@pytest.mark.breaks_the_contract
def test_a_status_the_decorator_does_not_declare_is_refused_whatever_the_setting():
    response = client.post("/api/jobs/created")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "response_contract_violation"


@pytest.mark.breaks_the_contract
@pytest.mark.parametrize("wish, problem", [
    ("wrongtype", "data.qty"),
    ("extra", "data.secret: not declared by ItemPublic"),
    ("teapot", "error status 418 is not declared"),
])
def test_with_validate_responses_on_an_answer_that_breaks_the_contract_is_a_500(validate_responses, wish, problem):
    validate_responses("true")
    response = client.post(f"/api/jobs/{wish}")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "response_contract_violation"
    assert any(problem in found for found in error["details"]["violations"]), error


def test_with_validate_responses_on_answers_that_keep_the_contract_go_out_unchanged(validate_responses):
    validate_responses("true")
    assert client.post("/api/jobs/done").json() == {"success": True, "data": {"name": "job", "qty": 1}}
    assert client.post("/api/jobs/gone").status_code == 404


def test_with_validate_responses_off_answers_are_not_checked(validate_responses):
    validate_responses("false")
    assert client.post("/api/jobs/extra").status_code == 200  # production pays for no validation
