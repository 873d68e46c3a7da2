"""Per-user quotas: models owned, active jobs started, bytes of stored artifacts. Limits come from settings.

Models and active jobs are counted from the documents themselves, so a crash can never leak a unit of quota;
two requests racing at the limit may both pass, which overshoots by at most the number of racing requests.
Artifact bytes are a counter in the owner's usage document, added when a version is written and taken back
when the cleanup job deletes it.
"""

from __future__ import annotations

from shared.domain.models import store
from shared.domain.models.documents import job_docs, model_docs, usage_docs
from shared.domain.models.schemas import ModelUsage, QuotaUse
from shared.errors import AppError, Conflict, NotFound
from shared.ports import Patch, Where
from shared.settings import get_settings

USAGE_ID = "usage"


class QuotaExceeded(AppError):
    status, code, message = 403, "quota_exceeded", "A quota is used up."


async def models_owned(owner_id: str) -> int:
    return await model_docs.count([Where("owner_id", "=", owner_id),
                                                         Where("deleted", "=", False)])


async def active_jobs(user_id: str) -> int:
    return await job_docs.count([Where("created_by", "=", user_id), Where("state", "in", list(store.ACTIVE_STATES))])


async def artifact_bytes(owner_id: str) -> int:
    try:
        doc = await usage_docs.read(owner_id, USAGE_ID)
    except NotFound:
        return 0
    return int(doc.get("artifact_bytes", 0))


async def check_can_create_model(owner_id: str) -> None:
    limit = get_settings().models_max_per_user
    if await models_owned(owner_id) >= limit:
        raise QuotaExceeded(f"You may own at most {limit} models.", details={"quota": "models", "limit": limit})


async def check_can_start_job(user_id: str) -> None:
    limit = get_settings().models_max_active_jobs_per_user
    if await active_jobs(user_id) >= limit:
        raise QuotaExceeded(f"You may have at most {limit} queued or running jobs.",
                            details={"quota": "active_jobs", "limit": limit})


async def check_can_store_artifacts(owner_id: str) -> None:
    limit = get_settings().models_max_artifact_bytes_per_user
    if await artifact_bytes(owner_id) >= limit:
        raise QuotaExceeded("The model owner's artifact storage is full; delete models or versions first.",
                            details={"quota": "artifact_bytes", "limit": limit})


async def add_artifact_bytes(owner_id: str, delta: int) -> None:
    """Creates the usage document on the first addition only: after an account is erased, the cleanup of its
    models subtracts from nothing rather than leaving a record behind."""
    if delta > 0:
        try:
            await usage_docs.create({"id": USAGE_ID, "pk": owner_id, "artifact_bytes": 0})
        except Conflict:
            pass
    try:
        await usage_docs.patch(owner_id, USAGE_ID, [Patch("incr", "/artifact_bytes", delta)])
    except NotFound:
        pass


async def usage(user_id: str) -> ModelUsage:
    s = get_settings()
    return ModelUsage(
        models=QuotaUse(used=await models_owned(user_id), limit=s.models_max_per_user),
        active_jobs=QuotaUse(used=await active_jobs(user_id), limit=s.models_max_active_jobs_per_user),
        artifact_bytes=QuotaUse(used=await artifact_bytes(user_id), limit=s.models_max_artifact_bytes_per_user))
