"""Versions: list and read, promote or roll back the current one, download an artifact (owner only)."""

from __future__ import annotations

from shared import clock, wiring
from shared.domain import cursors
from shared.domain.identity import Principal
from shared.domain.models.access import access_model
from shared.domain.models.documents import ModelDoc, VersionDoc, model_docs, version_docs
from shared.domain.models.manage import model_public
from shared.domain.models.schemas import (
    ArtifactDownload,
    ArtifactInfo,
    ModelPublic,
    ModelsPageQuery,
    VersionPage,
    VersionPublic,
)
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where
from shared.settings import get_settings

_version_docs: dict[tuple[str, int], VersionDoc] = {}  # versions never change; a bounded per-worker memo
_MEMO_LIMIT = 2048


def version_public(doc: VersionDoc, current: int | None) -> VersionPublic:
    artifact = doc["artifact"]
    return VersionPublic(number=doc["number"], model_id=doc["model_id"], job_id=doc["job_id"], kind=doc["kind"],
                         parent_version=doc.get("parent_version"), params=doc["params"], features=doc["features"],
                         target=doc.get("target"), classes=doc.get("classes"), metrics=doc["metrics"],
                         split=doc["split"], data=dict(doc["data"]),
                         artifact=ArtifactInfo(format=artifact["format"], sha256=artifact["sha256"],
                                               size=artifact["size"], library_versions=artifact["library_versions"]),
                         created_by=doc["created_by"], created_at=doc["created_at"], fit_seconds=doc["fit_seconds"],
                         is_current=doc["number"] == current)


async def version_doc(model_id: str, number: int) -> VersionDoc:
    key = (model_id, number)
    found = _version_docs.get(key)
    if found is not None:
        return found
    page = await version_docs.query(Query(where=[Where("number", "=", number)]), pk=model_id,
                                          limit=1)
    if not page.items:
        raise NotFound("Version not found.", code="version_not_found")
    if len(_version_docs) >= _MEMO_LIMIT:
        _version_docs.clear()
    _version_docs[key] = page.items[0]
    return page.items[0]


def forget_model(model_id: str) -> None:
    for key in [k for k in _version_docs if k[0] == model_id]:
        del _version_docs[key]


async def check_list_versions(principal: Principal, model_id: str, query: ModelsPageQuery) -> VersionPage:
    model, _ = await access_model(principal, model_id, "read")
    scope = f"versions:{model_id}"
    page = await version_docs.query(Query(order_by=[("number", "desc")]), pk=model_id,
                                    limit=query.limit, continuation=cursors.continuation(scope, query.cursor))
    current = model.get("current_version")
    return VersionPage(items=[version_public(d, current) for d in page.items],
                       next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_get_version(principal: Principal, model_id: str, number: int) -> VersionPublic:
    model, _ = await access_model(principal, model_id, "read")
    return version_public(await version_doc(model_id, number), model.get("current_version"))


async def check_promote(principal: Principal, model_id: str, number: int) -> ModelPublic:
    model, role = await access_model(principal, model_id, "write")
    await version_doc(model_id, number)
    return model_public(await _set_current(model, number), role)


async def check_rollback(principal: Principal, model_id: str) -> ModelPublic:
    """Back to the version that was current before the last promotion (or automatic promotion by training)."""
    model, role = await access_model(principal, model_id, "write")
    previous = model.get("previous_version")
    if previous is None:
        raise Conflict("There is no earlier current version to roll back to.", code="no_previous_version")
    return model_public(await _set_current(model, previous), role)


async def _set_current(model: ModelDoc, number: int) -> ModelDoc:
    if model.get("current_version") == number:
        return model
    try:
        return await model_docs.patch(model["id"], model["id"],
            [Patch("set", "/current_version", number), Patch("set", "/previous_version", model["current_version"]),
             Patch("set", "/status", "ready"), Patch("set", "/updated_at", clock.now_iso())],
            if_match=model.get("_etag"))
    except PreconditionFailed:
        raise PreconditionFailed("The model changed meanwhile; try again.", code="model_changed") from None


async def check_artifact_download(principal: Principal, model_id: str, number: int) -> ArtifactDownload:
    await access_model(principal, model_id, "own")
    doc = await version_doc(model_id, number)
    artifact = doc["artifact"]
    ttl = get_settings().models_url_ttl_seconds
    blobs = wiring.blobs()
    url = await blobs.read_url(artifact["container"], artifact["name"], expires_in_seconds=ttl,
                               download_name=f"model-{model_id}-v{number}.skops")
    manifest_url = await blobs.read_url(artifact["container"], artifact["manifest_name"], expires_in_seconds=ttl,
                                        download_name=f"model-{model_id}-v{number}.manifest.json")
    return ArtifactDownload(url=url, manifest_url=manifest_url,
                            expires_at=clock.later_iso(seconds=ttl),
                            artifact=ArtifactInfo(format=artifact["format"], sha256=artifact["sha256"],
                                                  size=artifact["size"],
                                                  library_versions=artifact["library_versions"]))
