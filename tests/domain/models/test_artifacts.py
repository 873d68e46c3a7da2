"""skops artifacts load only with the recorded sha256 and only with the model type's trusted types."""

import numpy as np
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression

from shared.domain.models import artifacts, fitting
from shared.domain.models.tabular import TrainingData
from shared.domain.models.types import get_type

X = np.arange(40, dtype=float).reshape(20, 2)


def forest_bytes() -> bytes:
    return skops.io.dumps(RandomForestClassifier(n_estimators=3, random_state=0).fit(X, [0, 1] * 10))


def test_a_random_forest_loads_because_its_tree_type_is_explicitly_trusted():
    data = forest_bytes()
    estimator = artifacts.loads_verified(data, artifacts.sha256_hex(data), get_type("random_forest_classifier"))
    assert estimator.predict(X[:2]).tolist() == RandomForestClassifier(n_estimators=3, random_state=0).fit(
        X, [0, 1] * 10).predict(X[:2]).tolist()


def test_bytes_that_do_not_match_the_recorded_hash_are_never_loaded():
    data = forest_bytes()
    tampered = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(artifacts.ArtifactIntegrityError) as caught:
        artifacts.loads_verified(tampered, artifacts.sha256_hex(data), get_type("random_forest_classifier"))
    assert caught.value.details == {"reason": "sha256_mismatch"}


def test_a_type_outside_the_model_types_trusted_list_is_refused_even_with_a_matching_hash():
    data = forest_bytes()  # holds sklearn.tree._tree.Tree, which a linear model's list does not trust
    with pytest.raises(artifacts.ArtifactIntegrityError) as caught:
        artifacts.loads_verified(data, artifacts.sha256_hex(data), get_type("linear_regression"))
    assert caught.value.details["reason"] == "untrusted_types"


def test_a_pickle_is_not_an_artifact():
    import pickle

    data = pickle.dumps(LinearRegression().fit(X, X[:, 0]))
    with pytest.raises(artifacts.ArtifactIntegrityError):
        artifacts.loads_verified(data, artifacts.sha256_hex(data), get_type("linear_regression"))


def test_the_estimator_cache_drops_the_least_recently_used_first():
    cache = artifacts.EstimatorCache(2)
    cache.put(("m", 1, "a"), "one")
    cache.put(("m", 2, "b"), "two")
    assert cache.get(("m", 1, "a")) == "one"
    cache.put(("m", 3, "c"), "three")
    assert cache.get(("m", 2, "b")) is None
    assert cache.get(("m", 1, "a")) == "one" and len(cache) == 2
    cache.drop_model("m")
    assert len(cache) == 0


def test_fitting_without_a_held_out_part_equals_scikit_learns_own_fit():
    data = TrainingData(features=["a", "b"], target="y", x=X.tolist(), y=(X[:, 0] * 3 + 1).tolist())
    outcome = fitting.fit(get_type("ridge"), {"alpha": 0.5, "fit_intercept": True, "solver": "auto"}, data,
                          test_size=0, split_seed=0)
    from sklearn.linear_model import Ridge

    expected = Ridge(alpha=0.5).fit(X, X[:, 0] * 3 + 1).predict(X)
    assert outcome.estimator.predict(X).tolist() == expected.tolist()
    assert outcome.split["evaluated_on"] == "train"


def test_an_estimator_that_refuses_the_data_is_a_data_error_not_a_crash():
    data = TrainingData(features=["a", "b"], target=None, x=X[:3].tolist(), y=None)
    with pytest.raises(fitting.DataError) as caught:
        fitting.fit(get_type("kmeans"), {"n_clusters": 10, "n_init": "auto", "max_iter": 10, "random_state": 0},
                    data, test_size=0, split_seed=0)
    assert caught.value.code == "fit_refused"
