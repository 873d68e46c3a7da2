"""Report actions: one call acts and records (POST /api/reports/{id}/action, /api/admin/reports/{id}/action).

| action          | who                                        | what it does                                         |
|-----------------|--------------------------------------------|------------------------------------------------------|
| remove_content  | moderators with the kind's permission,     | the content is removed (gone from lists and groups), |
|                 | administrators (moderators or not)         | as a moderator's removal                             |
| warn_user       | moderators, administrators                 | a warning the author must acknowledge, user_warning  |
| mute_in_place   | moderators with mute_users, administrators | the author is muted in the topic                     |
| ban_in_place    | moderators with ban_users, administrators  | the author is banned from the topic                  |
| ban_site        | administrators                             | site ban: sessions end, sockets close                |
| resolve         | moderators, administrators                 | resolved with no other action                        |
| dismiss         | moderators, administrators                 | dismissed                                            |
| escalate        | moderators, administrators                 | escalated to administrators (admin_notification)     |
| reopen          | moderators, administrators                 | a closed report is open again                        |

TopicsFlow's names are aliases: delete_content = remove_content, ban_user = ban_site. Acting actions and dismiss
close every open report on the same target with the same outcome. Each action is one audit entry (the moderation
function it calls writes it, with the report id, or this module does). Someone who may not see the report gets 404,
whatever ids they pass; someone who sees it but lacks the permission, 403.
"""

from __future__ import annotations

from shared.domain.identity import Principal
from shared.domain.moderation import audit_log, reports, warnings
from shared.domain.moderation.notify import notify_admins
from shared.domain.moderation.places import PlaceAccess, parse_place
from shared.domain.moderation.report_models import ReportActionBody, ReportActionResult
from shared.domain.moderation.targets import Located, target_kind
from shared.errors import Conflict, Forbidden, ValidationFailed

ALIASES = {"delete_content": "remove_content", "ban_user": "ban_site"}
OUTCOMES = {"remove_content": "content_removed", "warn_user": "user_warned", "mute_in_place": "user_muted",
            "ban_in_place": "user_banned_in_place", "ban_site": "user_banned", "resolve": "resolved",
            "dismiss": "dismissed"}
DEFAULT_REASON = "Reported content."


def _missing(permission: str) -> Forbidden:
    return Forbidden("You do not have the permission to do this here.", code="missing_permission",
                     details={"permission": permission})


def _author(doc: reports.ReportDoc, principal: Principal) -> str:
    author = doc.get("author_id")
    if not author:
        raise Conflict("Nobody to act on: the author's account is gone.", code="author_gone")
    if author == principal.user_id:
        raise Conflict("You cannot do this to yourself.", code="cannot_target_self")
    return author


def _topic_of(doc: reports.ReportDoc) -> str:
    if doc["place_kind"] != "topic" or not doc.get("place_id"):
        raise Conflict("This report is not about something in a topic.", code="not_in_a_place")
    return doc["place_id"] or ""


async def _act(principal: Principal, access: PlaceAccess, doc: reports.ReportDoc, action: str,
               body: ReportActionBody) -> None:
    """The side effect of an acting action (its audit entry included)."""
    reason = body.reason or DEFAULT_REASON
    if action == "remove_content":
        kind = target_kind(doc["kind"])
        if kind.remove_permission is None:
            raise Conflict("A user is not content: warn or ban them instead.", code="nothing_to_remove")
        if not access.can(kind.remove_permission):
            raise _missing(kind.remove_permission)
        located = Located(kind=doc["kind"], target_id=doc["target_id"], place=parse_place(doc["place_key"]),
                          author_id=doc.get("author_id"), excerpt=doc.get("excerpt"), post_id=doc.get("post_id"))
        if not await kind.remove(principal, located, reason, doc["id"]):
            raise Conflict("The content was already removed.", code="already_removed")
    elif action == "warn_user":
        message = body.message or body.reason
        if not message:
            raise ValidationFailed("A warning needs a message.", code="warning_message_required",
                                   details={"fields": [{"field": "body.message", "reason": "required"}]})
        await warnings.do_warn(principal, _author(doc, principal), message, place=access.place, report_id=doc["id"])
    elif action == "mute_in_place":
        from shared.domain.communities import moderation
        from shared.domain.communities.moderation_models import MuteCreate

        if not access.can("mute_users"):
            raise _missing("mute_users")
        await moderation.check_mute(principal, _topic_of(doc), MuteCreate(
            user_id=_author(doc, principal), reason=body.reason, duration_minutes=body.duration_minutes),
            report_id=doc["id"])
    elif action == "ban_in_place":
        from shared.domain.communities import moderation
        from shared.domain.communities.moderation_models import BanCreate

        if not access.can("ban_users"):
            raise _missing("ban_users")
        await moderation.check_ban(principal, _topic_of(doc), BanCreate(
            user_id=_author(doc, principal), reason=body.reason, duration_days=body.duration_days),
            report_id=doc["id"])
    elif action == "ban_site":
        from shared.domain.accounts.admin import check_ban_user
        from shared.domain.accounts.models import BanBody

        if not principal.is_admin:
            raise Forbidden("Only administrators ban from the site.", code="admin_required")
        await check_ban_user(principal, _author(doc, principal), BanBody(reason=reason if len(reason) >= 3
                                                                        else DEFAULT_REASON), report_id=doc["id"])
    else:  # resolve, dismiss: nothing but the record
        await audit_log.record(principal, f"report.{action}", place=access.place, target_kind=doc["kind"],
                               target_id=doc["target_id"], target_user_id=doc.get("author_id"),
                               reason=body.reason, public=False, report_id=doc["id"])


async def check_action(principal: Principal, report_id: str, body: ReportActionBody, *,
                       admin_route: bool = False) -> ReportActionResult:
    if admin_route and not principal.is_admin:
        raise Forbidden("Administrators only.", code="admin_required")
    doc, access = await reports.access_report(principal, report_id)
    if access is None:  # its reporter, who may read it but not act on it
        raise reports.report_not_found()
    action = ALIASES.get(body.action, body.action)
    if action == "reopen":
        if doc["status"] in reports.OPEN_STATES:
            raise Conflict("This report is still open.", code="report_not_closed")
        updated = await reports.set_status(doc, "open", principal, body.reason)
        await audit_log.record(principal, "report.reopen", place=access.place, target_kind=doc["kind"],
                               target_id=doc["target_id"], target_user_id=doc.get("author_id"), reason=body.reason,
                               public=False, report_id=doc["id"])
        return ReportActionResult(report=reports.view(updated, moderator=True), action=action, reports_closed=0)
    if doc["status"] not in reports.OPEN_STATES:
        raise Conflict("This report was already closed; reopen it first.", code="report_closed")
    if action == "escalate":
        if doc["status"] == "escalated":
            raise Conflict("This report was already escalated.", code="already_escalated")
        updated = await reports.set_status(doc, "escalated", principal, body.reason)
        await audit_log.record(principal, "report.escalate", place=access.place, target_kind=doc["kind"],
                               target_id=doc["target_id"], target_user_id=doc.get("author_id"), reason=body.reason,
                               public=False, report_id=doc["id"])
        await notify_admins("report_escalated", {"report_id": doc["id"], "kind": doc["kind"],
                                                 "place": doc["place_key"]}, except_user=principal.user_id)
        return ReportActionResult(report=reports.view(updated, moderator=True), action=action, reports_closed=0)
    await _act(principal, access, doc, action, body)
    outcome = OUTCOMES[action]
    closed = await reports.close_target_reports(doc["pk"], "dismissed" if action == "dismiss" else "resolved",
                                                outcome, principal, body.reason)
    from shared.domain.moderation import admin_stats

    await admin_stats.bump({f"action_{action}": 1})
    mine = next((c for c in closed if c["id"] == doc["id"]), None) or await reports.load_report(doc["id"])
    return ReportActionResult(report=reports.view(mine, moderator=True), action=action, reports_closed=len(closed))
