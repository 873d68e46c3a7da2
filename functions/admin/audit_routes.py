"""The site's audit log, for administrators: /api/admin/audit-log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.admin import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import audit_log, audit_models
else:
    audit_log = lazy_module("shared.domain.moderation.audit_log")
    audit_models = lazy_models("shared.domain.moderation.audit_models")


@bp.route(route="admin/audit-log", methods=["GET"])
@endpoint(summary="Every moderator and administrator action, newest first (admin)", auth="admin",
          query=audit_models.AuditQuery, response=audit_models.AuditPage, tags=["admin"])
async def admin_audit_log(call: Call) -> audit_models.AuditPage:
    return await audit_log.check_list_site_log(call.user, call.query)
