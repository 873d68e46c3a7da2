"""Models: create, read, list, partial update, soft delete, and sharing by explicit grant.

A model's name is unique per owner. The name is claimed by a lookup document ("name:<lower-case name>" in the
owner's partition of model_owners) created before the model, so two racing creates cannot both win; a claim
left behind by a crash is taken over when the model it points at is gone.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from shared import clock
from shared.domain import cursors, outbox
from shared.domain.identity import Principal
from shared.domain.models import quotas, store
from shared.domain.models.access import access_every_model, access_grantee, access_model, role_of
from shared.domain.models.documents import GrantDoc, ModelDoc, NameClaimDoc, model_docs, name_claim_docs
from shared.domain.models.schemas import (
    ErrorInfo,
    GrantBody,
    GrantList,
    GrantPublic,
    ModelCreate,
    ModelListQuery,
    ModelPage,
    ModelPublic,
    ModelRole,
    ModelUpdate,
)
from shared.domain.models.types import MODEL_TYPES, get_type
from shared.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import Patch, Query, Where

log = logging.getLogger("topicsflow.models")
_WORD = re.compile(r"[a-z0-9]+")
MIN_PREFIX, MAX_PREFIX, MAX_SEARCH_KEYS = 2, 16, 300
STALE_CLAIM_SECONDS = 60


def model_public(doc: ModelDoc, role: ModelRole) -> ModelPublic:
    return ModelPublic(id=doc["id"], name=doc["name"], type=doc["type"], task=doc["task"], params=doc["params"],
                       description=doc.get("description", ""), tags=doc.get("tags", []), owner_id=doc["owner_id"],
                       status=doc["status"], current_version=doc.get("current_version"),
                       latest_version=doc.get("latest_version"), active_job_id=doc.get("active_job_id"),
                       last_error=ErrorInfo(**error) if (error := doc.get("last_error")) else None,
                       your_role=role, created_at=doc["created_at"],
                       updated_at=doc["updated_at"])


def etag_header(doc: ModelDoc) -> dict[str, str]:
    etag = doc.get("_etag")
    return {"ETag": f'"{etag}"'} if etag else {}


def parse_if_match(value: str | None) -> str | None:
    if not value or value.strip() == "*":
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def search_keys(name: str, description: str, tags: list[str]) -> list[str]:
    """Word prefixes of the name, description and tags: `q` matches a model when every word of it begins a word
    of these (the documents port has no substring operator that both stores support)."""
    keys: list[str] = []
    seen: set[str] = set()
    for word in _WORD.findall(f"{name} {' '.join(tags)} {description}".lower()):
        for end in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1):
            prefix = word[:end]
            if prefix not in seen:
                seen.add(prefix)
                keys.append(prefix)
                if len(keys) >= MAX_SEARCH_KEYS:
                    return keys
    return keys


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


async def _claim_name(owner_id: str, name_key: str, model_id: str) -> None:
    doc_id = f"name:{name_key}"
    claim_doc: NameClaimDoc = {"id": doc_id, "pk": owner_id, "model_id": model_id, "claimed_at": time.time()}
    try:
        await name_claim_docs.create(claim_doc)
        return
    except Conflict:
        claim = await name_claim_docs.read(owner_id, doc_id)
    try:
        holder = await store.read_model_doc(claim["model_id"])
        stale = holder.get("deleted") or holder.get("name_key") != name_key
    except NotFound:  # its create may still be under way: only an old claim counts as abandoned
        stale = time.time() - float(claim.get("claimed_at", 0)) > STALE_CLAIM_SECONDS
    if not stale:
        raise Conflict("You already have a model with this name.", code="model_name_taken")
    try:  # take the stale claim over, unless someone else just did
        await name_claim_docs.replace(claim_doc, if_match=claim.get("_etag"))
    except (PreconditionFailed, NotFound):
        raise Conflict("You already have a model with this name.", code="model_name_taken") from None


async def _release_name(owner_id: str, name_key: str, model_id: str) -> None:
    doc_id = f"name:{name_key}"
    try:
        claim = await name_claim_docs.read(owner_id, doc_id)
        if claim.get("model_id") == model_id:
            await name_claim_docs.delete(owner_id, doc_id, if_match=claim.get("_etag"))
    except (NotFound, PreconditionFailed):
        pass


# ------------------------------------------------------------------------------------------------- create


async def check_create_model(principal: Principal, body: ModelCreate) -> tuple[ModelPublic, dict[str, str]]:
    model_type = MODEL_TYPES.get(body.type)
    if model_type is None:
        raise ValidationFailed("Unknown model type; see GET /api/models/types.", code="unknown_model_type",
                               details=[{"field": "body.type", "code": "unknown_model_type",
                                         "message": "Unknown model type."}])
    params = model_type.check_params(body.params)
    await quotas.check_can_create_model(principal.user_id)
    model_id = store.new_id()
    name_key = _name_key(body.name)
    now = clock.now_iso()
    tags = sorted(set(body.tags))
    doc: ModelDoc = {
        "id": model_id, "pk": model_id, "owner_id": principal.user_id, "name": body.name, "name_key": name_key,
        "type": model_type.key, "task": model_type.task, "params": params, "description": body.description,
        "tags": tags, "search_keys": search_keys(body.name, body.description, tags), "status": "new",
        "current_version": None, "previous_version": None, "latest_version": None, "active_job_id": None,
        "last_job_id": None, "last_error": None, "grants": [], "grantees": [], "deleted": False,
        "deleted_at": None, "created_by": principal.user_id, "created_at": now, "updated_at": now}
    await _claim_name(principal.user_id, name_key, model_id)
    try:
        created = await model_docs.create(doc)
    except Exception:
        await _release_name(principal.user_id, name_key, model_id)
        raise
    return model_public(created, "owner"), etag_header(created)


# --------------------------------------------------------------------------------------------------- read


async def check_get_model(principal: Principal, model_id: str) -> tuple[ModelPublic, dict[str, str]]:
    model, role = await access_model(principal, model_id, "read")
    return model_public(model, role), etag_header(model)


async def check_list_models(principal: Principal, query: ModelListQuery) -> ModelPage:
    where = [Where("deleted", "=", False)]
    if query.scope == "mine":
        where.append(Where("owner_id", "=", principal.user_id))
    elif query.scope == "shared":
        where.append(Where("grantees", "array_contains", principal.user_id))
    else:
        access_every_model(principal)
    if query.type:
        where.append(Where("type", "=", query.type))
    if query.tag:
        where.append(Where("tags", "array_contains", query.tag))
    if query.status:
        where.append(Where("status", "=", query.status))
    if query.q:
        words = _WORD.findall(query.q.lower())[:5]
        if not words:
            raise ValidationFailed("q must contain a letter or digit.", details=[
                {"field": "query.q", "code": "value_error", "message": "q must contain a letter or digit."}])
        for word in words:
            if len(word) < MIN_PREFIX:
                where.append(Where("name_key", "starts_with", word))
            else:
                where.append(Where("search_keys", "array_contains", word[:MAX_PREFIX]))
    scope = cursors.scope("models", principal.user_id, query.scope, query.type, query.tag, query.status, query.q)
    page = await model_docs.query(Query(where=where, order_by=[("created_at", "desc")]),
                                  limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    items = [model_public(doc, role_of(principal, doc) or "viewer") for doc in page.items]
    return ModelPage(items=items, next_cursor=cursors.next_cursor(scope, page.continuation))


# ------------------------------------------------------------------------------------------------- update


async def check_update_model(principal: Principal, model_id: str, body: ModelUpdate,
                             if_match: str | None) -> tuple[ModelPublic, dict[str, str]]:
    model, role = await access_model(principal, model_id, "write")
    sent = body.model_dump(exclude_unset=True)
    if any(value is None for value in sent.values()):
        raise ValidationFailed(details=[{"field": f"body.{k}", "code": "null_not_allowed",
                                         "message": "Leave the field out instead of sending null."}
                                        for k, v in sent.items() if v is None])
    ops: list[Patch] = []
    if "params" in sent:
        ops.append(Patch("set", "/params", get_type(model["type"]).check_params(body.params or {})))
    name, description, tags = model["name"], model.get("description", ""), model.get("tags", [])
    new_name_key: str | None = None
    if "name" in sent and body.name is not None and body.name != model["name"]:
        name, new_name_key = body.name, _name_key(body.name)
        ops.append(Patch("set", "/name", name))
        ops.append(Patch("set", "/name_key", new_name_key))
    if "description" in sent:
        description = body.description or ""
        ops.append(Patch("set", "/description", description))
    if "tags" in sent:
        tags = sorted(set(body.tags or []))
        ops.append(Patch("set", "/tags", tags))
    if not ops:
        return model_public(model, role), etag_header(model)
    ops += [Patch("set", "/search_keys", search_keys(name, description, tags)),
            Patch("set", "/updated_at", clock.now_iso())]
    renaming = new_name_key is not None and new_name_key != model["name_key"]
    if new_name_key is not None and renaming:
        await _claim_name(model["owner_id"], new_name_key, model_id)
    try:
        updated = await model_docs.patch(model_id, model_id, ops,
                                                 if_match=parse_if_match(if_match),
                                                 condition=[Where("deleted", "=", False)])
    except PreconditionFailed:
        if new_name_key is not None and renaming:
            await _release_name(model["owner_id"], new_name_key, model_id)
        raise PreconditionFailed("The model changed since you read it; read it again.",
                                 code="model_changed") from None
    if renaming:
        await _release_name(model["owner_id"], model["name_key"], model_id)
    return model_public(updated, role), etag_header(updated)


# ------------------------------------------------------------------------------------------------- delete


async def check_delete_model(principal: Principal, model_id: str, if_match: str | None) -> None:
    from shared.domain.models import jobs

    model, _ = await access_model(principal, model_id, "write")
    now = clock.now_iso()
    try:
        # The cleanup is recorded before the soft delete and relayed after it (it does nothing to a live model).
        async with outbox.pending(store.MODELS, model_id, [jobs.cleanup_effect(model_id)]):
            await model_docs.patch(
                model_id, model_id,
                [Patch("set", "/deleted", True), Patch("set", "/deleted_at", now), Patch("set", "/updated_at", now)],
                if_match=parse_if_match(if_match), condition=[Where("deleted", "=", False)])
    except PreconditionFailed:
        raise PreconditionFailed("The model changed since you read it; read it again.",
                                 code="model_changed") from None
    await _release_name(model["owner_id"], model["name_key"], model_id)
    if active := model.get("active_job_id"):
        await jobs.request_cancel_by_id(active)


# ------------------------------------------------------------------------------------------------- grants


def _grant_list(model: ModelDoc) -> GrantList:
    return GrantList(items=[GrantPublic(**g) for g in model.get("grants", [])])


async def check_list_grants(principal: Principal, model_id: str) -> GrantList:
    model, _ = await access_model(principal, model_id, "write")
    return _grant_list(model)


async def check_put_grant(principal: Principal, model_id: str, user_id: str, body: GrantBody) -> GrantPublic:
    model, _ = await access_model(principal, model_id, "write")
    if user_id == model["owner_id"]:
        raise ValidationFailed("The owner already has every right.", code="grant_to_owner")
    await access_grantee(user_id)
    grant = GrantPublic(user_id=user_id, role=body.role, granted_at=clock.now_iso())

    def change(grants: list[GrantDoc]) -> list[GrantDoc]:
        return [*(g for g in grants if g["user_id"] != user_id),
                {"user_id": grant.user_id, "role": grant.role, "granted_at": grant.granted_at}]

    await _rewrite_grants(model_id, change)
    return grant


async def check_delete_grant(principal: Principal, model_id: str, user_id: str) -> None:
    model, _ = await access_model(principal, model_id, "write")
    if not any(g["user_id"] == user_id for g in model.get("grants", [])):
        raise NotFound("This user has no grant on the model.", code="grant_not_found")
    await _rewrite_grants(model_id, lambda grants: [g for g in grants if g["user_id"] != user_id])


async def _rewrite_grants(model_id: str, change: Callable[[list[GrantDoc]], list[GrantDoc]]) -> ModelDoc:
    """Read-modify-write with the document's ETag, retried: worker updates to the same model are frequent."""
    for _ in range(5):
        model = await store.read_model_doc(model_id)
        grants = change(list(model.get("grants", [])))
        try:
            return await model_docs.patch(model_id, model_id, [
                Patch("set", "/grants", grants), Patch("set", "/grantees", [g["user_id"] for g in grants]),
                Patch("set", "/updated_at", clock.now_iso())], if_match=model.get("_etag"))
        except PreconditionFailed:
            continue
    raise Conflict("The model is busy; try again.", code="model_busy")
