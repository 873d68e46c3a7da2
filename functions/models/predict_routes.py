from functions.models import bp
from functions.models.job_routes import accepted
from shared.domain.models import jobs, prediction
from shared.domain.models.schemas import JobAccepted, ModelPath, PredictJobRequest, PredictRequest, PredictResult
from shared.http.endpoint import Call, Reply, endpoint


@bp.route(route="models/{model_id}/predict", methods=["POST"])
@endpoint(summary="Predict a few rows now (row cap; larger inputs: predict-jobs)", path=ModelPath,
          body=PredictRequest, response=PredictResult, errors=[404, 409, 422])
async def predict_with_model(call: Call) -> PredictResult:
    return await prediction.check_predict(call.user, call.path.model_id, call.body)


@bp.route(route="models/{model_id}/predict-jobs", methods=["POST"])
@endpoint(summary="Predict many rows in the background (blob in, blob out)", path=ModelPath,
          body=PredictJobRequest, response=JobAccepted, status=202, errors=[403, 404, 409, 413, 422])
async def create_predict_job(call: Call) -> Reply:
    return accepted(await jobs.check_submit_prediction(call.user, call.path.model_id, call.body))
