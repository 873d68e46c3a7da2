"""Creating, reading, listing, editing and deleting models: validation, names, filters, pages, ETags."""

import pytest

from tests.functions.models.helpers import create_model, regression_rows, trained_model
from tests.support.users import ok, signup


@pytest.fixture(scope="module")
def owner(host):
    return signup(host)


@pytest.fixture(scope="module")
def other(host):
    return signup(host)


def error(response):
    return response.status_code, response.json()["error"]["code"]


def test_create_answers_201_with_location_and_etag(api, owner):
    response = api.post("/api/models", json={"name": "Churn", "type": "logistic_regression", "params": {"C": 2}},
                        headers=owner.headers)
    assert response.status_code == 201
    model = response.json()["data"]
    assert response.headers["Location"] == f"/api/models/{model['id']}"
    assert response.headers["ETag"].startswith('"')
    assert model["owner_id"] == owner.id and model["your_role"] == "owner"
    assert model["params"]["C"] == 2.0 and model["params"]["max_iter"] == 100


def test_create_refuses_unknown_types_parameters_and_bad_names(api, owner):
    assert error(api.post("/api/models", json={"name": "x", "type": "nope"}, headers=owner.headers)) == \
        (422, "unknown_model_type")
    response = api.post("/api/models", json={"name": "x", "type": "ridge", "params": {"n_jobs": -1, "alpha": -2}},
                        headers=owner.headers)
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["error"]["details"]} == {"body.params.n_jobs", "body.params.alpha"}
    for name in ["../escaped", "", "a" * 81, "km\nextra"]:
        assert error(api.post("/api/models", json={"name": name, "type": "ridge"}, headers=owner.headers)) == \
            (422, "validation_error")
    assert error(api.post("/api/models", json={"name": "ok", "type": "ridge", "owner_id": "someone"},
                          headers=owner.headers)) == (422, "validation_error")


def test_names_are_unique_per_owner_ignoring_case_and_freed_by_delete(api, owner, other):
    model = create_model(api, owner, "ridge", name="Forecast 1")
    assert error(api.post("/api/models", json={"name": "forecast 1", "type": "ridge"}, headers=owner.headers)) == \
        (409, "model_name_taken")
    create_model(api, other, "ridge", name="Forecast 1")  # another owner may use the same name
    assert api.delete(f"/api/models/{model['id']}", headers=owner.headers).status_code == 204
    create_model(api, owner, "ridge", name="FORECAST 1")


def test_requests_without_a_token_are_unauthorized(api):
    assert error(api.get("/api/models")) == (401, "unauthorized")
    assert error(api.post("/api/models", json={"name": "x", "type": "ridge"})) == (401, "unauthorized")


def test_patch_changes_only_the_fields_sent(api, owner):
    model = create_model(api, owner, "ridge", {"alpha": 3}, description="Keep me", tags=["one"])
    updated = ok(api.patch(f"/api/models/{model['id']}", json={"tags": ["two", "Three"]}, headers=owner.headers))
    assert updated["tags"] == ["three", "two"]
    assert updated["description"] == "Keep me" and updated["params"]["alpha"] == 3.0
    assert updated["updated_at"] >= model["updated_at"]
    renamed = ok(api.patch(f"/api/models/{model['id']}", json={"name": "Renamed", "params": {"alpha": 0.1}},
                           headers=owner.headers))
    assert renamed["name"] == "Renamed" and renamed["params"] == {"alpha": 0.1, "fit_intercept": True,
                                                                  "solver": "auto"}
    assert error(api.patch(f"/api/models/{model['id']}", json={"description": None}, headers=owner.headers)) == \
        (422, "validation_error")
    assert error(api.patch(f"/api/models/{model['id']}", json={"params": {"alpha": "lots"}},
                           headers=owner.headers)) == (422, "validation_error")


def test_patch_with_a_stale_etag_is_refused(api, owner):
    model = create_model(api, owner, "ridge")
    etag = api.get(f"/api/models/{model['id']}", headers=owner.headers).headers["ETag"]
    fresh = api.patch(f"/api/models/{model['id']}", json={"description": "first"},
                      headers={**owner.headers, "If-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != etag
    stale = api.patch(f"/api/models/{model['id']}", json={"description": "second"},
                      headers={**owner.headers, "If-Match": etag})
    assert error(stale) == (412, "model_changed")
    assert ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))["description"] == "first"
    assert error(api.delete(f"/api/models/{model['id']}", headers={**owner.headers, "If-Match": etag})) == \
        (412, "model_changed")


def test_renaming_to_a_name_in_use_is_refused_and_the_old_name_is_freed(api, owner):
    first = create_model(api, owner, "ridge", name="Alpha model")
    second = create_model(api, owner, "ridge", name="Beta model")
    assert error(api.patch(f"/api/models/{second['id']}", json={"name": "alpha MODEL"}, headers=owner.headers)) == \
        (409, "model_name_taken")
    ok(api.patch(f"/api/models/{first['id']}", json={"name": "Gamma model"}, headers=owner.headers))
    ok(api.patch(f"/api/models/{second['id']}", json={"name": "Alpha model"}, headers=owner.headers))


def test_the_list_filters_by_type_tag_status_and_words_and_pages_with_a_cursor(host, api):
    user = signup(host)
    ridge = create_model(api, user, "ridge", name="Sales forecast", tags=["retail"], description="Weekly sales")
    forest = create_model(api, user, "random_forest_regressor", name="Stock levels", tags=["retail", "ops"])
    trained, _ = trained_model(host, user, "linear_regression", regression_rows(20), "y")

    def names(**params):
        return [m["name"] for m in ok(api.get("/api/models", params=params, headers=user.headers))["items"]]

    assert names(type="ridge") == ["Sales forecast"]
    assert names(tag="retail") == ["Stock levels", "Sales forecast"]
    assert names(tag="ops", type="ridge") == []
    assert names(status="ready") == [trained["name"]]
    assert names(q="forec") == names(q="weekly SALES") == ["Sales forecast"]
    assert names(q="levels stock") == ["Stock levels"]

    page = ok(api.get("/api/models", params={"limit": 2}, headers=user.headers))
    rest = ok(api.get("/api/models", params={"limit": 2, "cursor": page["next_cursor"]}, headers=user.headers))
    assert [m["id"] for m in page["items"] + rest["items"]] == [trained["id"], forest["id"], ridge["id"]]
    assert rest["next_cursor"] is None
    assert error(api.get("/api/models", params={"cursor": "garbage"}, headers=user.headers)) == \
        (400, "invalid_cursor")
    assert error(api.get("/api/models", params={"limit": 1000}, headers=user.headers)) == (422, "validation_error")


def test_deleted_models_disappear_from_reads_and_lists(api, owner):
    model = create_model(api, owner, "ridge")
    assert api.delete(f"/api/models/{model['id']}", headers=owner.headers).status_code == 204
    assert error(api.get(f"/api/models/{model['id']}", headers=owner.headers)) == (404, "model_not_found")
    assert error(api.delete(f"/api/models/{model['id']}", headers=owner.headers)) == (404, "model_not_found")
    listed = ok(api.get("/api/models", params={"limit": 100}, headers=owner.headers))["items"]
    assert model["id"] not in {m["id"] for m in listed}


def test_deleting_a_model_cancels_its_queued_job(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    job = ok(api.post(f"/api/models/{model['id']}/train", json={"data": regression_rows(20), "target": "y"},
                      headers=owner.headers), 202)["job"]
    assert api.delete(f"/api/models/{model['id']}", headers=owner.headers).status_code == 204
    host.drain()
    assert api.get(f"/api/jobs/{job['id']}", headers=owner.headers).status_code == 404
    state = host.run(lambda: _job_state(job["id"]))
    assert state in ("cancelled", None)  # cancelled, then removed with the model by the cleanup job


async def _job_state(job_id):
    from shared.domain.models import store
    from shared.errors import NotFound

    try:
        return (await store.read_job_doc(job_id))["state"]
    except NotFound:
        return None
