from __future__ import annotations

from typing import TYPE_CHECKING

from functions.models import bp
from shared.http.endpoint import Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.models import inputs, jobs, schemas
else:
    inputs = lazy_module("shared.domain.models.inputs")
    jobs = lazy_module("shared.domain.models.jobs")
    schemas = lazy_models("shared.domain.models.schemas")


def accepted(result: schemas.JobAccepted) -> Reply:
    return Reply(result, headers={"Location": result.job.links.self})


@bp.route(route="models/{model_id}/uploads", methods=["POST"])
@endpoint(summary="Get a signed URL to upload a CSV or JSON-lines file for training or batch prediction",
          path=schemas.ModelPath, body=schemas.UploadCreate, response=schemas.UploadPublic, status=201,
          errors=[403, 404], idempotent=True)
async def create_model_upload(call: Call) -> schemas.UploadPublic:
    return await inputs.check_create_upload(call.user, call.path.model_id, call.body)


@bp.route(route="models/{model_id}/train", methods=["POST"])
@endpoint(summary="Train a new version in the background (202 with the job)", path=schemas.ModelPath,
          body=schemas.TrainRequest, response=schemas.JobAccepted, status=202, errors=[403, 404, 409, 413, 422, 503],
          idempotent=True)
async def train_model(call: Call) -> Reply:
    return accepted(await jobs.check_submit_training(call.user, call.path.model_id, call.body, "train"))


@bp.route(route="models/{model_id}/update", methods=["POST"])
@endpoint(summary="Continue the current version on new rows (partial_fit types) in the background",
          path=schemas.ModelPath, body=schemas.TrainRequest, response=schemas.JobAccepted, status=202,
          errors=[403, 404, 409, 413, 422, 503], idempotent=True)
async def update_model_version(call: Call) -> Reply:
    return accepted(await jobs.check_submit_training(call.user, call.path.model_id, call.body, "update"))


@bp.route(route="models/{model_id}/jobs", methods=["GET"])
@endpoint(summary="A model's jobs, newest first", path=schemas.ModelPath, query=schemas.JobListQuery,
          response=schemas.JobPage, errors=[404, 422])
async def list_model_jobs(call: Call) -> schemas.JobPage:
    return await jobs.check_list_model_jobs(call.user, call.path.model_id, call.query)


@bp.route(route="jobs/{job_id}", methods=["GET"])
@endpoint(summary="A job's state, stage, progress, attempts and error", path=schemas.JobPath,
          response=schemas.JobPublic, errors=[404])
async def get_model_job(call: Call) -> schemas.JobPublic:
    return await jobs.check_get_job(call.user, call.path.job_id)


@bp.route(route="jobs/{job_id}/cancel", methods=["POST"])
@endpoint(summary="Cancel a job: at once when queued (200), at its next checkpoint when running (202)",
          path=schemas.JobPath, response=schemas.JobPublic, errors=[403, 404, 409, 503],
          alternatives={202: "Cancel requested: the running job stops at its next checkpoint"})
async def cancel_model_job(call: Call) -> Reply:
    job, status = await jobs.check_cancel_job(call.user, call.path.job_id)
    return Reply(job, status=status)


@bp.route(route="jobs/{job_id}/retry", methods=["POST"])
@endpoint(summary="Run a failed or cancelled job again, as a new job on the same input", path=schemas.JobPath,
          response=schemas.JobAccepted, status=202, errors=[403, 404, 409, 503], idempotent=True)
async def retry_model_job(call: Call) -> Reply:
    return accepted(await jobs.check_retry_job(call.user, call.path.job_id))


@bp.route(route="jobs/{job_id}/result", methods=["GET"])
@endpoint(summary="A signed URL to a batch-prediction job's output", path=schemas.JobPath, response=schemas.SignedUrl,
          errors=[404, 409])
async def get_model_job_result(call: Call) -> schemas.SignedUrl:
    return await jobs.check_job_result(call.user, call.path.job_id)
