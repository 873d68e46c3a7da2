from __future__ import annotations

from typing import TYPE_CHECKING

from functions.models import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.models import manage, schemas
else:
    manage = lazy_module("shared.domain.models.manage")
    schemas = lazy_models("shared.domain.models.schemas")


@bp.route(route="models/{model_id}/grants", methods=["GET"])
@endpoint(summary="Who the model is shared with", path=schemas.ModelPath, response=schemas.GrantList, errors=[403, 404])
async def list_model_grants(call: Call) -> schemas.GrantList:
    return await manage.check_list_grants(call.user, call.path.model_id)


@bp.route(route="models/{model_id}/grants/{user_id}", methods=["PUT"])
@endpoint(summary="Share the model with a user as viewer or trainer", path=schemas.GrantPath, body=schemas.GrantBody,
          response=schemas.GrantPublic, errors=[403, 404, 422])
async def put_model_grant(call: Call) -> schemas.GrantPublic:
    return await manage.check_put_grant(call.user, call.path.model_id, call.path.user_id, call.body)


@bp.route(route="models/{model_id}/grants/{user_id}", methods=["DELETE"])
@endpoint(summary="Stop sharing the model with a user", path=schemas.GrantPath, status=204, errors=[403, 404])
async def delete_model_grant(call: Call) -> None:
    await manage.check_delete_grant(call.user, call.path.model_id, call.path.user_id)
