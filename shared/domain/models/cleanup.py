"""Removes what a soft-deleted model leaves behind: versions and their artifacts, job inputs and outputs,
uploads, and finally the model document. Idempotent: it runs again whenever a job of a deleted model ends."""

from __future__ import annotations

import logging

from shared import wiring
from shared.domain.models import artifacts, quotas, store, versions
from shared.domain.models.documents import job_docs, model_docs, version_docs
from shared.errors import NotFound
from shared.ports import Query, Where

log = logging.getLogger("topicsflow.models.cleanup")
PAGE = 100


async def run_cleanup(model_id: str) -> None:
    try:
        model = await store.read_model_doc(model_id)
    except NotFound:
        model = None
    if model is not None and not model.get("deleted"):
        return
    freed = await _delete_versions(model_id)
    if model is not None and freed:
        await quotas.add_artifact_bytes(model["owner_id"], -freed)
    await _delete_prefix(store.ARTIFACTS_CONTAINER, f"{model_id}/")
    await _delete_prefix(store.DATA_CONTAINER, f"uploads/{model_id}/")
    busy = await _delete_jobs(model_id)
    await _delete_upload_records(model_id)
    artifacts.cache().drop_model(model_id)
    versions.forget_model(model_id)
    if model is not None and not busy:
        try:
            await model_docs.delete(model_id, model_id)
        except NotFound:
            pass


async def _delete_versions(model_id: str) -> int:
    freed = 0
    while True:
        page = await version_docs.query(Query(), pk=model_id, limit=PAGE)
        for doc in page.items:
            freed += int(doc.get("artifact", {}).get("size", 0))
            try:
                await version_docs.delete(model_id, doc["id"])
            except NotFound:
                pass
        if not page.continuation:
            return freed


async def _delete_prefix(container: str, prefix: str) -> None:
    blobs = wiring.blobs()
    for info in await blobs.list(container, prefix):
        try:
            await blobs.delete(container, info.name)
        except NotFound:
            pass


async def _delete_jobs(model_id: str) -> bool:
    """Deletes finished jobs with their input and output; returns whether an active one remains."""
    busy = False
    continuation = None
    while True:
        page = await job_docs.query(Query(where=[Where("model_id", "=", model_id)]), limit=PAGE,
                                     continuation=continuation)
        for job in page.items:
            if job["state"] in store.ACTIVE_STATES:
                busy = True
                continue
            await _delete_prefix(store.DATA_CONTAINER, f"jobs/{job['id']}/")
            try:
                await job_docs.delete(job["id"], job["id"])
            except NotFound:
                pass
        continuation = page.continuation
        if not continuation:
            return busy


async def _delete_upload_records(model_id: str) -> None:
    documents = wiring.documents()
    page = await documents.query(store.OWNERS, Query(where=[Where("model_id", "=", model_id),
                                                            Where("id", "starts_with", "upload:")]), limit=PAGE)
    while True:
        for doc in page.items:
            try:
                await documents.delete(store.OWNERS, doc["pk"], doc["id"])
            except NotFound:
                pass
        if not page.continuation:
            return
        page = await documents.query(store.OWNERS, Query(where=[Where("model_id", "=", model_id),
                                                                Where("id", "starts_with", "upload:")]),
                                     limit=PAGE, continuation=page.continuation)
