"""The queue worker's entry: one message of queue `model-jobs`, from the Service Bus trigger.

Outcomes, given at-least-once delivery:
- a job already finished (or cancelled while queued): nothing to do, the message completes;
- bad data or parameters (DataError) or a failed integrity check: the job fails at once, no retry;
- anything else: the attempt is recorded, the job goes back to queued and the exception propagates, so the
  message is abandoned and redelivered. The attempt that reaches the queue's max delivery count marks the job
  failed with code `dead_lettered` before propagating, and the message then lands in the dead-letter queue.
"""

from __future__ import annotations

import json
import logging

from shared import clock
from shared.domain.models import jobs, store
from shared.domain.models.artifacts import ArtifactIntegrityError
from shared.domain.models.documents import JobDoc, job_docs
from shared.domain.models.tabular import DataError
from shared.domain.models.training import JobCancelled
from shared.errors import NotFound, PreconditionFailed
from shared.ports import Patch, Where
from shared.settings import get_settings

log = logging.getLogger("topicsflow.models.worker")


async def handle_message(body: bytes | str, *, delivery_count: int) -> None:
    try:
        message = json.loads(body)
    except ValueError:
        log.error("model-jobs: a message that is not JSON was dropped")
        return
    if not isinstance(message, dict):
        log.error("model-jobs: a message that is not an object was dropped")
        return
    if message.get("kind") == "cleanup":
        from shared.domain.models.cleanup import run_cleanup

        model_id = message.get("model_id")
        if not isinstance(model_id, str) or not model_id:
            log.error("model-jobs: a cleanup message without a model id was dropped")
            return
        await run_cleanup(model_id)
        return
    job_id = message.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        log.error("model-jobs: a message without a job id was dropped")
        return
    await run_job(job_id, delivery_count=delivery_count)


async def run_job(job_id: str, *, delivery_count: int) -> None:
    try:
        job = await store.read_job_doc(job_id)
    except NotFound:
        log.warning("model-jobs: job %s does not exist (any more); message dropped", job_id)
        return
    if job["state"] in store.TERMINAL_STATES:
        return  # a duplicate delivery, or a job cancelled while it waited
    if job["cancel_requested"]:
        await jobs.finish_job(job, "cancelled")
        return
    job = await _start_attempt(job, delivery_count)
    if job is None:
        return
    try:
        if job["kind"] == "predict":
            from shared.domain.models.prediction import run_prediction_job

            await run_prediction_job(job)
        else:
            from shared.domain.models.training import run_training_job

            await run_training_job(job)
    except JobCancelled:
        await jobs.finish_job(job, "cancelled")
    except (DataError, ArtifactIntegrityError) as exc:
        await jobs.finish_job(job, "failed", error={"code": exc.code, "message": exc.message,
                                                    "details": exc.details})
    except Exception as exc:
        log.exception("model-jobs: attempt %d of job %s failed", delivery_count, job_id)
        await _attempt_failed(job, exc, delivery_count)
        raise


async def _start_attempt(job: JobDoc, delivery_count: int) -> JobDoc | None:
    now = clock.now_iso()
    ops = [Patch("set", "/state", "running"), Patch("set", "/stage", "starting"),
           Patch("set", "/attempts", delivery_count), Patch("set", "/heartbeat_at", now),
           Patch("set", "/updated_at", now)]
    if not job.get("started_at"):
        ops.append(Patch("set", "/started_at", now))
    try:
        job = await job_docs.patch(job["id"], job["id"], ops,
                                             condition=[Where("state", "in", list(store.ACTIVE_STATES))])
    except PreconditionFailed:
        return None
    await jobs.publish_progress(job)
    return job


async def _attempt_failed(job: JobDoc, exc: Exception, delivery_count: int) -> None:
    max_deliveries = get_settings().queue_max_delivery_count
    reason = type(exc).__name__
    if delivery_count >= max_deliveries:
        await jobs.finish_job(job, "failed", dead_lettered=True, error={
            "code": "dead_lettered",
            "message": f"The job failed on all {delivery_count} delivery attempts; its message was moved to the "
                       "dead-letter queue.",
            "details": {"attempts": delivery_count, "last_error": reason}})
        return
    now = clock.now_iso()
    try:
        job = await job_docs.patch(job["id"], job["id"],
            [Patch("set", "/state", "queued"), Patch("set", "/stage", "retrying"), Patch("set", "/updated_at", now),
             Patch("set", "/last_attempt_error", {"code": "attempt_failed", "attempt": delivery_count,
                                                  "error": reason, "at": now})],
            condition=[Where("state", "=", "running")])
    except PreconditionFailed:
        return
    await jobs.publish_progress(job)
