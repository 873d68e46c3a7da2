from __future__ import annotations

from typing import TYPE_CHECKING

from functions.models import bp
from shared.http.endpoint import IF_MATCH, Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.models import manage, schemas
else:
    manage = lazy_module("shared.domain.models.manage")
    schemas = lazy_models("shared.domain.models.schemas")


@bp.route(route="models", methods=["POST"])
@endpoint(summary="Create a model from a model type", body=schemas.ModelCreate, response=schemas.ModelPublic,
          status=201, errors=[403, 409, 422], idempotent=True)
async def create_model(call: Call) -> Reply:
    model, headers = await manage.check_create_model(call.user, call.body)
    return Reply(model, headers={**headers, "Location": f"/api/models/{model.id}"})


@bp.route(route="models", methods=["GET"])
@endpoint(summary="List models (yours, shared with you, or all for admins) with filters", query=schemas.ModelListQuery,
          response=schemas.ModelPage, errors=[403, 422])
async def list_models(call: Call) -> schemas.ModelPage:
    return await manage.check_list_models(call.user, call.query)


@bp.route(route="models/{model_id}", methods=["GET"])
@endpoint(summary="Read a model (ETag header for If-Match)", path=schemas.ModelPath, response=schemas.ModelPublic,
          errors=[404])
async def get_model(call: Call) -> Reply:
    model, headers = await manage.check_get_model(call.user, call.path.model_id)
    return Reply(model, headers=headers)


@bp.route(route="models/{model_id}", methods=["PATCH"])
@endpoint(summary="Change a model's name, parameters, description or tags (only the fields sent; If-Match)",
          path=schemas.ModelPath, body=schemas.ModelUpdate, response=schemas.ModelPublic,
          errors=[403, 404, 409, 412, 422], headers=[IF_MATCH])
async def update_model(call: Call) -> Reply:
    model, headers = await manage.check_update_model(call.user, call.path.model_id, call.body,
                                                     call.header("If-Match"))
    return Reply(model, headers=headers)


@bp.route(route="models/{model_id}", methods=["DELETE"])
@endpoint(summary="Delete a model (soft; its files are removed by a background job)", path=schemas.ModelPath,
          status=204, errors=[403, 404, 412, 503], headers=[IF_MATCH])
async def delete_model(call: Call) -> None:
    await manage.check_delete_model(call.user, call.path.model_id, call.header("If-Match"))
