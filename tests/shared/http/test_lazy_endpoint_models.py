"""An endpoint whose models are ModelRefs imports them on its first request and then behaves as with classes."""

import sys

import azure.functions as func
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from devhost.function_index import FunctionIndex
from devhost.http_dispatch import build_router, dispatch
from shared.http.endpoint import Call, endpoint
from shared.http.openapi import build_openapi
from shared.lazy import lazy_models

SAMPLE = "tests.shared.http.lazy_endpoint_sample"


def build():
    sys.modules.pop(SAMPLE, None)
    models = lazy_models(SAMPLE)
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="notes/{note_id}", methods=["PUT"])
    @endpoint(summary="put a note", auth="none", path=models.NotePath, query=models.NoteQuery, body=models.NoteBody,
              response=models.NotePublic, status=201)
    async def put_note(call: Call):
        return models.NotePublic(id=call.path.note_id, text=call.body.text * call.query.times)

    index = FunctionIndex.from_app(app)
    router = build_router(index)

    async def serve(request: Request):
        return await dispatch(router, request)

    client = TestClient(Starlette(routes=[Route("/api/{rest:path}", serve, methods=["PUT"])]))
    return app, index.http[0].user_function.endpoint_spec, client


def test_models_named_by_ref_are_imported_on_the_first_request_and_parse_as_classes():
    _app, spec, client = build()
    assert SAMPLE not in sys.modules
    response = client.put("/api/notes/n1?times=2", json={"text": "ab"})
    assert SAMPLE in sys.modules
    assert response.status_code == 201
    assert response.json() == {"success": True, "data": {"id": "n1", "text": "abab"}}
    for url, body, field in [("/api/notes/N!", {"text": "a"}, "path.note_id"),
                             ("/api/notes/n1?times=9", {"text": "a"}, "query.times"),
                             ("/api/notes/n1", {"text": ""}, "body.text")]:
        bad = client.put(url, json=body)
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["error"]["details"]] == [field]
    assert spec.body is sys.modules[SAMPLE].NoteBody


def test_the_openapi_document_resolves_refs_that_no_request_has_used_yet():
    app, _spec, _client = build()
    document = build_openapi([app])
    operation = document["paths"]["/api/notes/{note_id}"]["put"]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/NoteBody"}
    assert {"NoteBody", "NotePublic"} <= set(document["components"]["schemas"])
    assert [p["name"] for p in operation["parameters"]] == ["note_id", "times"]
