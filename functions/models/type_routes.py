from __future__ import annotations

from functions.models import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

model_types = lazy_module("shared.domain.models.types")
quotas = lazy_module("shared.domain.models.quotas")
schemas = lazy_models("shared.domain.models.schemas")
route_models = lazy_models("functions.models.route_models")


@bp.route(route="models/types", methods=["GET"])
@endpoint(summary="The catalogue of model types, with parameter schemas and capabilities", auth="none",
          response=route_models.ModelTypeList)
async def list_model_types(call: Call) -> route_models.ModelTypeList:
    return route_models.ModelTypeList(items=model_types.list_types())


@bp.route(route="models/types/{type_key}", methods=["GET"])
@endpoint(summary="One model type", auth="none", path=schemas.TypePath, response=route_models.ModelTypePublic,
          errors=[404])
async def get_model_type(call: Call) -> route_models.ModelTypePublic:
    return route_models.ModelTypePublic(**model_types.get_type(call.path.type_key).describe())


@bp.route(route="models/usage", methods=["GET"])
@endpoint(summary="Your model quotas and how much of each you use", response=route_models.ModelUsage)
async def get_model_usage(call: Call) -> route_models.ModelUsage:
    return route_models.ModelUsage(**await quotas.usage(call.user.user_id))
