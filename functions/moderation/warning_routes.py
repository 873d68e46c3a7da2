"""My warnings: /api/warnings (list) and /api/warnings/{id}/acknowledge. Moderators warn through report actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.moderation import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import warning_models, warnings
else:
    warnings = lazy_module("shared.domain.moderation.warnings")
    warning_models = lazy_models("shared.domain.moderation.warning_models")


@bp.route(route="warnings", methods=["GET"])
@endpoint(summary="The warnings moderators gave me, newest first", query=warning_models.WarningListQuery,
          response=warning_models.WarningPage, tags=["moderation"])
async def my_warnings(call: Call) -> warning_models.WarningPage:
    return await warnings.check_list_mine(call.user, call.query)


@bp.route(route="warnings/{warning_id}/acknowledge", methods=["POST"])
@endpoint(summary="Acknowledge a warning: it no longer shows on /api/auth/me", path=warning_models.WarningPath,
          response=warning_models.WarningPublic, tags=["moderation"])
async def acknowledge_warning(call: Call) -> warning_models.WarningPublic:
    return await warnings.check_acknowledge(call.user, call.path.warning_id)
