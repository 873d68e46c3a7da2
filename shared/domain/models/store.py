"""Where model data lives, and the small helpers every models module shares.

Documents (partition key in brackets):
- models [model id]: one per model; `active_job_id` is the one-active-job lock, taken by a conditional patch.
- model_versions [model id]: immutable versions; id = the id of the job that produced it, so a duplicate
  delivery of that job can never write a second one.
- model_jobs [job id]: the job state machine, read by id from the API.
- model_owners [owner id]: "usage" (artifact bytes), "name:<name>" claims, "upload:<id>" signed uploads
  (in the uploader's partition, so only they can use them).
Blobs:
- models/{model_id}/versions/{job_id}/a{attempt}/model.skops and manifest.json: written once, never replaced.
- model-data/jobs/{job_id}/input.json|csv|jsonl (claim-check input), .../output.json (batch predictions),
  model-data/uploads/{model_id}/{upload_id}.csv|jsonl (what clients PUT through a signed URL).
"""

from __future__ import annotations

import uuid

from shared.domain.models.documents import (  # noqa: F401  (the container names, re-exported)
    JOBS,
    MODELS,
    OWNERS,
    VERSIONS,
    JobDoc,
    ModelDoc,
    job_docs,
    model_docs,
)

ARTIFACTS_CONTAINER = "models"
DATA_CONTAINER = "model-data"
QUEUE = "model-jobs"

TERMINAL_STATES = ("succeeded", "failed", "cancelled")
ACTIVE_STATES = ("queued", "running")
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv", "jsonl": "application/x-ndjson"}


def new_id() -> str:
    return uuid.uuid4().hex


async def read_model_doc(model_id: str) -> ModelDoc:
    return await model_docs.read(model_id, model_id)


async def read_job_doc(job_id: str) -> JobDoc:
    return await job_docs.read(job_id, job_id)


def input_blob_name(job_id: str, fmt: str) -> str:
    return f"jobs/{job_id}/input.{fmt}"


def output_blob_name(job_id: str) -> str:
    return f"jobs/{job_id}/output.json"


def upload_blob_name(model_id: str, upload_id: str, fmt: str) -> str:
    return f"uploads/{model_id}/{upload_id}.{fmt}"


def artifact_prefix(model_id: str, job_id: str, attempt: int) -> str:
    return f"{model_id}/versions/{job_id}/a{attempt}/"
