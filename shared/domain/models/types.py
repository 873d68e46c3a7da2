"""The catalogue of model types: which scikit-learn estimators may be built, with which parameters.

Each type names its estimator by import path (imported only when a worker trains or loads one), declares its
parameters as a pydantic model (the allow-list with value ranges; its JSON Schema is what clients see), and its
capabilities. Resource knobs such as n_jobs are deliberately absent: a caller must not pick the worker's core count.
`trusted_types` is the explicit list of non-default types skops may rebuild when loading an artifact of this type.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.models.schemas import ModelTypePublic
from shared.errors import NotFound, ValidationFailed

Task = Literal["regression", "classification", "clustering"]
UpdateMode = Literal["partial_fit"]
Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LinearRegressionParams(_Params):
    fit_intercept: bool = True
    positive: bool = False


class RidgeParams(_Params):
    alpha: float = Field(default=1.0, ge=0, le=1e6)
    fit_intercept: bool = True
    solver: Literal["auto", "svd", "cholesky", "lsqr"] = "auto"


class LogisticRegressionParams(_Params):
    C: float = Field(default=1.0, gt=0, le=1e6)
    l1_ratio: float = Field(default=0.0, ge=0, le=1)
    fit_intercept: bool = True
    max_iter: int = Field(default=100, ge=1, le=10_000)
    class_weight: Literal["balanced"] | None = None
    solver: Literal["lbfgs", "saga", "liblinear"] = "lbfgs"
    random_state: Seed | None = None


class _ForestParams(_Params):
    n_estimators: int = Field(default=100, ge=1, le=500)
    max_depth: int | None = Field(default=None, ge=1, le=64)
    min_samples_split: int = Field(default=2, ge=2, le=10_000)
    min_samples_leaf: int = Field(default=1, ge=1, le=10_000)
    bootstrap: bool = True
    random_state: Seed | None = None


class RandomForestRegressorParams(_ForestParams):
    max_features: Literal["sqrt", "log2"] | Annotated[float, Field(gt=0, le=1)] | None = 1.0


class RandomForestClassifierParams(_ForestParams):
    max_features: Literal["sqrt", "log2"] | Annotated[float, Field(gt=0, le=1)] | None = "sqrt"
    class_weight: Literal["balanced", "balanced_subsample"] | None = None


class _BoostingParams(_Params):
    n_estimators: int = Field(default=100, ge=1, le=1000)
    learning_rate: float = Field(default=0.1, gt=0, le=10)
    max_depth: int = Field(default=3, ge=1, le=32)
    subsample: float = Field(default=1.0, gt=0, le=1)
    min_samples_leaf: int = Field(default=1, ge=1, le=10_000)
    random_state: Seed | None = None


class GradientBoostingRegressorParams(_BoostingParams):
    pass


class GradientBoostingClassifierParams(_BoostingParams):
    pass


class KMeansParams(_Params):
    n_clusters: int = Field(default=8, ge=1, le=100)
    n_init: Literal["auto"] | Annotated[int, Field(ge=1, le=50)] = "auto"
    max_iter: int = Field(default=300, ge=1, le=10_000)
    random_state: Seed | None = None


class MiniBatchKMeansParams(_Params):
    n_clusters: int = Field(default=8, ge=1, le=100)
    batch_size: int = Field(default=1024, ge=1, le=100_000)
    max_iter: int = Field(default=100, ge=1, le=10_000)
    n_init: Literal["auto"] | Annotated[int, Field(ge=1, le=50)] = "auto"
    random_state: Seed | None = None


class SGDRegressorParams(_Params):
    loss: Literal["squared_error", "huber", "epsilon_insensitive"] = "squared_error"
    penalty: Literal["l2", "l1", "elasticnet"] | None = "l2"
    alpha: float = Field(default=0.0001, ge=0, le=1e3)
    max_iter: int = Field(default=1000, ge=1, le=100_000)
    learning_rate: Literal["constant", "optimal", "invscaling", "adaptive"] = "invscaling"
    eta0: float = Field(default=0.01, gt=0, le=10)
    random_state: Seed | None = None


class SGDClassifierParams(_Params):
    # log_loss by default (scikit-learn's default is hinge) so that probabilities are available.
    loss: Literal["log_loss", "modified_huber", "hinge"] = "log_loss"
    penalty: Literal["l2", "l1", "elasticnet"] | None = "l2"
    alpha: float = Field(default=0.0001, ge=0, le=1e3)
    max_iter: int = Field(default=1000, ge=1, le=100_000)
    random_state: Seed | None = None


class Capabilities(BaseModel):
    train: bool = True
    update: UpdateMode | None = None  # how /update continues from the current version; None: not offered
    predict: bool = True
    predict_proba: bool = False


@dataclass(frozen=True)
class ModelType:
    key: str
    title: str
    description: str
    task: Task
    estimator: str  # "module:Class", imported in the worker only
    params: type[_Params]
    capabilities: Capabilities
    trusted_types: tuple[str, ...] = ()

    @property
    def seeded(self) -> bool:
        """Has random_state: when a caller gives none, a seed is chosen and recorded so a version can be rebuilt."""
        return "random_state" in self.params.model_fields

    @property
    def requires_target(self) -> bool:
        return self.task != "clustering"

    def check_params(self, params: dict[str, Any], *, where: str = "body.params") -> dict[str, Any]:
        """The full parameter set (defaults filled in), or 422 naming each bad or unknown field."""
        try:
            return self.params.model_validate(params).model_dump(mode="json")
        except ValidationError as exc:
            raise ValidationFailed(details=[
                {"field": ".".join(str(p) for p in (where, *e["loc"])), "code": e["type"], "message": e["msg"]}
                for e in exc.errors(include_url=False, include_input=False)]) from None

    def estimator_class(self) -> type:
        module, name = self.estimator.split(":")
        return getattr(importlib.import_module(module), name)

    def describe(self) -> ModelTypePublic:
        input_doc = ("Rows (JSON objects) of numeric feature columns; training rows also carry the target column."
                     if self.requires_target else "Rows (JSON objects) of numeric feature columns.")
        output_doc = {"regression": "One number per row.",
                      "classification": "One class label per row; class probabilities on request.",
                      "clustering": "The cluster index of each row."}[self.task]
        return ModelTypePublic(key=self.key, title=self.title, description=self.description, task=self.task,
                               estimator=self.estimator.replace(":", "."), requires_target=self.requires_target,
                               parameters=self.params.model_json_schema(), input=input_doc, output=output_doc,
                               capabilities=self.capabilities.model_dump())


_TREE = ("sklearn.tree._tree.Tree",)
_PROBA = Capabilities(predict_proba=True)

_TYPES = [
    ModelType("linear_regression", "Linear regression", "Ordinary least squares.", "regression",
              "sklearn.linear_model:LinearRegression", LinearRegressionParams, Capabilities()),
    ModelType("ridge", "Ridge regression", "Least squares with L2 regularisation.", "regression",
              "sklearn.linear_model:Ridge", RidgeParams, Capabilities()),
    ModelType("sgd_regressor", "SGD regression", "A linear model fitted by stochastic gradient descent; "
              "/update continues learning from new rows (partial_fit).", "regression",
              "sklearn.linear_model:SGDRegressor", SGDRegressorParams, Capabilities(update="partial_fit")),
    ModelType("logistic_regression", "Logistic regression", "A linear classifier with probabilities.",
              "classification", "sklearn.linear_model:LogisticRegression", LogisticRegressionParams, _PROBA),
    ModelType("sgd_classifier", "SGD classification", "A linear classifier fitted by stochastic gradient "
              "descent; /update continues learning from new rows (partial_fit). Probabilities need loss "
              "log_loss or modified_huber.", "classification", "sklearn.linear_model:SGDClassifier",
              SGDClassifierParams, Capabilities(update="partial_fit", predict_proba=True)),
    ModelType("random_forest_regressor", "Random forest regression", "An ensemble of decision trees.",
              "regression", "sklearn.ensemble:RandomForestRegressor", RandomForestRegressorParams, Capabilities(),
              _TREE),
    ModelType("random_forest_classifier", "Random forest classification", "An ensemble of decision trees.",
              "classification", "sklearn.ensemble:RandomForestClassifier", RandomForestClassifierParams, _PROBA,
              _TREE),
    ModelType("gradient_boosting_regressor", "Gradient boosting regression", "Boosted decision trees.",
              "regression", "sklearn.ensemble:GradientBoostingRegressor", GradientBoostingRegressorParams,
              Capabilities(), _TREE),
    ModelType("gradient_boosting_classifier", "Gradient boosting classification", "Boosted decision trees.",
              "classification", "sklearn.ensemble:GradientBoostingClassifier", GradientBoostingClassifierParams,
              _PROBA, _TREE),
    ModelType("kmeans", "k-means clustering", "Partitions rows into n_clusters clusters.", "clustering",
              "sklearn.cluster:KMeans", KMeansParams, Capabilities()),
    ModelType("mini_batch_kmeans", "Mini-batch k-means", "k-means on mini-batches; /update continues from new "
              "rows (partial_fit).", "clustering", "sklearn.cluster:MiniBatchKMeans", MiniBatchKMeansParams,
              Capabilities(update="partial_fit")),
]
MODEL_TYPES: dict[str, ModelType] = {t.key: t for t in _TYPES}


def get_type(key: str) -> ModelType:
    model_type = MODEL_TYPES.get(key)
    if model_type is None:
        raise NotFound("Unknown model type.", code="model_type_not_found")
    return model_type


def list_types() -> list[ModelTypePublic]:
    return [t.describe() for t in _TYPES]
