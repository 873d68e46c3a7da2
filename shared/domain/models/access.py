"""The one place that decides who may see or touch a model, its versions and its jobs.

Roles: the owner; administrators; users the owner granted "trainer" (may also train, update, cancel and retry)
or "viewer" (may read and predict). Anyone else gets 404, never 403, so a model's existence stays private.
A role too weak for the action gets 403: that user already knows the model exists.
"""

from __future__ import annotations

from typing import Literal

from shared import wiring
from shared.domain.identity import Principal
from shared.domain.models import store
from shared.domain.models.documents import JobDoc, ModelDoc
from shared.domain.models.schemas import ModelRole
from shared.errors import Forbidden, NotFound

Need = Literal["read", "train", "write", "own"]
_ALLOWED: dict[str, tuple[str, ...]] = {
    "read": ("owner", "admin", "trainer", "viewer"),
    "train": ("owner", "admin", "trainer"),
    "write": ("owner", "admin"),
    "own": ("owner",),
}


def role_of(principal: Principal, model: ModelDoc) -> ModelRole | None:
    if model.get("owner_id") == principal.user_id:
        return "owner"
    if principal.is_admin:
        return "admin"
    for grant in model.get("grants", []):
        if grant["user_id"] == principal.user_id:
            return grant["role"]
    return None


def _model_not_found() -> NotFound:
    return NotFound("Model not found.", code="model_not_found")


def access_every_model(principal: Principal) -> None:
    """Listing every model (scope=all) is for administrators only: 403 `admin_required`."""
    if not principal.is_admin:
        raise Forbidden("Only administrators may list every model.", code="admin_required")


async def access_model(principal: Principal, model_id: str, need: Need) -> tuple[ModelDoc, ModelRole]:
    """The live model document and the caller's role, or 404 / 403."""
    try:
        model = await store.read_model_doc(model_id)
    except NotFound:
        raise _model_not_found() from None
    if model.get("deleted"):
        raise _model_not_found()
    role = role_of(principal, model)
    if role is None:
        raise _model_not_found()
    if role not in _ALLOWED[need]:
        message = {"train": "Only the owner and trainers may do this.",
                   "write": "Only the owner may change this model.",
                   "own": "Only the owner may download artifacts."}[need]
        raise Forbidden(message, code="model_forbidden")
    return model, role


async def access_job(principal: Principal, job_id: str, need: Literal["read", "train"]) -> tuple[JobDoc, ModelDoc]:
    """The job and its model. A batch-predict job (with its caller's data) is private to whoever started it,
    the model's owner and administrators; training jobs are visible to everyone who can read the model."""
    try:
        job = await store.read_job_doc(job_id)
    except NotFound:
        raise NotFound("Job not found.", code="job_not_found") from None
    try:
        model, role = await access_model(principal, job["model_id"], "read")
    except NotFound:
        raise NotFound("Job not found.", code="job_not_found") from None
    own_job = job.get("created_by") == principal.user_id
    if job["kind"] == "predict" and not own_job and role not in ("owner", "admin"):
        raise NotFound("Job not found.", code="job_not_found")
    if need == "train" and role not in _ALLOWED["train"] and not (job["kind"] == "predict" and own_job):
        raise Forbidden("Only the owner and trainers may do this.", code="model_forbidden")
    return job, model


async def access_grantee(user_id: str) -> None:
    """A grant names an existing account (the accounts area's users container: pk = id = user id)."""
    try:
        user = await wiring.documents().read("users", user_id, user_id)
    except NotFound:
        raise NotFound("User not found.", code="user_not_found") from None
    if user.get("status") in ("deleting", "deleted"):
        raise NotFound("User not found.", code="user_not_found")
