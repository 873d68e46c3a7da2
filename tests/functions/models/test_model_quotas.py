"""Per-user quotas, configured through settings: models owned, active jobs, bytes of stored artifacts."""

import pytest

from tests.functions.models.helpers import create_model, regression_rows, submit
from tests.support.users import ok, signup

MODELS_ENV_OVERRIDES = {
    "MODELS_MAX_PER_USER": "2",
    "MODELS_MAX_ACTIVE_JOBS_PER_USER": "1",
    "MODELS_MAX_ARTIFACT_BYTES_PER_USER": "1000",  # less than one linear model's artifact
}


@pytest.fixture(scope="module")
def users(host):
    return signup(host), signup(host)


def refused(response, quota):
    body = response.json()["error"]
    return response.status_code == 403 and body["code"] == "quota_exceeded" and body["details"]["quota"] == quota


def test_a_user_may_own_only_so_many_models_until_one_is_deleted(host, api, users):
    user, _ = users
    first = create_model(api, user, "ridge")
    create_model(api, user, "ridge")
    assert refused(api.post("/api/models", json={"name": "third", "type": "ridge"}, headers=user.headers), "models")
    assert api.delete(f"/api/models/{first['id']}", headers=user.headers).status_code == 204
    create_model(api, user, "ridge", name="third")
    usage = ok(api.get("/api/models/usage", headers=user.headers))
    assert usage["models"] == {"used": 2, "limit": 2}


def test_a_user_may_have_only_so_many_active_jobs_and_artifact_bytes(host, api, users):
    _, user = users
    first = create_model(api, user, "linear_regression")
    second = create_model(api, user, "linear_regression")
    submit(api, user, first["id"], regression_rows(20), "y")
    response = api.post(f"/api/models/{second['id']}/train", json={"data": regression_rows(20), "target": "y"},
                        headers=user.headers)
    assert refused(response, "active_jobs")
    assert ok(api.get("/api/models/usage", headers=user.headers))["active_jobs"] == {"used": 1, "limit": 1}
    host.drain()

    usage = ok(api.get("/api/models/usage", headers=user.headers))
    assert usage["active_jobs"]["used"] == 0 and usage["artifact_bytes"]["used"] > 1000
    response = api.post(f"/api/models/{second['id']}/train", json={"data": regression_rows(20), "target": "y"},
                        headers=user.headers)
    assert refused(response, "artifact_bytes")

    assert api.delete(f"/api/models/{first['id']}", headers=user.headers).status_code == 204
    host.drain()  # the cleanup job deletes the artifacts and gives the bytes back
    assert ok(api.get("/api/models/usage", headers=user.headers))["artifact_bytes"]["used"] == 0
    submit(api, user, second["id"], regression_rows(20), "y")
    host.drain()
