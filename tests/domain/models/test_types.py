"""The model-type catalogue: parameters are an allow-list with ranges, and each type builds its estimator."""

import pytest

from shared.domain.models.types import MODEL_TYPES, get_type, list_types
from shared.errors import NotFound, ValidationFailed

REQUIRED = {"linear_regression", "logistic_regression", "ridge", "random_forest_regressor",
            "random_forest_classifier", "gradient_boosting_regressor", "gradient_boosting_classifier", "kmeans"}


def test_the_catalogue_offers_every_required_estimator():
    assert set(MODEL_TYPES) >= REQUIRED


def test_every_type_describes_its_parameters_as_a_closed_json_schema():
    for described in list_types():
        schema = described.parameters
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert set(described.capabilities) == {"train", "update", "predict", "predict_proba"}


def test_unknown_parameters_are_refused_with_their_name():
    with pytest.raises(ValidationFailed) as caught:
        get_type("random_forest_classifier").check_params({"n_jobs": -1})
    assert caught.value.details[0]["field"] == "body.params.n_jobs"
    assert caught.value.details[0]["code"] == "extra_forbidden"


def test_values_outside_the_allowed_range_are_refused():
    with pytest.raises(ValidationFailed):
        get_type("random_forest_regressor").check_params({"n_estimators": 100_000})
    with pytest.raises(ValidationFailed):
        get_type("ridge").check_params({"alpha": -1})


def test_strings_are_not_silently_turned_into_numbers():
    with pytest.raises(ValidationFailed):
        get_type("ridge").check_params({"alpha": "2"})


def test_defaults_are_filled_in_so_a_model_records_its_full_parameters():
    assert get_type("kmeans").check_params({"n_clusters": 3}) == {
        "n_clusters": 3, "n_init": "auto", "max_iter": 300, "random_state": None}


def test_an_unknown_type_is_not_found():
    with pytest.raises(NotFound):
        get_type("pickle_anything")


@pytest.mark.parametrize("key", sorted(MODEL_TYPES))
def test_each_type_builds_its_estimator_from_its_own_defaults(key):
    model_type = MODEL_TYPES[key]
    estimator = model_type.estimator_class()(**model_type.check_params({}))
    assert hasattr(estimator, "fit") and hasattr(estimator, "predict")
    if model_type.capabilities.update == "partial_fit":
        assert hasattr(estimator, "partial_fit")
