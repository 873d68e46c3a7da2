from __future__ import annotations

from typing import TYPE_CHECKING

from functions.models import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.models import quotas, schemas
    from shared.domain.models import types as model_types
else:
    model_types = lazy_module("shared.domain.models.types")
    quotas = lazy_module("shared.domain.models.quotas")
    schemas = lazy_models("shared.domain.models.schemas")


@bp.route(route="models/types", methods=["GET"])
@endpoint(summary="The catalogue of model types, with parameter schemas and capabilities", auth="none",
          response=schemas.ModelTypeList)
async def list_model_types(call: Call) -> schemas.ModelTypeList:
    return schemas.ModelTypeList(items=model_types.list_types())


@bp.route(route="models/types/{type_key}", methods=["GET"])
@endpoint(summary="One model type", auth="none", path=schemas.TypePath, response=schemas.ModelTypePublic,
          errors=[404])
async def get_model_type(call: Call) -> schemas.ModelTypePublic:
    return model_types.get_type(call.path.type_key).describe()


@bp.route(route="models/usage", methods=["GET"])
@endpoint(summary="Your model quotas and how much of each you use", response=schemas.ModelUsage)
async def get_model_usage(call: Call) -> schemas.ModelUsage:
    return await quotas.usage(call.user.user_id)
