"""A topic's audit log (its moderators) and its public modlog (anyone who may see the topic)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.moderation import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.moderation import audit_log, audit_models
else:
    audit_log = lazy_module("shared.domain.moderation.audit_log")
    audit_models = lazy_models("shared.domain.moderation.audit_models")


@bp.route(route="topics/{topic_id}/audit-log", methods=["GET"])
@endpoint(summary="A topic's audit log: every moderator action in it (its owner, moderators and administrators)",
          path=audit_models.PlaceTopicPath, query=audit_models.AuditQuery, response=audit_models.AuditPage,
          errors=(404,), tags=["moderation"])
async def topic_audit_log(call: Call) -> audit_models.AuditPage:
    return await audit_log.check_list_topic_log(call.user, call.path.topic_id, call.query)


@bp.route(route="topics/{topic_id}/modlog", methods=["GET"])
@endpoint(summary="A topic's public modlog (moderators' names only when the site shows them)", auth="optional",
          path=audit_models.PlaceTopicPath, query=audit_models.ModlogQuery, response=audit_models.ModlogPage,
          errors=(404,), tags=["moderation"])
async def topic_modlog(call: Call) -> audit_models.ModlogPage:
    return await audit_log.check_modlog(call.principal, call.path.topic_id, call.query)
