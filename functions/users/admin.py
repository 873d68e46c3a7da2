"""Site bans, for administrators: /api/admin/users/{id}/ban."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import rate_rules
from functions.users import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import admin, models
else:
    admin = lazy_module("shared.domain.accounts.admin")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="admin/users/{user_id}/ban", methods=["POST"])
@endpoint(summary="Ban a user from the site (ends their sessions)", auth="admin", path=models.UserIdPath,
          body=models.BanBody, response=models.BanResult, errors=[401, 403, 404, 422, 429],
          rate_limits=[rate_rules.ADMIN], tags=["admin"])
async def admin_ban_user(call: Call[models.BanBody]) -> models.BanResult:
    return await admin.check_ban_user(call.user, call.path.user_id, call.body)


@bp.route(route="admin/users/{user_id}/ban", methods=["DELETE"])
@endpoint(summary="Lift a user's site ban", auth="admin", path=models.UserIdPath, response=models.BanResult,
          errors=[401, 403, 404, 422, 429], rate_limits=[rate_rules.ADMIN], tags=["admin"])
async def admin_unban_user(call: Call) -> models.BanResult:
    return await admin.check_unban_user(call.user, call.path.user_id)
