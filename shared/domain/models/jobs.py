"""Background jobs: submit (202), the state machine, cancel, retry, and the events that report progress.

States: queued -> running -> succeeded | failed | cancelled; queued -> cancelled. A failed attempt that will be
retried goes back to queued. A training job owns its model while it is active: the model's `active_job_id` is
set by a patch conditioned on it being empty, so a model never has two. Only the writer whose conditional
patch moves a job out of queued/running reports its end, so every job finishes exactly once.
"""

from __future__ import annotations

import logging
from typing import Any, Literal, TypedDict, cast

from shared import clock, wiring
from shared.domain import cursors, events, outbox
from shared.domain.identity import Principal
from shared.domain.models import inputs, quotas, store
from shared.domain.models.access import access_job, access_model
from shared.domain.models.documents import (
    ErrorDoc,
    InputRef,
    JobDoc,
    JobResultFields,
    ModelDoc,
    PredictOptions,
    TrainOptions,
    job_docs,
    model_docs,
)
from shared.domain.models.schemas import (
    ErrorInfo,
    JobAccepted,
    JobKind,
    JobLinks,
    JobListQuery,
    JobPage,
    JobPublic,
    JobState,
    PredictJobRequest,
    SignedUrl,
    TrainRequest,
)
from shared.domain.models.tabular import prediction_matrix, training_data
from shared.domain.models.types import get_type
from shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import BatchOp, Patch, Query, Where
from shared.settings import get_settings

log = logging.getLogger("topicsflow.models.jobs")

PROGRESS_EVENT = "model_job_progress"
FINISHED_EVENT = "model_job_finished"


def job_links(doc: JobDoc) -> JobLinks:
    result = f"/api/jobs/{doc['id']}/result" if doc["kind"] == "predict" else None
    return JobLinks(self=f"/api/jobs/{doc['id']}", model=f"/api/models/{doc['model_id']}", result=result)


def job_public(doc: JobDoc) -> JobPublic:
    return JobPublic(id=doc["id"], model_id=doc["model_id"], kind=doc["kind"], state=doc["state"],
                     stage=doc["stage"], progress=doc["progress"], attempts=doc["attempts"],
                     cancel_requested=doc["cancel_requested"], created_by=doc["created_by"],
                     created_at=doc["created_at"], started_at=doc.get("started_at"),
                     finished_at=doc.get("finished_at"), heartbeat_at=doc.get("heartbeat_at"),
                     error=ErrorInfo(**error) if (error := doc.get("error")) else None,
                     result_version=doc.get("result_version"),
                     rows=doc.get("rows"), retry_of=doc.get("retry_of"),
                     dead_lettered=doc.get("dead_lettered", False), links=job_links(doc))


class JobEvent(TypedDict):
    """The data of model_job_progress and model_job_finished events."""

    job_id: str
    model_id: str
    kind: JobKind
    state: JobState
    stage: str
    progress: float
    result_version: int | None
    error: ErrorDoc | None


def _event_data(doc: JobDoc) -> JobEvent:
    return {"job_id": doc["id"], "model_id": doc["model_id"], "kind": doc["kind"], "state": doc["state"],
            "stage": doc["stage"], "progress": doc["progress"], "result_version": doc.get("result_version"),
            "error": doc.get("error")}


async def _tell(doc: JobDoc, event_type: str) -> None:
    recipients = {doc["owner_id"], doc["created_by"]}
    for user_id in sorted(recipients):
        await events.publish_to_user(user_id, event_type, _event_data(doc))


async def publish_progress(doc: JobDoc) -> None:
    await _tell(doc, PROGRESS_EVENT)


# ------------------------------------------------------------------------------------------------- submit


async def check_submit_training(principal: Principal, model_id: str, body: TrainRequest,
                                kind: Literal["train", "update"]) -> JobAccepted:
    model, _ = await access_model(principal, model_id, "train")
    model_type = get_type(model["type"])
    if kind == "update":
        if model_type.capabilities.update is None:
            raise Conflict(f"{model_type.title} models cannot be updated in place; train a new version instead.",
                           code="update_not_supported")
        if model.get("current_version") is None:
            raise Conflict("The model has no version to update yet; train it first.", code="model_not_trained")
    await quotas.check_can_start_job(principal.user_id)
    await quotas.check_can_store_artifacts(model["owner_id"])
    options: TrainOptions = {"target": body.target, "features": body.features, "test_size": body.test_size,
               "split_seed": body.split_seed, "promote": body.promote}
    base_version = model.get("current_version") if kind == "update" else None

    def validate(rows: list[dict[str, Any]]) -> None:
        data = training_data(rows, target=body.target, features=body.features, task=model_type.task)
        if data.rows < 2:
            raise ValidationFailed("Training needs at least two rows.", code="too_few_rows")

    job_id = store.new_id()
    ref = await inputs.stage_input(principal, model_id, job_id, data=body.data, upload_id=body.upload_id,
                                   purpose="train", max_rows=get_settings().models_inline_max_rows,
                                   validate=validate)
    doc = _new_job(job_id, model, principal, kind, ref, options, params=model["params"], base_version=base_version)
    return await _start(doc, claim_model=True)


async def check_submit_prediction(principal: Principal, model_id: str, body: PredictJobRequest) -> JobAccepted:
    from shared.domain.models import versions

    model, _ = await access_model(principal, model_id, "read")
    number = body.version or model.get("current_version")
    if number is None:
        raise Conflict("The model has no trained version yet.", code="model_not_trained")
    version = await versions.version_doc(model_id, number)
    await quotas.check_can_start_job(principal.user_id)

    def validate(rows: list[dict[str, Any]]) -> None:
        prediction_matrix(rows, features=version["features"], target=version.get("target"))

    job_id = store.new_id()
    settings = get_settings()
    ref = await inputs.stage_input(principal, model_id, job_id, data=body.data, upload_id=body.upload_id,
                                   purpose="predict", max_rows=settings.models_upload_max_rows, validate=validate)
    options: PredictOptions = {"version": number, "probabilities": body.probabilities}
    doc = _new_job(job_id, model, principal, "predict", ref, options, params=version["params"], base_version=number)
    return await _start(doc, claim_model=False)


def _new_job(job_id: str, model: ModelDoc, principal: Principal, kind: JobKind, ref: InputRef,
             options: TrainOptions | PredictOptions, *, params: dict[str, Any], base_version: int | None,
             retry_of: str | None = None) -> JobDoc:
    now = clock.now_iso()
    return {"id": job_id, "pk": job_id, "model_id": model["id"], "owner_id": model["owner_id"],
            "model_type": model["type"], "kind": kind, "state": "queued", "stage": "queued", "progress": 0.0,
            "attempts": 0, "cancel_requested": False, "created_by": principal.user_id, "created_at": now,
            "updated_at": now, "started_at": None, "finished_at": None, "heartbeat_at": None, "error": None,
            "last_attempt_error": None, "result_version": None, "rows": ref.get("rows"), "input": ref,
            "options": options, "params": params, "base_version": base_version, "retry_of": retry_of,
            "dead_lettered": False, "result": None}


async def _start(doc: JobDoc, *, claim_model: bool) -> JobAccepted:
    """The job and its queue message are stored together (the job's outbox document, in the job's partition): a
    queue that is down delays the job until the relay timer sends it, it never loses it or fails the request."""
    if claim_model:
        await claim_model_for(doc["model_id"], doc["id"])
    body = {"job_id": doc["id"], "model_id": doc["model_id"], "kind": doc["kind"],
            "input": {k: doc["input"][k] for k in ("container", "name", "format")}}
    try:
        results = await outbox.write(store.JOBS, doc["id"], [BatchOp("create", doc=dict(doc))],
                                     [outbox.send(store.QUEUE, body, message_id=doc["id"])], source=doc["id"])
    except Exception:
        if claim_model:
            await _release_model_claim(doc["model_id"], doc["id"])
        raise
    created = cast(JobDoc, results[0] or doc)
    await publish_progress(created)
    return JobAccepted(job=job_public(created))


async def claim_model_for(model_id: str, job_id: str) -> None:
    """Sets the model's active job, unless another active job holds it. A holder that no longer exists or has
    already finished (a crash between steps) is replaced, so a model can never stay locked for good."""
    ops = [Patch("set", "/active_job_id", job_id), Patch("set", "/last_job_id", job_id),
           Patch("set", "/status", "training"), Patch("set", "/updated_at", clock.now_iso())]
    for _ in range(3):
        model = await store.read_model_doc(model_id)
        holder = model.get("active_job_id")
        if holder:
            try:
                holder_job = await store.read_job_doc(holder)
                holder_active = holder_job["state"] in store.ACTIVE_STATES
            except NotFound:
                holder_active = False
            if holder_active:
                raise Conflict("The model already has an active job.", code="job_already_active",
                               details={"active_job_id": holder})
        try:
            await model_docs.patch(model_id, model_id, ops,
                                  condition=[Where("active_job_id", "=", holder), Where("deleted", "=", False)])
            return
        except PreconditionFailed:
            continue
    raise Conflict("The model already has an active job.", code="job_already_active")


async def _release_model_claim(model_id: str, job_id: str) -> None:
    try:
        model = await store.read_model_doc(model_id)
        await model_docs.patch(model_id, model_id, _release_ops(model, "cancelled", None),
                                       condition=[Where("active_job_id", "=", job_id)])
    except (NotFound, PreconditionFailed):
        pass


def _release_ops(model: ModelDoc, state: str, error: ErrorDoc | None) -> list[Patch]:
    status = "ready" if model.get("current_version") is not None else ("failed" if state == "failed" else "new")
    ops = [Patch("set", "/active_job_id", None), Patch("set", "/status", status),
           Patch("set", "/updated_at", clock.now_iso())]
    if state == "failed":
        ops.append(Patch("set", "/last_error", error))
    return ops


# ------------------------------------------------------------------------------------------------- finish


async def finish_job(job: JobDoc, state: str, *, error: ErrorDoc | None = None,
                     model_ops: list[Patch] | None = None, dead_lettered: bool = False,
                     extra: JobResultFields | None = None) -> JobDoc | None:
    """Moves a job to a final state exactly once and frees its model. The model is updated first: if the worker
    dies in between, the redelivered message finds the job still active and finishes it."""
    now = clock.now_iso()
    model = None
    if error is not None:
        error = {**error, "job_id": job["id"], "at": now}
    if job["kind"] != "predict":
        try:
            model = await store.read_model_doc(job["model_id"])
            ops = model_ops if model_ops is not None else _release_ops(model, state, error)
            model = await model_docs.patch(job["model_id"], job["model_id"], ops,
                                          condition=[Where("active_job_id", "=", job["id"])])
        except (NotFound, PreconditionFailed):
            pass
    ops = [Patch("set", "/state", state), Patch("set", "/stage", state), Patch("set", "/finished_at", now),
           Patch("set", "/updated_at", now), Patch("set", "/error", error),
           Patch("set", "/dead_lettered", dead_lettered)]
    if state == "succeeded":
        ops.append(Patch("set", "/progress", 1.0))
    for key, value in (extra or {}).items():
        ops.append(Patch("set", f"/{key}", value))
    try:
        finished = await job_docs.patch(job["id"], job["id"], ops,
                                         condition=[Where("state", "in", list(store.ACTIVE_STATES))])
    except (PreconditionFailed, NotFound):
        return None
    await _tell(finished, FINISHED_EVENT)
    if model is not None and model.get("deleted"):
        await enqueue_cleanup(job["model_id"], suffix=job["id"])
    return finished


# ---------------------------------------------------------------------------------------------- stale jobs


async def fail_stale_jobs(*, limit: int = 100) -> list[str]:
    """Fails the running jobs whose worker stopped heartbeating more than MODELS_JOB_STALE_SECONDS ago (it died,
    or its host did), which frees their model and their creator's quota slot. A worker that was only slow finds
    its job no longer running at its next heartbeat and stops its fit. Run by a timer; returns the jobs failed."""
    cutoff = clock.later_iso(seconds=-get_settings().models_job_stale_seconds)
    page = await job_docs.query(Query(where=[Where("state", "=", "running"), Where("heartbeat_at", "<", cutoff)]),
                                limit=limit)
    failed = []
    for job in page.items:
        finished = await finish_job(job, "failed", error={
            "code": "worker_lost",
            "message": "The worker running this job stopped reporting; the model may be trained again.",
            "details": {"last_heartbeat_at": job.get("heartbeat_at")}})
        if finished is not None:
            log.warning("model-jobs: job %s had no heartbeat since %s; failed it", job["id"], job.get("heartbeat_at"))
            failed.append(job["id"])
    return failed


# ------------------------------------------------------------------------------------------- read and list


async def check_get_job(principal: Principal, job_id: str) -> JobPublic:
    job, _ = await access_job(principal, job_id, "read")
    return job_public(job)


async def check_list_model_jobs(principal: Principal, model_id: str, query: JobListQuery) -> JobPage:
    _, role = await access_model(principal, model_id, "read")
    where = [Where("model_id", "=", model_id)]
    if query.state:
        where.append(Where("state", "=", query.state))
    if role not in ("owner", "admin"):  # others' batch predictions carry their data: show only one's own
        where.append(Where("kind", "in", ["train", "update"]))
    scope = cursors.scope("model-jobs", model_id, principal.user_id, query.state)
    page = await job_docs.query(Query(where=where, order_by=[("created_at", "desc")]),
                                limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    return JobPage(items=[job_public(d) for d in page.items], next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_job_result(principal: Principal, job_id: str) -> SignedUrl:
    job, _ = await access_job(principal, job_id, "read")
    if job["kind"] != "predict":
        raise NotFound("Only batch-prediction jobs have a result file.", code="result_not_found")
    result = job.get("result")
    if job["state"] != "succeeded" or not result:
        raise Conflict("The job has not succeeded.", code="job_not_succeeded", details={"state": job["state"]})

    ttl = get_settings().models_url_ttl_seconds
    url = await wiring.blobs().read_url(result["container"], result["name"], expires_in_seconds=ttl,
                                        download_name=f"predictions-{job_id}.json")
    return SignedUrl(url=url, expires_at=clock.later_iso(seconds=ttl))


# ------------------------------------------------------------------------------------------ cancel, retry


async def check_cancel_job(principal: Principal, job_id: str) -> tuple[JobPublic, int]:
    """A queued job is cancelled at once (200); a running one is asked to stop and does so at its next
    checkpoint (202)."""
    job, _ = await access_job(principal, job_id, "train")
    if job["state"] in store.TERMINAL_STATES:
        raise Conflict("The job has already finished.", code="job_finished", details={"state": job["state"]})
    cancelled = await request_cancel(job)
    return job_public(cancelled), 200 if cancelled["state"] == "cancelled" else 202


async def request_cancel(job: JobDoc) -> JobDoc:
    if job["state"] == "queued":
        finished = await finish_job_if_queued(job)
        if finished is not None:
            return finished
    try:
        return await job_docs.patch(job["id"], job["id"],
                                     [Patch("set", "/cancel_requested", True),
                                      Patch("set", "/updated_at", clock.now_iso())],
                                     condition=[Where("state", "in", list(store.ACTIVE_STATES))])
    except PreconditionFailed:
        return await store.read_job_doc(job["id"])


async def finish_job_if_queued(job: JobDoc) -> JobDoc | None:
    """Cancels a job that no worker has started; the worker skips its message when it arrives."""
    try:
        await job_docs.patch(job["id"], job["id"], [Patch("set", "/cancel_requested", True)],
                                       condition=[Where("state", "=", "queued")])
    except PreconditionFailed:
        return None
    return await finish_job(job, "cancelled")


async def request_cancel_by_id(job_id: str) -> None:
    try:
        job = await store.read_job_doc(job_id)
    except NotFound:
        return
    if job["state"] in store.ACTIVE_STATES:
        await request_cancel(job)


async def check_retry_job(principal: Principal, job_id: str) -> JobAccepted:
    job, model = await access_job(principal, job_id, "train")
    if job["state"] not in ("failed", "cancelled"):
        raise Conflict("Only a failed or cancelled job can be retried.", code="job_not_retryable",
                       details={"state": job["state"]})
    try:
        await wiring.blobs().info(job["input"]["container"], job["input"]["name"])
    except NotFound:
        raise Conflict("The job's input is no longer stored; submit a new job.", code="input_gone") from None
    await quotas.check_can_start_job(principal.user_id)
    if job["kind"] != "predict":
        await quotas.check_can_store_artifacts(model["owner_id"])
    if job["kind"] == "update" and model.get("current_version") is None:
        raise Conflict("The model has no version to update.", code="model_not_trained")
    base_version = model.get("current_version") if job["kind"] == "update" else job.get("base_version")
    doc = _new_job(store.new_id(), model, principal, job["kind"], job["input"], job["options"],
                   params=job["params"], base_version=base_version, retry_of=job["id"])
    return await _start(doc, claim_model=job["kind"] != "predict")


# -------------------------------------------------------------------------------------------------- queue


def cleanup_effect(model_id: str, *, suffix: str = "") -> outbox.Effect:
    """The cleanup job as an outbox effect. The cleanup does nothing unless the model is marked deleted, so it may
    be recorded before the write that marks it."""
    message_id = f"cleanup-{model_id}" + (f"-{suffix}" if suffix else "")
    return outbox.send(store.QUEUE, {"kind": "cleanup", "model_id": model_id}, message_id=message_id)


async def enqueue_cleanup(model_id: str, *, suffix: str = "") -> None:
    """Another cleanup of a deleted model (a job that was still running when it was deleted has finished)."""
    try:
        await outbox.record(store.MODELS, model_id, [cleanup_effect(model_id, suffix=suffix)],
                            source=f"cleanup-{model_id}-{suffix}" if suffix else None)
    except Exception:
        # The model is already marked deleted and invisible; its files wait for the next cleanup of it.
        log.exception("could not record the cleanup of model %s", model_id)
