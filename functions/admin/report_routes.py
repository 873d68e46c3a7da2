"""TopicsFlow's administrators' report routes: /api/admin/reports (the whole queue) and its action route."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.admin import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import actions, report_models, reports
else:
    actions = lazy_module("shared.domain.moderation.actions")
    reports = lazy_module("shared.domain.moderation.reports")
    report_models = lazy_models("shared.domain.moderation.report_models")


@bp.route(route="admin/reports", methods=["GET"])
@endpoint(summary="Every report, filtered by status, kind and place (admin)", auth="admin",
          query=report_models.ReportQueueQuery, response=report_models.ReportViewPage, tags=["admin"])
async def admin_reports(call: Call) -> report_models.ReportViewPage:
    return await reports.check_queue(call.user, call.query, admin_only=True)


@bp.route(route="admin/reports/{report_id}/action", methods=["POST"])
@endpoint(summary="Act on a report as an administrator (remove_content works whether or not you moderate the place)",
          auth="admin", path=report_models.ReportPath, body=report_models.ReportActionBody,
          response=report_models.ReportActionResult, errors=(409,), tags=["admin"])
async def admin_act_on_report(call: Call[report_models.ReportActionBody]) -> report_models.ReportActionResult:
    return await actions.check_action(call.user, call.path.report_id, call.body, admin_route=True)


@bp.route(route="admin/reports/{report_id}/reopen", methods=["POST"])
@endpoint(summary="Reopen a resolved or dismissed report (admin; TopicsFlow's path for the reopen action)",
          auth="admin", path=report_models.ReportPath, response=report_models.ReportActionResult, errors=(409,),
          tags=["admin"])
async def admin_reopen_report(call: Call) -> report_models.ReportActionResult:
    return await actions.check_action(call.user, call.path.report_id, report_models.ReportActionBody(action="reopen"),
                                      admin_route=True)
