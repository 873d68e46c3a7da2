"""What account erasure does to models: the user's own models are deleted (with their versions, artifacts,
jobs and uploads, through the usual cleanup job), their grants on other people's models are withdrawn, their
batch-prediction jobs (which hold their data) are removed, and their per-user records go.

Versions and training jobs the user produced on someone else's model stay, as that model's history, with the
author replaced by "deleted-user". Idempotent, as erasers must be.
"""

from __future__ import annotations

from shared import clock, wiring
from shared.domain.models import jobs, store
from shared.domain.models.documents import job_docs, model_docs, version_docs
from shared.domain.models.manage import _release_name, _rewrite_grants
from shared.domain.purging import delete_partition
from shared.errors import NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

PAGE = 100
ANONYMOUS = "deleted-user"


async def erase_user_models(user_id: str) -> None:
    await _delete_owned_models(user_id)
    await _withdraw_grants(user_id)
    await _forget_jobs(user_id)
    await _delete_owner_partition(user_id)


async def _delete_owned_models(user_id: str) -> None:
    query = Query(where=[Where("owner_id", "=", user_id), Where("deleted", "=", False)])
    while True:
        page = await model_docs.query(query, limit=PAGE)
        for model in page.items:
            try:
                await model_docs.patch(model["id"], model["id"],
                                      [Patch("set", "/deleted", True), Patch("set", "/deleted_at", clock.now_iso())],
                                      condition=[Where("deleted", "=", False)])
            except (NotFound, PreconditionFailed):
                continue
            await _release_name(user_id, model["name_key"], model["id"])
            if active := model.get("active_job_id"):
                await jobs.request_cancel_by_id(active)
            await jobs.enqueue_cleanup(model["id"])
        if not page.items:
            return


async def _withdraw_grants(user_id: str) -> None:
    query = Query(where=[Where("grantees", "array_contains", user_id)])
    while True:
        page = await model_docs.query(query, limit=PAGE)
        for model in page.items:
            await _rewrite_grants(model["id"], lambda grants: [g for g in grants if g["user_id"] != user_id])
        if not page.items:
            return


async def _forget_jobs(user_id: str) -> None:
    blobs = wiring.blobs()
    query = Query(where=[Where("created_by", "=", user_id)])
    continuation = None
    while True:
        page = await job_docs.query(query, limit=PAGE, continuation=continuation)
        for job in page.items:
            if job["state"] in store.ACTIVE_STATES:
                await jobs.request_cancel(job)
            if job["kind"] == "predict":
                for info in await blobs.list(store.DATA_CONTAINER, f"jobs/{job['id']}/"):
                    try:
                        await blobs.delete(store.DATA_CONTAINER, info.name)
                    except NotFound:
                        pass
                if job["state"] not in store.ACTIVE_STATES:
                    try:
                        await job_docs.delete(job["id"], job["id"])
                    except NotFound:
                        pass
                    continue
            try:
                await job_docs.patch(job["id"], job["id"], [Patch("set", "/created_by", ANONYMOUS)])
            except NotFound:
                pass
        continuation = page.continuation
        if not continuation:
            break
    versions = Query(where=[Where("created_by", "=", user_id)])
    while True:
        page = await version_docs.query(versions, limit=PAGE)
        for version in page.items:
            try:
                await version_docs.patch(version["pk"], version["id"],
                                      [Patch("set", "/created_by", ANONYMOUS)])
            except NotFound:
                pass
        if not page.items:
            return


async def _delete_owner_partition(user_id: str) -> None:
    await delete_partition(store.OWNERS, user_id)
