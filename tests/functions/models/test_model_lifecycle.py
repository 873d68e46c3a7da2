"""The whole life of a model through the HTTP API and the dev host's queue: create, train in the background,
watch progress, read versions, predict, retrain, promote and roll back, download, update in place, delete."""

import hashlib

import httpx
import pytest

from tests.functions.models.helpers import (
    classification_rows,
    create_model,
    get_job,
    matrix,
    regression_rows,
    submit,
    trained_model,
)
from tests.support.users import ok, signup


@pytest.fixture(scope="module")
def owner(host):
    return signup(host)


def test_the_type_catalogue_is_public_and_describes_parameters(api):
    types = ok(api.get("/api/models/types"))["items"]
    forest = next(t for t in types if t["key"] == "random_forest_classifier")
    assert forest["parameters"]["properties"]["n_estimators"]["maximum"] == 500
    assert forest["capabilities"]["predict_proba"] is True
    assert ok(api.get("/api/models/types/kmeans"))["requires_target"] is False
    missing = api.get("/api/models/types/pickle")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_type_not_found"


def test_a_model_is_created_trained_versioned_used_and_deleted(host, api, owner):
    model = create_model(api, owner, "ridge", {"alpha": 0.5}, description="House prices", tags=["Demo"])
    assert model["status"] == "new" and model["current_version"] is None
    assert model["params"] == {"alpha": 0.5, "fit_intercept": True, "solver": "auto"}
    assert model["tags"] == ["demo"]

    untrained = api.post(f"/api/models/{model['id']}/predict", json={"data": [{"a": 1, "b": 2, "c": 3}]},
                         headers=owner.headers)
    assert untrained.status_code == 409 and untrained.json()["error"]["code"] == "model_not_trained"

    rows = regression_rows(60)
    response = api.post(f"/api/models/{model['id']}/train", json={"data": rows, "target": "y"},
                        headers=owner.headers)
    assert response.status_code == 202
    job = response.json()["data"]["job"]
    assert response.headers["Location"] == f"/api/jobs/{job['id']}" == job["links"]["self"]
    assert job["state"] == "queued" and job["rows"] == 60
    assert ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))["status"] == "training"

    host.drain()
    job = get_job(api, owner, job["id"])
    assert job["state"] == "succeeded" and job["progress"] == 1.0 and job["result_version"] == 1
    assert job["attempts"] == 1 and job["error"] is None and job["started_at"] and job["finished_at"]

    progress = [e["data"] for e in host.events(group=f"user_{owner.id}", type="model_job_progress")
                if e["data"]["job_id"] == job["id"]]
    assert [p["stage"] for p in progress][:2] == ["queued", "starting"]
    assert {"loading_data", "training", "saving"} <= {p["stage"] for p in progress}
    finished = [e["data"] for e in host.events(group=f"user_{owner.id}", type="model_job_finished")
                if e["data"]["job_id"] == job["id"]]
    assert finished == [{**finished[0], "state": "succeeded", "result_version": 1}]

    model = ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))
    assert (model["status"], model["current_version"], model["active_job_id"]) == ("ready", 1, None)

    version = ok(api.get(f"/api/models/{model['id']}/versions/1", headers=owner.headers))
    assert version["features"] == ["a", "b", "c"] and version["target"] == "y"
    assert version["split"] == {"test_size": 0.2, "split_seed": 0, "train_rows": 48, "test_rows": 12,
                                "evaluated_on": "test"}
    assert version["metrics"]["r2"] > 0.95
    assert version["data"]["rows"] == 60 and len(version["data"]["sha256"]) == 64
    assert version["artifact"]["format"] == "skops"
    assert set(version["artifact"]["library_versions"]) == {"python", "scikit-learn", "numpy", "skops"}
    assert version["is_current"] is True

    prediction = ok(api.post(f"/api/models/{model['id']}/predict", json={"data": rows[:3]}, headers=owner.headers))
    assert prediction["version"] == 1 and len(prediction["predictions"]) == 3

    # A second training job writes version 2 and makes it current; rollback returns to 1, promote to 2 again.
    second = submit(api, owner, model["id"], regression_rows(60, seed=5), "y", test_size=0)
    host.drain()
    assert get_job(api, owner, second["id"])["result_version"] == 2
    listed = ok(api.get(f"/api/models/{model['id']}/versions", headers=owner.headers))["items"]
    assert [v["number"] for v in listed] == [2, 1] and listed[0]["is_current"]
    assert ok(api.post(f"/api/models/{model['id']}/rollback", headers=owner.headers))["current_version"] == 1
    assert ok(api.post(f"/api/models/{model['id']}/predict", json={"data": rows[:1]},
                       headers=owner.headers))["version"] == 1
    assert ok(api.post(f"/api/models/{model['id']}/versions/2/promote",
                       headers=owner.headers))["current_version"] == 2
    pinned = ok(api.post(f"/api/models/{model['id']}/predict", json={"data": rows[:1], "version": 1},
                         headers=owner.headers))
    assert pinned["version"] == 1

    # The artifact downloads through a short-lived signed URL, and its bytes hash to the recorded sha256.
    download = ok(api.get(f"/api/models/{model['id']}/versions/1/artifact", headers=owner.headers))
    artifact = httpx.get(download["url"])
    assert artifact.status_code == 200
    assert hashlib.sha256(artifact.content).hexdigest() == download["artifact"]["sha256"] == \
        version["artifact"]["sha256"]
    manifest = httpx.get(download["manifest_url"]).json()
    assert manifest["artifact"]["sha256"] == version["artifact"]["sha256"] and manifest["params"]["alpha"] == 0.5

    jobs = ok(api.get(f"/api/models/{model['id']}/jobs", headers=owner.headers))["items"]
    assert [j["id"] for j in jobs] == [second["id"], job["id"]]

    # Delete: 204, then the model is gone for its owner, and the cleanup job removes versions and files.
    assert api.delete(f"/api/models/{model['id']}", headers=owner.headers).status_code == 204
    assert api.get(f"/api/models/{model['id']}", headers=owner.headers).status_code == 404
    host.drain()
    assert httpx.get(download["url"]).status_code == 404
    leftovers = host.run(lambda: _stored(model["id"]))
    assert leftovers == {"versions": 0, "jobs": 0, "artifacts": 0, "model": False}


async def _stored(model_id):
    from shared import wiring
    from shared.domain.models import store
    from shared.errors import NotFound
    from shared.ports import Where

    documents = wiring.documents()
    try:
        await documents.read(store.MODELS, model_id, model_id)
        model = True
    except NotFound:
        model = False
    return {"versions": await documents.count(store.VERSIONS, pk=model_id),
            "jobs": await documents.count(store.JOBS, [Where("model_id", "=", model_id)]),
            "artifacts": len(await wiring.blobs().list(store.ARTIFACTS_CONTAINER, f"{model_id}/")),
            "model": model}


def test_partial_fit_types_update_the_current_version_in_place(host, api, owner):
    rows = classification_rows(120)
    model, _ = trained_model(host, owner, "sgd_classifier", rows[:60], "label", {"random_state": 3})
    job = submit(api, owner, model["id"], rows[60:], "label", kind="update")
    host.drain()
    job = get_job(api, owner, job["id"])
    assert job["state"] == "succeeded" and job["result_version"] == 2
    version = ok(api.get(f"/api/models/{model['id']}/versions/2", headers=owner.headers))
    assert version["kind"] == "update" and version["parent_version"] == 1

    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import train_test_split

    x, y = matrix(rows, ["f1", "f2"]), [r["label"] for r in rows]
    params = {"loss": "log_loss", "penalty": "l2", "alpha": 0.0001, "max_iter": 1000, "random_state": 3}
    first_x, _, first_y, _ = train_test_split(x[:60], y[:60], test_size=0.2, random_state=0)
    second_x, _, second_y, _ = train_test_split(x[60:], y[60:], test_size=0.2, random_state=0)
    expected = SGDClassifier(**params).fit(first_x, first_y).partial_fit(second_x, second_y).predict(x)
    got = ok(api.post(f"/api/models/{model['id']}/predict", json={"data": rows[:40]}, headers=owner.headers))
    assert got["predictions"] == expected[:40].tolist()


def test_types_without_partial_fit_refuse_an_update(host, api, owner):
    model, _ = trained_model(host, owner, "linear_regression", regression_rows(30), "y")
    response = api.post(f"/api/models/{model['id']}/update", json={"data": regression_rows(30), "target": "y"},
                        headers=owner.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "update_not_supported"


def test_an_update_before_any_version_is_refused(host, api, owner):
    model = create_model(api, owner, "sgd_regressor")
    response = api.post(f"/api/models/{model['id']}/update", json={"data": regression_rows(30), "target": "y"},
                        headers=owner.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "model_not_trained"


def test_training_data_can_be_uploaded_as_csv_through_a_signed_url(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    upload = ok(api.post(f"/api/models/{model['id']}/uploads", json={"format": "csv"}, headers=owner.headers), 201)
    rows = regression_rows(50)
    csv_text = "a,b,c,y\n" + "".join(f"{r['a']},{r['b']},{r['c']},{r['y']}\n" for r in rows)
    target = upload["upload"]
    put = httpx.request(target["method"], target["url"], content=csv_text.encode(), headers=target["headers"])
    assert put.status_code in (200, 201)
    job = ok(api.post(f"/api/models/{model['id']}/train", json={"upload_id": upload["upload_id"], "target": "y"},
                      headers=owner.headers), 202)["job"]
    host.drain()
    job = get_job(api, owner, job["id"])
    assert job["state"] == "succeeded" and job["rows"] == 50, job
    version = ok(api.get(f"/api/models/{model['id']}/versions/1", headers=owner.headers))
    assert version["data"]["source"] == "upload" and version["data"]["rows"] == 50
    assert version["data"]["sha256"] == hashlib.sha256(csv_text.encode()).hexdigest()


def test_training_on_an_upload_that_was_never_sent_is_refused(api, owner):
    model = create_model(api, owner, "linear_regression")
    upload = ok(api.post(f"/api/models/{model['id']}/uploads", json={"format": "jsonl"}, headers=owner.headers),
                201)
    response = api.post(f"/api/models/{model['id']}/train", json={"upload_id": upload["upload_id"], "target": "y"},
                        headers=owner.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "upload_incomplete"


def test_an_uploaded_file_that_cannot_be_used_fails_its_job_once_with_the_reason(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    upload = ok(api.post(f"/api/models/{model['id']}/uploads", json={"format": "csv"}, headers=owner.headers), 201)
    target = upload["upload"]
    httpx.request(target["method"], target["url"], content=b"a,y\n1,2\nnot-a-number,3\n", headers=target["headers"])
    job = ok(api.post(f"/api/models/{model['id']}/train", json={"upload_id": upload["upload_id"], "target": "y"},
                      headers=owner.headers), 202)["job"]
    host.drain()
    job = get_job(api, owner, job["id"])
    assert job["state"] == "failed" and job["attempts"] == 1 and not job["dead_lettered"]
    assert job["error"]["code"] == "non_numeric_feature" and job["error"]["details"] == {"row": 1, "column": "a"}
    model = ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))
    assert model["status"] == "failed" and model["last_error"]["code"] == "non_numeric_feature"
    assert model["active_job_id"] is None


def test_batch_predictions_run_in_the_background_and_are_read_through_a_signed_url(host, api, owner):
    rows = classification_rows(80)
    model, _ = trained_model(host, owner, "logistic_regression", rows, "label")
    job = ok(api.post(f"/api/models/{model['id']}/predict-jobs", json={"data": rows, "probabilities": True},
                      headers=owner.headers), 202)["job"]
    assert job["kind"] == "predict" and job["links"]["result"] == f"/api/jobs/{job['id']}/result"
    early = api.get(f"/api/jobs/{job['id']}/result", headers=owner.headers)
    assert early.status_code == 409 and early.json()["error"]["code"] == "job_not_succeeded"
    host.drain()
    assert get_job(api, owner, job["id"])["state"] == "succeeded"
    result = httpx.get(ok(api.get(f"/api/jobs/{job['id']}/result", headers=owner.headers))["url"]).json()
    direct = ok(api.post(f"/api/models/{model['id']}/predict", json={"data": rows[:40], "probabilities": True},
                         headers=owner.headers))
    assert result["rows"] == 80 and result["predictions"][:40] == direct["predictions"]
    assert result["classes"] == direct["classes"] and result["probabilities"][:40] == direct["probabilities"]
