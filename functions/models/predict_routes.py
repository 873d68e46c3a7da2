from __future__ import annotations

from typing import TYPE_CHECKING

from functions.models import bp
from functions.models.job_routes import accepted
from shared.http.endpoint import Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.models import jobs, prediction, schemas
else:
    jobs = lazy_module("shared.domain.models.jobs")
    prediction = lazy_module("shared.domain.models.prediction")
    schemas = lazy_models("shared.domain.models.schemas")


@bp.route(route="models/{model_id}/predict", methods=["POST"])
@endpoint(summary="Predict a few rows now (row cap; larger inputs: predict-jobs)", path=schemas.ModelPath,
          body=schemas.PredictRequest, response=schemas.PredictResult, errors=[404, 409, 422])
async def predict_with_model(call: Call) -> schemas.PredictResult:
    return await prediction.check_predict(call.user, call.path.model_id, call.body)


@bp.route(route="models/{model_id}/predict-jobs", methods=["POST"])
@endpoint(summary="Predict many rows in the background (blob in, blob out)", path=schemas.ModelPath,
          body=schemas.PredictJobRequest, response=schemas.JobAccepted, status=202,
          errors=[403, 404, 409, 413, 422, 503], idempotent=True)
async def create_predict_job(call: Call) -> Reply:
    return accepted(await jobs.check_submit_prediction(call.user, call.path.model_id, call.body))
