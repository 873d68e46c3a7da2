"""Predictions through the API equal scikit-learn's own on the same data and parameters; input is checked
against the version's schema; a tampered artifact is never loaded."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from tests.functions.models.helpers import classification_rows, cluster_rows, matrix, regression_rows, trained_model
from tests.support.users import ok, signup


@pytest.fixture(scope="module")
def owner(host):
    return signup(host)


def predict(api, user, model_id, rows, **extra):
    return ok(api.post(f"/api/models/{model_id}/predict", json={"data": rows, **extra}, headers=user.headers))


def test_random_forest_classes_and_probabilities_equal_scikit_learns(host, api, owner):
    rows = classification_rows(90)
    params = {"n_estimators": 25, "max_depth": 4, "random_state": 7}
    model, _ = trained_model(host, owner, "random_forest_classifier", rows, "label", params)

    x, y = matrix(rows, ["f1", "f2"]), np.asarray([r["label"] for r in rows])
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.2, random_state=0)
    expected = RandomForestClassifier(**params).fit(x_train, y_train)
    got = predict(api, owner, model["id"], rows[:30], probabilities=True)
    assert got["predictions"] == expected.predict(x[:30]).tolist()
    assert got["classes"] == expected.classes_.tolist() == ["eggs", "ham", "spam"]
    assert got["probabilities"] == expected.predict_proba(x[:30]).tolist()


def test_gradient_boosting_regression_equals_scikit_learns_when_trained_on_every_row(host, api, owner):
    rows = regression_rows(70)
    params = {"n_estimators": 30, "learning_rate": 0.2, "max_depth": 2, "random_state": 1}
    model, _ = trained_model(host, owner, "gradient_boosting_regressor", rows, "y", params, test_size=0)
    x, y = matrix(rows, ["a", "b", "c"]), np.asarray([r["y"] for r in rows])
    expected = GradientBoostingRegressor(**params).fit(x, y).predict(x[:25])
    assert predict(api, owner, model["id"], rows[:25])["predictions"] == expected.tolist()


def test_chosen_features_and_the_split_seed_are_honoured(host, api, owner):
    rows = classification_rows(80)
    model, _ = trained_model(host, owner, "logistic_regression", rows, "label", {"C": 0.5},
                             features=["f2"], split_seed=11, test_size=0.25)
    x, y = matrix(rows, ["f2"]), [r["label"] for r in rows]
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.25, random_state=11)
    expected = LogisticRegression(C=0.5).fit(x_train, y_train).predict(x[:20])
    got = predict(api, owner, model["id"], [{"f2": r["f2"]} for r in rows[:20]])
    assert got["predictions"] == expected.tolist()


def test_kmeans_clusters_equal_scikit_learns_and_a_seed_is_recorded_when_none_is_given(host, api, owner):
    rows = cluster_rows()
    model, _ = trained_model(host, owner, "kmeans", rows, None, {"n_clusters": 3, "n_init": 4}, test_size=0)
    version = ok(api.get(f"/api/models/{model['id']}/versions/1", headers=owner.headers))
    seed = version["params"]["random_state"]
    assert isinstance(seed, int)  # chosen by the worker, so the version can be rebuilt exactly
    x = matrix(rows, ["u", "v"])
    expected = KMeans(n_clusters=3, n_init=4, max_iter=300, random_state=seed).fit(x).predict(x)
    assert predict(api, owner, model["id"], rows[:40])["predictions"] == expected[:40].tolist()
    assert version["metrics"]["n_clusters"] == 3


def test_input_is_checked_against_the_versions_schema(host, api, owner):
    model, _ = trained_model(host, owner, "linear_regression", regression_rows(30), "y")
    cases = {
        "missing_columns": [{"a": 1, "b": 2}],
        "unknown_columns": [{"a": 1, "b": 2, "c": 3, "d": 4}],
        "non_numeric_feature": [{"a": 1, "b": "two", "c": 3}],
        "missing_value": [{"a": 1, "b": None, "c": 3}],
    }
    for code, rows in cases.items():
        response = api.post(f"/api/models/{model['id']}/predict", json={"data": rows}, headers=owner.headers)
        assert (response.status_code, response.json()["error"]["code"]) == (422, code)
    assert predict(api, owner, model["id"], [{"a": 1, "b": 2, "c": 3, "y": 99}])["version"] == 1


def test_the_synchronous_path_has_a_row_cap(host, api, owner):
    model, _ = trained_model(host, owner, "linear_regression", regression_rows(30), "y")
    response = api.post(f"/api/models/{model['id']}/predict", json={"data": regression_rows(41)},
                        headers=owner.headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "too_many_rows"
    assert response.json()["error"]["details"] == {"limit": 40}


def test_probabilities_are_refused_for_models_that_have_none(host, api, owner):
    model, _ = trained_model(host, owner, "ridge", regression_rows(30), "y")
    response = api.post(f"/api/models/{model['id']}/predict", json={"data": regression_rows(2),
                                                                      "probabilities": True}, headers=owner.headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "probabilities_not_supported"


def test_an_unknown_version_is_not_found(host, api, owner):
    model, _ = trained_model(host, owner, "ridge", regression_rows(30), "y")
    response = api.post(f"/api/models/{model['id']}/predict", json={"data": regression_rows(1), "version": 9},
                        headers=owner.headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "version_not_found"


def test_a_tampered_artifact_is_refused_and_never_loaded(host, api, owner):
    rows = classification_rows(60)
    model, _ = trained_model(host, owner, "random_forest_classifier", rows, "label", {"n_estimators": 5})
    version = ok(api.get(f"/api/models/{model['id']}/versions/1", headers=owner.headers))
    host.run(lambda: _replace_artifact(model["id"], version["job_id"]))

    response = api.post(f"/api/models/{model['id']}/predict", json={"data": rows[:2]}, headers=owner.headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "artifact_integrity_failed"
    assert response.json()["error"]["details"] == {"reason": "sha256_mismatch"}
    assert host.run(lambda: _cached_for(model["id"])) == 0


async def _replace_artifact(model_id, job_id):
    """Someone with write access to storage swaps the artifact for another valid skops file."""
    import skops.io
    from sklearn.linear_model import LinearRegression

    from shared import wiring
    from shared.domain.models import store

    name = f"{store.artifact_prefix(model_id, job_id, 1)}model.skops"
    other = skops.io.dumps(LinearRegression().fit([[0.0, 0.0], [1.0, 1.0]], [0.0, 1.0]))
    await wiring.blobs().put(store.ARTIFACTS_CONTAINER, name, other, content_type="application/octet-stream",
                             overwrite=True)


async def _cached_for(model_id):
    from shared.domain.models import artifacts

    return sum(1 for key in artifacts.cache()._items if key[0] == model_id)
