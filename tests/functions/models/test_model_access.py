"""Who may do what. A stranger gets 404 on every route (a model's existence is private); a viewer reads and
predicts; a trainer also trains; only the owner (or an admin) edits, deletes, shares; only the owner downloads."""

import pytest

from tests.functions.models.helpers import classification_rows, trained_model
from tests.support.users import ok, signup

ROWS = classification_rows(40)
TRAIN = {"data": ROWS, "target": "label"}


@pytest.fixture(scope="module")
def people(host):
    return {name: signup(host, admin=name == "admin") for name in ("owner", "stranger", "viewer", "trainer",
                                                                    "admin")}


@pytest.fixture(scope="module")
def shared_model(host, people):
    owner = people["owner"]
    model, job = trained_model(host, owner, "sgd_classifier", ROWS, "label", {"random_state": 1})
    for name, role in (("viewer", "viewer"), ("trainer", "trainer")):
        ok(host.api.put(f"/api/models/{model['id']}/grants/{people[name].id}", json={"role": role},
                        headers=owner.headers))
    predict_job = ok(host.api.post(f"/api/models/{model['id']}/predict-jobs", json={"data": ROWS[:5]},
                                   headers=owner.headers), 202)["job"]
    host.drain()
    return {"model": model["id"], "job": job["id"], "predict_job": predict_job["id"]}


def routes(ids):
    m, j, p = ids["model"], ids["job"], ids["predict_job"]
    return {
        "get model": ("GET", f"/api/models/{m}", None),
        "patch model": ("PATCH", f"/api/models/{m}", {"description": "mine now"}),
        "delete model": ("DELETE", f"/api/models/{m}", None),
        "train": ("POST", f"/api/models/{m}/train", TRAIN),
        "update": ("POST", f"/api/models/{m}/update", TRAIN),
        "upload": ("POST", f"/api/models/{m}/uploads", {"format": "csv"}),
        "list jobs": ("GET", f"/api/models/{m}/jobs", None),
        "get job": ("GET", f"/api/jobs/{j}", None),
        "cancel job": ("POST", f"/api/jobs/{j}/cancel", None),
        "retry job": ("POST", f"/api/jobs/{j}/retry", None),
        "get predict job": ("GET", f"/api/jobs/{p}", None),
        "predict job result": ("GET", f"/api/jobs/{p}/result", None),
        "list versions": ("GET", f"/api/models/{m}/versions", None),
        "get version": ("GET", f"/api/models/{m}/versions/1", None),
        "promote": ("POST", f"/api/models/{m}/versions/1/promote", None),
        "rollback": ("POST", f"/api/models/{m}/rollback", None),
        "artifact": ("GET", f"/api/models/{m}/versions/1/artifact", None),
        "predict": ("POST", f"/api/models/{m}/predict", {"data": ROWS[:2]}),
        "predict jobs": ("POST", f"/api/models/{m}/predict-jobs", {"data": ROWS[:2]}),
        "list grants": ("GET", f"/api/models/{m}/grants", None),
        "put grant": ("PUT", f"/api/models/{m}/grants/{ids['stranger']}", {"role": "viewer"}),
        "delete grant": ("DELETE", f"/api/models/{m}/grants/{ids['viewer']}", None),
    }


def call(api, user, method, path, body):
    return api.request(method, path, json=body, headers=user.headers if user else {})


@pytest.fixture(scope="module")
def table(shared_model, people):
    return routes({**shared_model, "stranger": people["stranger"].id, "viewer": people["viewer"].id})


def test_a_stranger_is_told_nothing_exists_on_every_route(api, people, table):
    for name, (method, path, body) in table.items():
        response = call(api, people["stranger"], method, path, body)
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] in ("model_not_found", "job_not_found"), name


def test_without_a_token_every_route_is_unauthorized(api, table):
    for name, (method, path, body) in table.items():
        assert call(api, None, method, path, body).status_code == 401, name


def test_a_viewer_reads_and_predicts_but_changes_nothing(host, api, people, table):
    viewer = people["viewer"]
    allowed = {"get model", "list jobs", "get job", "list versions", "get version", "predict"}
    for name in allowed:
        method, path, body = table[name]
        assert call(api, viewer, method, path, body).status_code == 200, name
    for name in ("patch model", "delete model", "train", "update", "upload", "cancel job", "retry job",
                 "promote", "rollback", "artifact", "list grants", "put grant", "delete grant"):
        method, path, body = table[name]
        response = call(api, viewer, method, path, body)
        assert (response.status_code, response.json()["error"]["code"]) == (403, "model_forbidden"), name
    # The owner's batch prediction carries the owner's data: a viewer cannot see it, or find it in the list.
    for name in ("get predict job", "predict job result"):
        method, path, body = table[name]
        assert call(api, viewer, method, path, body).status_code == 404, name
    listed = ok(api.get(table["list jobs"][1], headers=viewer.headers))["items"]
    assert {j["kind"] for j in listed} == {"train"}
    assert ok(api.get(table["get model"][1], headers=viewer.headers))["your_role"] == "viewer"


def test_a_viewers_own_batch_prediction_is_theirs_and_the_owners_only(host, api, people, table):
    viewer, trainer, owner = people["viewer"], people["trainer"], people["owner"]
    job = ok(call(api, viewer, *table["predict jobs"]), 202)["job"]
    host.drain()
    assert ok(api.get(f"/api/jobs/{job['id']}", headers=viewer.headers))["state"] == "succeeded"
    assert ok(api.get(f"/api/jobs/{job['id']}/result", headers=viewer.headers))["url"]
    assert ok(api.get(f"/api/jobs/{job['id']}", headers=owner.headers))["created_by"] == viewer.id
    assert api.get(f"/api/jobs/{job['id']}", headers=trainer.headers).status_code == 404


def test_a_trainer_trains_but_does_not_edit_share_or_download(host, api, people, table):
    trainer = people["trainer"]
    response = call(api, trainer, *table["train"])
    assert response.status_code == 202
    host.drain()
    assert ok(api.get(response.headers["Location"], headers=trainer.headers))["state"] == "succeeded"
    for name in ("patch model", "delete model", "promote", "rollback", "artifact", "list grants", "put grant"):
        response = call(api, trainer, *table[name])
        assert response.status_code == 403, name
    listed = ok(api.get("/api/models", params={"scope": "shared"}, headers=trainer.headers))["items"]
    assert [m["your_role"] for m in listed] == ["trainer"]


def test_an_admin_may_read_and_edit_but_not_download_someone_elses_artifact(api, people, table):
    admin = people["admin"]
    assert ok(call(api, admin, *table["get model"]))["your_role"] == "admin"
    assert call(api, admin, *table["patch model"]).status_code == 200
    assert call(api, admin, *table["artifact"]).status_code == 403
    everything = ok(api.get("/api/models", params={"scope": "all", "limit": 100}, headers=admin.headers))["items"]
    assert table["get model"][1].rsplit("/", 1)[1] in {m["id"] for m in everything}
    refused = api.get("/api/models", params={"scope": "all"}, headers=people["viewer"].headers)
    assert refused.status_code == 403


def test_grants_name_existing_users_other_than_the_owner(api, people, table):
    owner = people["owner"]
    model_path = table["get model"][1]
    unknown = api.put(f"{model_path}/grants/nobody123", json={"role": "viewer"}, headers=owner.headers)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "user_not_found")
    to_self = api.put(f"{model_path}/grants/{owner.id}", json={"role": "viewer"}, headers=owner.headers)
    assert (to_self.status_code, to_self.json()["error"]["code"]) == (422, "grant_to_owner")
    grants = ok(api.get(f"{model_path}/grants", headers=owner.headers))["items"]
    assert {(g["user_id"], g["role"]) for g in grants} == {(people["viewer"].id, "viewer"),
                                                          (people["trainer"].id, "trainer")}


def test_revoking_a_grant_hides_the_model_again(host, api):
    owner, friend = signup(host), signup(host)
    model, _ = trained_model(host, owner, "linear_regression", [{"x": i, "y": 2 * i} for i in range(10)], "y")
    path = f"/api/models/{model['id']}"
    ok(api.put(f"{path}/grants/{friend.id}", json={"role": "viewer"}, headers=owner.headers))
    assert api.get(path, headers=friend.headers).status_code == 200
    assert api.delete(f"{path}/grants/{friend.id}", headers=owner.headers).status_code == 204
    assert api.get(path, headers=friend.headers).status_code == 404
    again = api.delete(f"{path}/grants/{friend.id}", headers=owner.headers)
    assert (again.status_code, again.json()["error"]["code"]) == (404, "grant_not_found")


def test_the_owner_may_do_everything_listed(host, api, people, table):
    owner = people["owner"]
    for name in ("get model", "list jobs", "get job", "get predict job", "predict job result", "list versions",
                 "get version", "promote", "artifact", "predict", "list grants"):
        assert call(api, owner, *table[name]).status_code == 200, name
