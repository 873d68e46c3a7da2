from pydantic import BaseModel

from functions.platform import bp
from shared.domain.platform import health
from shared.http.endpoint import Call, Reply, endpoint


class HealthPublic(BaseModel):
    status: str
    stack: str
    version: str
    dependencies: dict[str, health.DependencyStatus]


@bp.route(route="health", methods=["GET"])
@endpoint(summary="Readiness of the app and each dependency", auth="none", response=HealthPublic, errors=[503])
async def get_health(call: Call) -> Reply:
    report = await health.check_dependencies()
    return Reply(report, status=200 if report["status"] == "ok" else 503)
