"""Predictions: synchronous for a few rows, and batch jobs (blob in, blob out) for many.

Input rows are checked against the schema recorded with the version (its feature columns) before the model
runs. The estimator comes from the per-worker cache; a version is served while a newer one trains.
"""

from __future__ import annotations

import asyncio
import json

from shared import wiring
from shared.domain.identity import Principal
from shared.domain.models import artifacts, faults, fitting, inputs, store, tabular
from shared.domain.models.access import access_model
from shared.domain.models.documents import JobDoc
from shared.domain.models.schemas import PredictRequest, PredictResult
from shared.domain.models.types import get_type
from shared.domain.models.versions import version_doc
from shared.errors import Conflict, NotFound
from shared.settings import get_settings

INLINE_CELLS = 20_000  # below this many cells, predicting inline is cheaper than a thread hop
CHUNK_ROWS = 10_000


async def check_predict(principal: Principal, model_id: str, body: PredictRequest) -> PredictResult:
    model, _ = await access_model(principal, model_id, "read")
    limit = get_settings().models_predict_max_rows
    if len(body.data) > limit:
        raise tabular.DataError(f"At most {limit} rows per request; use predict-jobs for more.",
                                code="too_many_rows", details={"limit": limit})
    number = body.version or model.get("current_version")
    if number is None:
        raise Conflict("The model has no trained version yet; train it first.", code="model_not_trained")
    version = await version_doc(model_id, number)
    model_type = get_type(model["type"])
    if body.probabilities and not model_type.capabilities.predict_proba:
        raise tabular.DataError("This model type does not give probabilities.", code="probabilities_not_supported")
    x = tabular.prediction_matrix(tabular.check_rows(body.data, max_rows=limit), features=version["features"],
                                  target=version.get("target"))
    estimator = await artifacts.load(version, model_type)
    if len(x) * max(1, len(version["features"])) <= INLINE_CELLS:
        out = fitting.predict(estimator, x, probabilities=body.probabilities)
    else:
        out = await asyncio.to_thread(fitting.predict, estimator, x, probabilities=body.probabilities)
    return PredictResult(model_id=model_id, version=number, **out)


async def run_prediction_job(job: JobDoc) -> None:
    from shared.domain.models.training import run_in_thread, set_stage

    settings = get_settings()
    job = await set_stage(job, "loading_data", 0.1)
    options = job["options"]
    if "version" not in options:  # a training job's options: the worker never sends those here
        raise tabular.DataError("This is not a prediction job.", code="not_a_prediction_job")
    number = options["version"]
    try:
        version = await version_doc(job["model_id"], number)
        raw = await inputs.read_input(job["input"])
    except NotFound:
        raise tabular.DataError("The job's input or version is no longer stored.", code="input_gone") from None
    model_type = get_type(job["model_type"])
    rows = await asyncio.to_thread(tabular.parse_file, raw, job["input"]["format"],
                                   max_rows=settings.models_upload_max_rows)
    x = await asyncio.to_thread(tabular.prediction_matrix, rows, features=version["features"],
                                target=version.get("target"))
    estimator = await artifacts.load(version, model_type)
    job = await set_stage(job, "predicting", 0.3, rows=len(x))
    probabilities = job["options"].get("probabilities", False)
    result: fitting.Predictions = {"predictions": []}
    for start in range(0, len(x), CHUNK_ROWS):
        chunk = x[start:start + CHUNK_ROWS]
        out = await run_in_thread(job, lambda c=chunk: fitting.predict(estimator, c, probabilities=probabilities))
        result["predictions"] += out["predictions"]
        if probabilities:
            result["classes"] = out["classes"]
            result.setdefault("probabilities", []).extend(out["probabilities"])
        if start + CHUNK_ROWS < len(x):
            job = await set_stage(job, "predicting", 0.3 + 0.6 * (start + CHUNK_ROWS) / len(x))
    await faults.checkpoint("predicted", job)
    job = await set_stage(job, "saving", 0.95)
    name = store.output_blob_name(job["id"])
    payload = {"model_id": job["model_id"], "version": number, "rows": len(x), **result}
    await wiring.blobs().put(store.DATA_CONTAINER, name, json.dumps(payload, separators=(",", ":")).encode(),
                             content_type="application/json", overwrite=True)
    from shared.domain.models.jobs import finish_job

    await finish_job(job, "succeeded", extra={
        "result": {"container": store.DATA_CONTAINER, "name": name, "rows": len(x)}, "rows": len(x)})
