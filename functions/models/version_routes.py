from __future__ import annotations

from typing import TYPE_CHECKING

from functions.models import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.models import schemas, versions
else:
    versions = lazy_module("shared.domain.models.versions")
    schemas = lazy_models("shared.domain.models.schemas")


@bp.route(route="models/{model_id}/versions", methods=["GET"])
@endpoint(summary="A model's versions, newest first", path=schemas.ModelPath, query=schemas.ModelsPageQuery,
          response=schemas.VersionPage, errors=[404, 422])
async def list_model_versions(call: Call) -> schemas.VersionPage:
    return await versions.check_list_versions(call.user, call.path.model_id, call.query)


@bp.route(route="models/{model_id}/versions/{number:int}", methods=["GET"])
@endpoint(summary="One version: parameters, metrics, data lineage, artifact hash and library versions",
          path=schemas.VersionPath, response=schemas.VersionPublic, errors=[404])
async def get_model_version(call: Call) -> schemas.VersionPublic:
    return await versions.check_get_version(call.user, call.path.model_id, call.path.number)


@bp.route(route="models/{model_id}/versions/{number:int}/promote", methods=["POST"])
@endpoint(summary="Make a version the current one", path=schemas.VersionPath, response=schemas.ModelPublic,
          errors=[403, 404, 412])
async def promote_model_version(call: Call) -> schemas.ModelPublic:
    return await versions.check_promote(call.user, call.path.model_id, call.path.number)


@bp.route(route="models/{model_id}/rollback", methods=["POST"])
@endpoint(summary="Make the previously current version current again", path=schemas.ModelPath,
          response=schemas.ModelPublic, errors=[403, 404, 409, 412])
async def rollback_model_version(call: Call) -> schemas.ModelPublic:
    return await versions.check_rollback(call.user, call.path.model_id)


@bp.route(route="models/{model_id}/versions/{number:int}/artifact", methods=["GET"])
@endpoint(summary="Short-lived signed URLs to a version's skops artifact and manifest (owner only)",
          path=schemas.VersionPath, response=schemas.ArtifactDownload, errors=[403, 404])
async def get_model_artifact(call: Call) -> schemas.ArtifactDownload:
    return await versions.check_artifact_download(call.user, call.path.model_id, call.path.number)
