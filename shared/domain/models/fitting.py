"""The scikit-learn work itself, synchronous and free of I/O: split, fit, evaluate, predict.

Called in a worker thread by the job code (training.py, prediction.py) and directly for small synchronous
predictions. numpy and scikit-learn are imported inside the functions, never when this module is imported.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from shared.domain.models.tabular import DataError, TrainingData
from shared.domain.models.types import ModelType


@dataclass
class FitOutcome:
    estimator: Any
    metrics: dict[str, Any]  # free-form: what the task's evaluation reports
    split: dict[str, Any]  # free-form: how the rows were split
    classes: list[Any] | None
    fit_seconds: float


def _targets(model_type: ModelType, data: TrainingData):
    import numpy as np

    if data.y is None:
        return None
    if model_type.task == "classification":  # labels keep their type: all strings or all numbers (tabular.py)
        return np.asarray(data.y)
    return np.asarray(data.y, dtype=float)


def fit(model_type: ModelType, params: dict[str, Any], data: TrainingData, *, test_size: float, split_seed: int,
        base: Any | None = None) -> FitOutcome:
    """Fits a new estimator (or continues `base` with partial_fit) on the training part of a seeded split and
    scores it on the held-out part; with too few rows for a held-out part, it is scored on what it learned."""
    import numpy as np
    from sklearn.model_selection import train_test_split

    x = np.asarray(data.x, dtype=float)
    y = _targets(model_type, data)
    held_out = math.floor(len(x) * test_size) if test_size > 0 else 0
    if held_out >= 1 and len(x) - held_out >= 2:
        parts = train_test_split(x, *([y] if y is not None else []), test_size=test_size, random_state=split_seed)
        x_train, x_test = parts[0], parts[1]
        y_train, y_test = (parts[2], parts[3]) if y is not None else (None, None)
        split = {"test_size": test_size, "split_seed": split_seed, "train_rows": len(x_train),
                 "test_rows": len(x_test), "evaluated_on": "test"}
    else:
        x_train, x_test, y_train, y_test = x, x, y, y
        split = {"test_size": 0.0, "split_seed": split_seed, "train_rows": len(x), "test_rows": 0,
                 "evaluated_on": "train"}

    started = time.perf_counter()
    try:
        if base is not None:
            estimator = base
            if model_type.task == "classification":
                unknown = sorted(set(np.unique(np.asarray(y_train)).tolist()) - set(estimator.classes_.tolist()),
                                 key=str)
                if unknown:
                    raise DataError("The new rows contain classes the model was not trained on.",
                                    code="unknown_classes", details={"classes": unknown[:20]})
            estimator.partial_fit(x_train, y_train) if y_train is not None else estimator.partial_fit(x_train)
        else:
            estimator = model_type.estimator_class()(**params)
            estimator.fit(x_train, y_train) if y_train is not None else estimator.fit(x_train)
    except ValueError as exc:  # scikit-learn's word that these data and parameters cannot work together
        raise DataError("The estimator refused these data or parameters.", code="fit_refused",
                        details={"reason": str(exc)[:300]}) from None
    fit_seconds = time.perf_counter() - started

    classes = estimator.classes_.tolist() if hasattr(estimator, "classes_") else None
    return FitOutcome(estimator=estimator, metrics=evaluate(model_type, estimator, x_test, y_test), split=split,
                      classes=classes, fit_seconds=fit_seconds)


def evaluate(model_type: ModelType, estimator: Any, x, y) -> dict[str, Any]:
    import numpy as np
    from sklearn import metrics

    if model_type.task == "regression":
        predicted = estimator.predict(x)
        out = {"mae": float(metrics.mean_absolute_error(y, predicted)),
               "rmse": float(np.sqrt(metrics.mean_squared_error(y, predicted)))}
        if len(y) >= 2:
            out["r2"] = float(metrics.r2_score(y, predicted))
        return out
    if model_type.task == "classification":
        predicted = estimator.predict(x)
        return {"accuracy": float(metrics.accuracy_score(y, predicted)),
                "f1_macro": float(metrics.f1_score(y, predicted, average="macro",
                                                       zero_division=0))}  # pyright: ignore[reportArgumentType]
    labels = estimator.predict(x)
    return {"inertia": float(-estimator.score(x)), "n_clusters": len(np.unique(labels))}


class Predictions(TypedDict):
    """What an estimator predicted (PredictResult's fields, and a batch job's output file)."""

    predictions: list[Any]
    classes: NotRequired[list[Any]]
    probabilities: NotRequired[list[list[float]]]


def predict(estimator: Any, x: list[list[float]], *, probabilities: bool) -> Predictions:
    import numpy as np

    matrix = np.asarray(x, dtype=float)
    out: Predictions = {"predictions": estimator.predict(matrix).tolist()}
    if probabilities:
        if not hasattr(estimator, "predict_proba"):
            raise DataError("This model does not give probabilities.", code="probabilities_not_supported")
        out["classes"] = estimator.classes_.tolist()
        out["probabilities"] = estimator.predict_proba(matrix).tolist()
    return out
