"""Reports and the review queue: /api/reports (filing, mine, one, the queue, actions). Who may see and do what is
decided in shared/domain/moderation (reports.py, actions.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.moderation import bp
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import actions, report_models, reports
else:
    actions = lazy_module("shared.domain.moderation.actions")
    reports = lazy_module("shared.domain.moderation.reports")
    report_models = lazy_models("shared.domain.moderation.report_models")

REPORT_RATE = RateRule("reports_create", 30, 3600, per="user")
ACTION_RATE = RateRule("report_actions", 300, 600, per="user")


@bp.route(route="reports", methods=["POST"])
@endpoint(summary="Report a post, comment, user or profile image to its moderators (once per target)",
          body=report_models.ReportFile, response=report_models.ReportFiled, status=201, errors=(404, 409),
          rate_limits=[REPORT_RATE], idempotent=True, tags=["moderation"],
          description="The place (and so who reviews it) comes from the target, never from the request. 409 "
                      "`already_reported` while your earlier report on it is open, `cannot_report_self` for "
                      "yourself or your own content.")
async def file_report(call: Call[report_models.ReportFile]) -> report_models.ReportFiled:
    return await reports.check_file_report(call.user, call.body)


@bp.route(route="reports/my", methods=["GET"])
@endpoint(summary="The reports I filed, newest first", query=report_models.MyReportsQuery,
          response=report_models.ReportViewPage, tags=["moderation"])
async def my_reports(call: Call) -> report_models.ReportViewPage:
    return await reports.check_my_reports(call.user, call.query)


@bp.route(route="reports", methods=["GET"])
@endpoint(summary="The review queue: reports in the places I moderate (administrators: all)",
          query=report_models.ReportQueueQuery, response=report_models.ReportViewPage, tags=["moderation"])
async def report_queue(call: Call) -> report_models.ReportViewPage:
    return await reports.check_queue(call.user, call.query)


@bp.route(route="reports/statistics", methods=["GET"])
@endpoint(summary="Reports per status in a place I moderate (administrators: also the whole site)",
          query=report_models.ReportStatsQuery, response=report_models.PlaceReportStats, errors=(403, 404),
          tags=["moderation"])
async def report_statistics(call: Call) -> report_models.PlaceReportStats:
    return await reports.check_statistics(call.user, call.query)


@bp.route(route="reports/{report_id}", methods=["GET"])
@endpoint(summary="One report (its reporter, the place's moderators, administrators)", path=report_models.ReportPath,
          response=report_models.ReportView, tags=["moderation"])
async def get_report(call: Call) -> report_models.ReportView:
    return await reports.check_get_report(call.user, call.path.report_id)


@bp.route(route="reports/{report_id}/action", methods=["POST"])
@endpoint(summary="Act on a report: remove the content, warn, mute or ban the author, dismiss, escalate, reopen",
          path=report_models.ReportPath, body=report_models.ReportActionBody,
          response=report_models.ReportActionResult, errors=(403, 409), rate_limits=[ACTION_RATE],
          tags=["moderation"])
async def act_on_report(call: Call[report_models.ReportActionBody]) -> report_models.ReportActionResult:
    return await actions.check_action(call.user, call.path.report_id, call.body)


@bp.route(route="reports/{report_id}/dismiss", methods=["POST"])
@endpoint(summary="Dismiss a report (TopicsFlow's path for the dismiss action)", path=report_models.ReportPath,
          response=report_models.ReportActionResult, errors=(403, 409), rate_limits=[ACTION_RATE],
          tags=["moderation"])
async def dismiss_report(call: Call) -> report_models.ReportActionResult:
    return await actions.check_action(call.user, call.path.report_id, report_models.ReportActionBody(action="dismiss"))


@bp.route(route="reports/{report_id}/escalate", methods=["POST"])
@endpoint(summary="Escalate a report to the administrators (TopicsFlow's path for the escalate action)",
          path=report_models.ReportPath, response=report_models.ReportActionResult, errors=(403, 409),
          rate_limits=[ACTION_RATE], tags=["moderation"])
async def escalate_report(call: Call) -> report_models.ReportActionResult:
    return await actions.check_action(call.user, call.path.report_id,
                                      report_models.ReportActionBody(action="escalate"))
