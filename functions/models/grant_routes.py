from functions.models import bp
from shared.domain.models import manage
from shared.domain.models.schemas import GrantBody, GrantList, GrantPath, GrantPublic, ModelPath
from shared.http.endpoint import Call, Reply, endpoint


@bp.route(route="models/{model_id}/grants", methods=["GET"])
@endpoint(summary="Who the model is shared with", path=ModelPath, response=GrantList, errors=[403, 404])
async def list_model_grants(call: Call) -> GrantList:
    return await manage.check_list_grants(call.user, call.path.model_id)


@bp.route(route="models/{model_id}/grants/{user_id}", methods=["PUT"])
@endpoint(summary="Share the model with a user as viewer or trainer", path=GrantPath, body=GrantBody,
          response=GrantPublic, errors=[403, 404, 422])
async def put_model_grant(call: Call) -> GrantPublic:
    return await manage.check_put_grant(call.user, call.path.model_id, call.path.user_id, call.body)


@bp.route(route="models/{model_id}/grants/{user_id}", methods=["DELETE"])
@endpoint(summary="Stop sharing the model with a user", path=GrantPath, status=204, errors=[403, 404])
async def delete_model_grant(call: Call) -> Reply:
    await manage.check_delete_grant(call.user, call.path.model_id, call.path.user_id)
    return Reply(status=204)
