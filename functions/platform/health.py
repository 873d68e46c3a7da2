from __future__ import annotations

from typing import TYPE_CHECKING

from functions.platform import bp
from shared.http.endpoint import Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from functions.platform import route_models
    from shared.domain.platform import health
else:
    health = lazy_module("shared.domain.platform.health")
    route_models = lazy_models("functions.platform.route_models")


@bp.route(route="health", methods=["GET"])
@endpoint(summary="Readiness of the app and each dependency", auth="none", response=route_models.HealthPublic,
          alternatives={503: "Not ready: some dependency does not answer (the report says which)"})
async def get_health(call: Call) -> Reply:
    report = await health.check_dependencies()
    return Reply(report, status=None if report["status"] == "ok" else 503)
