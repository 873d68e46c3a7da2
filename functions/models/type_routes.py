from typing import Any

from pydantic import BaseModel

from functions.models import bp
from shared.domain.models import quotas
from shared.domain.models.schemas import TypePath
from shared.domain.models.types import get_type, list_types
from shared.http.endpoint import Call, endpoint


class ModelTypePublic(BaseModel):
    key: str
    title: str
    description: str
    task: str
    estimator: str
    requires_target: bool
    parameters: dict[str, Any]
    input: str
    output: str
    capabilities: dict[str, Any]


class ModelTypeList(BaseModel):
    items: list[ModelTypePublic]


class QuotaUse(BaseModel):
    used: int
    limit: int


class ModelUsage(BaseModel):
    models: QuotaUse
    active_jobs: QuotaUse
    artifact_bytes: QuotaUse


@bp.route(route="models/types", methods=["GET"])
@endpoint(summary="The catalogue of model types, with parameter schemas and capabilities", auth="none",
          response=ModelTypeList)
async def list_model_types(call: Call) -> ModelTypeList:
    return ModelTypeList(items=list_types())


@bp.route(route="models/types/{type_key}", methods=["GET"])
@endpoint(summary="One model type", auth="none", path=TypePath, response=ModelTypePublic, errors=[404])
async def get_model_type(call: Call) -> ModelTypePublic:
    return ModelTypePublic(**get_type(call.path.type_key).describe())


@bp.route(route="models/usage", methods=["GET"])
@endpoint(summary="Your model quotas and how much of each you use", response=ModelUsage)
async def get_model_usage(call: Call) -> ModelUsage:
    return ModelUsage(**await quotas.usage(call.user.user_id))
