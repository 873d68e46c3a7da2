"""A training or update job, run by the queue worker: load data, fit, write an immutable version.

Idempotent under at-least-once delivery. The version document's id is the job id, so a second delivery of the
same job (a retry after a crash, or a duplicate running at the same time) finds it already there and only
finishes what is left; it never writes a second version. Every artifact attempt gets its own blob path, so a
version always points at the exact bytes whose sha256 it records.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from shared import clock
from shared.domain.models import artifacts, faults, fitting, inputs, jobs, quotas, store, tabular
from shared.domain.models.documents import JobDoc, Lineage, ModelDoc, VersionDoc, job_docs, version_docs
from shared.domain.models.fit_process import FitProcess
from shared.domain.models.types import ModelType, get_type
from shared.domain.models.versions import version_doc
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch, Where
from shared.settings import get_settings

log = logging.getLogger("topicsflow.models.training")
T = TypeVar("T")


class JobCancelled(Exception):
    """The job was asked to stop (or its model was deleted); it ends as cancelled at a checkpoint."""


async def set_stage(job: JobDoc, stage: str, progress: float, **fields: Any) -> JobDoc:
    """Records progress (and any `fields`), reports it, and is where a running job notices a cancel request."""
    now = clock.now_iso()
    ops = [Patch("set", "/stage", stage), Patch("set", "/progress", progress), Patch("set", "/heartbeat_at", now),
           Patch("set", "/updated_at", now), *(Patch("set", f"/{k}", v) for k, v in fields.items())]
    try:
        job = await job_docs.patch(job["id"], job["id"], ops,
                                             condition=[Where("state", "=", "running")])
    except PreconditionFailed:
        raise JobCancelled() from None
    if job["cancel_requested"]:
        raise JobCancelled()
    await jobs.publish_progress(job)
    return job


async def heartbeat(job: JobDoc) -> JobDoc:
    try:
        return await job_docs.patch(job["id"], job["id"],
                                              [Patch("set", "/heartbeat_at", clock.now_iso())],
                                              condition=[Where("state", "=", "running")])
    except PreconditionFailed:
        raise JobCancelled() from None


async def supervise(job: JobDoc, work: Awaitable[T], *, stop: Callable[[], None] | None = None) -> T:
    """Awaits `work` while heartbeating the job every MODELS_JOB_HEARTBEAT_SECONDS. When the job is cancelled, or
    is no longer running (the stale-job timer failed it), `stop` ends the work and JobCancelled is raised, only
    after the work is over: a job never frees its quota slot or its model while its work still runs."""
    task = asyncio.ensure_future(work)
    interval = get_settings().models_job_heartbeat_seconds
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=interval)
            if done:
                return task.result()
            current = await heartbeat(job)
            if current["cancel_requested"]:
                raise JobCancelled()
    except BaseException:
        if not task.done():
            if stop is not None:
                await asyncio.to_thread(stop)
            task.cancel()
            await asyncio.wait({task})
        if task.done() and not task.cancelled():
            task.exception()  # retrieved: the job's own outcome is what is reported
        raise


async def run_in_thread(job: JobDoc, work: Callable[[], Any]) -> Any:
    """Runs short CPU-bound work (a prediction chunk) off the event loop, heartbeating the job. A thread cannot
    be interrupted, so a cancel waits for the chunk to end before the job does."""
    thread = asyncio.ensure_future(asyncio.to_thread(work))
    try:
        return await supervise(job, asyncio.shield(thread))
    except BaseException:
        await asyncio.wait({thread})
        raise


async def fit_supervised(job: JobDoc, model_type: ModelType, params: dict[str, Any],
                         data: tabular.TrainingData, *, test_size: float, split_seed: int,
                         base: Any = None) -> fitting.FitOutcome:
    """The fit in a child process the worker terminates on cancel (fit_process.py), under supervision."""
    running: list[FitProcess] = []

    async def work() -> fitting.FitOutcome:
        await asyncio.to_thread(faults.checkpoint_in_thread, "fitting", job)
        # Off the loop: the first fit of a worker starts the fork server, which imports scikit-learn.
        starting = asyncio.ensure_future(asyncio.to_thread(
            FitProcess, model_type.key, params, data, test_size=test_size, split_seed=split_seed, base=base))
        try:
            process = await asyncio.shield(starting)
        except asyncio.CancelledError:  # cancelled while it started: stop it as soon as it exists
            starting.add_done_callback(lambda f: f.cancelled() or f.exception() or f.result().stop())
            raise
        running.append(process)
        try:
            return await process.outcome()
        finally:
            process.stop()

    def stop() -> None:
        for process in running:
            process.stop()

    return await supervise(job, work(), stop=stop)


def effective_params(model_type: ModelType, job: JobDoc) -> dict[str, Any]:
    """The job's parameters; a missing random_state becomes a seed derived from the job id, recorded in the
    version, so every version can be rebuilt exactly and a retried job fits the same model."""
    params = dict(job["params"])
    if model_type.seeded and params.get("random_state") is None:
        params["random_state"] = zlib.crc32(job["id"].encode())
    return params


async def run_training_job(job: JobDoc) -> None:
    settings = get_settings()
    model_type = get_type(job["model_type"])
    options = job["options"]
    if "test_size" not in options:  # a prediction's options: the worker never sends those here
        raise tabular.DataError("This is not a training job.", code="not_a_training_job")
    job = await set_stage(job, "loading_data", 0.1)
    try:
        raw = await inputs.read_input(job["input"])
    except NotFound:
        raise tabular.DataError("The job's input is no longer stored.", code="input_gone") from None
    limit = settings.models_upload_max_rows if job["input"]["source"] == "upload" else settings.models_inline_max_rows
    rows = await asyncio.to_thread(tabular.parse_file, raw, job["input"]["format"], max_rows=limit)
    data = await asyncio.to_thread(tabular.training_data, rows, target=options.get("target"),
                                   features=options.get("features"), task=model_type.task)
    if data.rows < 2:
        raise tabular.DataError("Training needs at least two rows.", code="too_few_rows")

    base, base_version = None, None
    if job["kind"] == "update":
        if job["base_version"] is None:  # an update always names the version it continues
            raise NotFound("Version not found.", code="version_not_found")
        base_version = await version_doc(job["model_id"], job["base_version"])
        if data.features != base_version["features"] or data.target != base_version.get("target"):
            raise tabular.DataError("An update must use the same feature and target columns as the version it "
                                    "continues.", code="schema_mismatch",
                                    details={"features": base_version["features"],
                                             "target": base_version.get("target")})
        base = await artifacts.load(base_version, model_type, use_cache=False)
    await faults.checkpoint("loaded", job)

    job = await set_stage(job, "training", 0.3, rows=data.rows)
    params = base_version["params"] if base_version else effective_params(model_type, job)

    outcome = await fit_supervised(job, model_type, params, data, test_size=options["test_size"],
                                   split_seed=options["split_seed"], base=base)
    await faults.checkpoint("fitted", job)

    job = await set_stage(job, "saving", 0.85)
    model = await store.read_model_doc(job["model_id"])
    if model.get("deleted"):
        raise JobCancelled()
    version = await _write_version(job, model, model_type, params, data, outcome, raw, base_version)
    await faults.checkpoint("version_written", job)
    await _complete(job, model, version, promote=options.get("promote", True))


async def _write_version(job: JobDoc, model: ModelDoc, model_type: ModelType, params: dict[str, Any],
                         data: tabular.TrainingData, outcome: fitting.FitOutcome, raw: bytes,
                         base_version: VersionDoc | None) -> VersionDoc:
    try:  # written by an earlier delivery of this job
        return await version_docs.read(job["model_id"], job["id"])
    except NotFound:
        pass
    blob = await asyncio.to_thread(artifacts.dumps, outcome.estimator)
    number = (model.get("latest_version") or 0) + 1
    lineage: Lineage = {
        "model_id": model["id"], "number": number, "job_id": job["id"], "kind": job["kind"],
        "model_type": model_type.key, "estimator": model_type.estimator.replace(":", "."), "params": params,
        "features": data.features, "target": data.target, "classes": outcome.classes,
        "metrics": outcome.metrics, "split": outcome.split,
        "data": {"sha256": artifacts.sha256_hex(raw), "rows": data.rows, "source": job["input"]["source"],
                 "format": job["input"]["format"], "upload_id": job["input"].get("upload_id")},
        "parent_version": base_version["number"] if base_version else None}
    record = await artifacts.write(model["id"], job["id"], job["attempts"], blob, lineage)
    doc: VersionDoc = {**lineage, "id": job["id"], "pk": model["id"], "owner_id": model["owner_id"],
                       "artifact": record, "created_by": job["created_by"], "created_at": clock.now_iso(),
                       "fit_seconds": round(outcome.fit_seconds, 6)}
    try:
        created = await version_docs.create(doc)
    except Conflict:  # a duplicate delivery running at the same time got there first
        return await version_docs.read(job["model_id"], job["id"])
    await quotas.add_artifact_bytes(model["owner_id"], record["size"])
    return created


async def _complete(job: JobDoc, model: ModelDoc, version: VersionDoc, *, promote: bool) -> None:
    number = version["number"]
    ops = [Patch("set", "/latest_version", max(number, model.get("latest_version") or 0)),
           Patch("set", "/active_job_id", None), Patch("set", "/last_error", None),
           Patch("set", "/updated_at", clock.now_iso())]
    current = model.get("current_version")
    if promote or current is None:
        ops += [Patch("set", "/current_version", number), Patch("set", "/previous_version", current)]
    ops.append(Patch("set", "/status", "ready"))
    await jobs.finish_job(job, "succeeded", model_ops=ops, extra={"result_version": number})
