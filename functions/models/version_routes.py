from functions.models import bp
from shared.domain.models import versions
from shared.domain.models.schemas import (
    ArtifactDownload,
    ModelPath,
    ModelPublic,
    PageQuery,
    VersionPage,
    VersionPath,
    VersionPublic,
)
from shared.http.endpoint import Call, endpoint


@bp.route(route="models/{model_id}/versions", methods=["GET"])
@endpoint(summary="A model's versions, newest first", path=ModelPath, query=PageQuery, response=VersionPage,
          errors=[404, 422])
async def list_model_versions(call: Call) -> VersionPage:
    return await versions.check_list_versions(call.user, call.path.model_id, call.query)


@bp.route(route="models/{model_id}/versions/{number:int}", methods=["GET"])
@endpoint(summary="One version: parameters, metrics, data lineage, artifact hash and library versions",
          path=VersionPath, response=VersionPublic, errors=[404])
async def get_model_version(call: Call) -> VersionPublic:
    return await versions.check_get_version(call.user, call.path.model_id, call.path.number)


@bp.route(route="models/{model_id}/versions/{number:int}/promote", methods=["POST"])
@endpoint(summary="Make a version the current one", path=VersionPath, response=ModelPublic,
          errors=[403, 404, 412])
async def promote_model_version(call: Call) -> ModelPublic:
    return await versions.check_promote(call.user, call.path.model_id, call.path.number)


@bp.route(route="models/{model_id}/rollback", methods=["POST"])
@endpoint(summary="Make the previously current version current again", path=ModelPath, response=ModelPublic,
          errors=[403, 404, 409, 412])
async def rollback_model_version(call: Call) -> ModelPublic:
    return await versions.check_rollback(call.user, call.path.model_id)


@bp.route(route="models/{model_id}/versions/{number:int}/artifact", methods=["GET"])
@endpoint(summary="Short-lived signed URLs to a version's skops artifact and manifest (owner only)",
          path=VersionPath, response=ArtifactDownload, errors=[403, 404])
async def get_model_artifact(call: Call) -> ArtifactDownload:
    return await versions.check_artifact_download(call.user, call.path.model_id, call.path.number)
