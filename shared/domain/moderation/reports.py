"""Reports: anyone signed in reports a post, comment, user or profile image (and chat kinds once registered,
targets.py); moderators of the place and administrators review them and act (actions.py).

Storage: `moderation_reports`, pk = the target ("<kind>:<target id>"), so everything about one target (its reports
and its "summary" with the report count) is one partition: closing every report on a target is one query.
- One open report per reporter and target, enforced by the store: the id is "<kind>.<target id>.<reporter id>",
  so a second report by the same person is a create conflict (409 `already_reported`). Once their report was
  closed, reporting again reopens the same document as a new report.
- Reports by different people add up in the target's summary (`target_report_count`), and posts and comments
  keep their `report_count` too.
- The place (topic:<id>, site, ...) and the author come from the target, found on the server; the client never
  says which topic a report belongs to, so it cannot route a report to a queue it moderates.
Who sees a report: its reporter (without the moderators' notes), the place's moderators and administrators; to
anyone else it does not exist (404). The queue shows moderators only their places, whatever ids they pass.
The reported content's author is never shown (anonymous content stays anonymous); actions use it server-side.
"""

from __future__ import annotations

from typing import Literal

from shared import clock, wiring
from shared.domain import cursors
from shared.domain.identity import Principal
from shared.domain.moderation import admin_stats
from shared.domain.moderation.audit_models import ActorRef, AuditPlace
from shared.domain.moderation.containers import SUMMARY_ID, report_id, split_report_id, target_key
from shared.domain.moderation.documents import ReportDoc, TargetSummaryDoc, report_docs, summary_docs
from shared.domain.moderation.notify import notify_admins
from shared.domain.moderation.places import PlaceAccess, access_place, moderated_places, parse_place
from shared.domain.moderation.report_models import (
    MyReportsQuery,
    PlaceReportStats,
    ReportFile,
    ReportFiled,
    ReportQueueQuery,
    ReportStatsQuery,
    ReportView,
    ReportViewPage,
)
from shared.domain.moderation.targets import Located, target_kind
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

OPEN_STATES = ["open", "escalated"]


def report_not_found() -> NotFound:
    return NotFound("Report not found.", code="report_not_found")


# ---------------------------------------------------------------------------------------------------------
# filing


async def _count_on_target(located: Located) -> int:
    pk = target_key(located.kind, located.target_id)
    now = clock.now_iso()
    for _attempt in range(3):
        try:
            summary = await summary_docs.patch(pk, SUMMARY_ID, [Patch("incr", "/report_count", 1),
                                                                Patch("set", "/last_reported_at", now)])
            break
        except NotFound:
            doc: TargetSummaryDoc = {"id": SUMMARY_ID, "pk": pk, "type": "summary", "kind": located.kind,
                                     "target_id": located.target_id, "report_count": 1, "last_reported_at": now}
            try:
                summary = await summary_docs.create(doc)
                break
            except Conflict:
                continue
    else:  # pragma: no cover - three races in a row
        raise Conflict("The target is being reported right now; try again.", code="concurrent_update")
    if located.counter:
        container, cpk, cid = located.counter
        try:
            await wiring.documents().patch(container, cpk, cid, [Patch("incr", "/report_count", 1)])
        except NotFound:
            pass
    return summary["report_count"]


async def do_file_report(principal: Principal, kind_name: str, target_id: str, reason: str,
                         description: str | None = None) -> tuple[ReportDoc, int]:
    kind = target_kind(kind_name)
    located = await kind.locate(target_id, principal)
    if located.author_id == principal.user_id:
        raise Conflict("You cannot report yourself or what you wrote.", code="cannot_report_self")
    now = clock.now_iso()
    doc: ReportDoc = {
        "id": report_id(kind.name, target_id, principal.user_id), "pk": target_key(kind.name, target_id),
        "type": "report", "kind": kind.name, "target_id": target_id, "target_key": target_key(kind.name, target_id),
        "place_kind": located.place.kind, "place_id": located.place.id, "place_key": located.place.key,
        "post_id": located.post_id, "author_id": located.author_id, "reporter_id": principal.user_id,
        "reporter_username": principal.username, "reason": reason, "description": description,
        "excerpt": located.excerpt, "status": "open", "outcome": None, "notes": None, "handled_by": None,
        "handled_at": None, "created_at": now, "updated_at": now}
    previous_status: str | None = None
    try:
        created = await report_docs.create(doc)
    except Conflict:
        existing = await report_docs.find(doc["pk"], doc["id"])
        if existing is None or existing["status"] in OPEN_STATES:
            raise Conflict("You already reported this.", code="already_reported") from None
        try:  # their earlier report was closed: this is a new one
            created = await report_docs.replace(doc, if_match=existing.get("_etag"))
        except (PreconditionFailed, NotFound):
            raise Conflict("You already reported this.", code="already_reported") from None
        previous_status = existing["status"]
    count = await _count_on_target(located)
    deltas = {"reports_total": 1, "reports_open": 1}
    if previous_status:
        deltas[f"reports_{previous_status}"] = -1
    await admin_stats.bump(deltas, new={"reports_new": 1})
    await notify_admins("new_report", {"report_id": created["id"], "kind": kind.name, "target_id": target_id,
                                       "place": located.place.key, "reason": reason})
    return created, count


async def check_file_report(principal: Principal, body: ReportFile) -> ReportFiled:
    doc, count = await do_file_report(principal, body.kind, body.target_id, body.reason, body.description)
    return ReportFiled(id=doc["id"], kind=doc["kind"], target_id=doc["target_id"], status=doc["status"],
                       target_report_count=count)


# ---------------------------------------------------------------------------------------------------------
# reading


def view(doc: ReportDoc, *, moderator: bool, count: int | None = None) -> ReportView:
    base = ReportView(id=doc["id"], kind=doc["kind"], target_id=doc["target_id"],
                      place=AuditPlace(kind=doc["place_kind"], id=doc.get("place_id")), reason=doc["reason"],
                      description=doc.get("description"), excerpt=doc.get("excerpt"), status=doc["status"],
                      outcome=doc.get("outcome"), created_at=doc["created_at"], updated_at=doc["updated_at"],
                      handled_at=doc.get("handled_at"))
    if moderator:
        base.reporter = ActorRef(id=doc["reporter_id"], username=doc.get("reporter_username"))
        base.target_report_count = count
        base.notes = doc.get("notes")
        base.handled_by = doc.get("handled_by")
    return base


async def _counts(docs: list[ReportDoc]) -> dict[str, int]:
    keys = list(dict.fromkeys(doc["pk"] for doc in docs))
    if not keys:
        return {}
    summaries = await summary_docs.read_many([(pk, SUMMARY_ID) for pk in keys])
    return {s["pk"]: s.get("report_count", 0) for s in summaries}


async def load_report(report_id_value: str) -> ReportDoc:
    parts = split_report_id(report_id_value)
    if parts is None:
        raise report_not_found()
    kind, target, _reporter = parts
    doc = await report_docs.find(target_key(kind, target), report_id_value)
    if doc is None or doc.get("type") != "report":
        raise report_not_found()
    return doc


async def access_report(principal: Principal, report_id_value: str) -> tuple[ReportDoc, PlaceAccess | None]:
    """The report and the caller's moderation rights over its place (None: the caller is only its reporter);
    404 `report_not_found` for everyone else."""
    doc = await load_report(report_id_value)
    access = await access_place(principal, parse_place(doc["place_key"]))
    if access.is_moderator:
        return doc, access
    if doc["reporter_id"] == principal.user_id:
        return doc, None
    raise report_not_found()


async def check_get_report(principal: Principal, report_id_value: str) -> ReportView:
    doc, access = await access_report(principal, report_id_value)
    if access is None:
        return view(doc, moderator=False)
    return view(doc, moderator=True, count=(await _counts([doc])).get(doc["pk"]))


async def check_my_reports(principal: Principal, q: MyReportsQuery) -> ReportViewPage:
    scope = f"my-reports:{principal.user_id}"
    page = await report_docs.query(Query(where=[Where("type", "=", "report"),
                                                Where("reporter_id", "=", principal.user_id)],
                                         order_by=[("created_at", "desc")]),
                                   limit=q.limit, continuation=cursors.continuation(scope, q.cursor))
    return ReportViewPage(items=[view(doc, moderator=False) for doc in page.items],
                          next_cursor=cursors.next_cursor(scope, page.continuation))


async def check_queue(principal: Principal, q: ReportQueueQuery, *, admin_only: bool = False) -> ReportViewPage:
    """The review queue, newest first. Administrators: every place. Moderators: the places they moderate, narrowed
    by `place` (a place they do not moderate gives an empty page, like one without reports)."""
    from shared.domain.communities.access import access_site_admin

    if admin_only:
        access_site_admin(principal)
    where: list[Where] = [Where("type", "=", "report")]
    if q.status != "all":
        where.append(Where("status", "=", q.status))
    if q.kind:
        where.append(Where("kind", "=", q.kind))
    if principal.is_admin:
        if q.place:
            where.append(Where("place_key", "=", parse_place(q.place).key))
    else:
        keys = [p.key for p in await moderated_places(principal)]
        if q.place:
            keys = [k for k in keys if k == parse_place(q.place).key]
        if not keys:
            return ReportViewPage(items=[], next_cursor=None)
        where.append(Where("place_key", "in", keys))
    scope = cursors.scope("report-queue", principal.user_id, q.status, q.kind, q.place)
    page = await report_docs.query(Query(where=where, order_by=[("created_at", "desc")]), limit=q.limit,
                                   continuation=cursors.continuation(scope, q.cursor))
    counts = await _counts(page.items)
    return ReportViewPage(items=[view(doc, moderator=True, count=counts.get(doc["pk"])) for doc in page.items],
                          next_cursor=cursors.next_cursor(scope, page.continuation))


# ---------------------------------------------------------------------------------------------------------
# closing (actions.py decides; this changes the documents and the counters)

CloseStatus = Literal["resolved", "dismissed"]


async def close_target_reports(target_pk: str, status: CloseStatus, outcome: str, principal: Principal,
                               notes: str | None) -> list[ReportDoc]:
    """Every open or escalated report on the target gets the same status and outcome; returns those closed."""
    page = await report_docs.query(Query(where=[Where("type", "=", "report"), Where("status", "in", OPEN_STATES)]),
                                   pk=target_pk, limit=500)
    closed: list[ReportDoc] = []
    was: dict[str, int] = {}
    now = clock.now_iso()
    for doc in page.items:
        try:
            updated = await report_docs.patch(target_pk, doc["id"], [
                Patch("set", "/status", status), Patch("set", "/outcome", outcome),
                Patch("set", "/handled_by", principal.user_id), Patch("set", "/handled_at", now),
                Patch("set", "/notes", notes), Patch("set", "/updated_at", now)],
                condition=[Where("status", "=", doc["status"])])
        except (PreconditionFailed, NotFound):
            continue
        was[doc["status"]] = was.get(doc["status"], 0) + 1
        closed.append(updated)
    if closed:
        await admin_stats.bump({f"reports_{status}": len(closed), **{f"reports_{s}": -n for s, n in was.items()}})
    return closed


async def set_status(doc: ReportDoc, status: Literal["open", "escalated"], principal: Principal,
                     notes: str | None) -> ReportDoc:
    now = clock.now_iso()
    try:
        updated = await report_docs.patch(doc["pk"], doc["id"], [
            Patch("set", "/status", status), Patch("set", "/outcome", None if status == "open" else doc.get("outcome")),
            Patch("set", "/handled_by", principal.user_id), Patch("set", "/handled_at", now),
            Patch("set", "/notes", notes), Patch("set", "/updated_at", now)],
            condition=[Where("status", "=", doc["status"])])
    except PreconditionFailed:
        raise Conflict("The report changed meanwhile; look again.", code="concurrent_update") from None
    await admin_stats.bump({f"reports_{status}": 1, f"reports_{doc['status']}": -1})
    return updated


async def delete_reports_by(user_id: str) -> int:
    """Account erasure: the reports this user filed (the targets keep their counts)."""
    removed = 0
    while True:
        page = await report_docs.query(Query(where=[Where("type", "=", "report"), Where("reporter_id", "=", user_id)]),
                                       limit=100)
        for doc in page.items:
            try:
                await report_docs.delete(doc["pk"], doc["id"])
                removed += 1
            except NotFound:
                pass
        if len(page.items) < 100:
            return removed


async def delete_reports_of_post(post_id: str) -> None:
    """A post purged for good takes its reports and its comments' reports with it."""
    from shared.domain.moderation.containers import REPORTS
    from shared.domain.purging import delete_partition

    while True:
        page = await report_docs.query(Query(where=[Where("type", "=", "report"), Where("post_id", "=", post_id)]),
                                       limit=100)
        for pk in dict.fromkeys(doc["pk"] for doc in page.items):
            await delete_partition(REPORTS, pk)
        if len(page.items) < 100:
            return


async def check_statistics(principal: Principal, q: ReportStatsQuery) -> PlaceReportStats:
    """Counts per status: of one place, for its moderators (404 for others: TopicsFlow gave anyone the site's
    numbers); of the whole site, for administrators, from the counters (admin_stats)."""
    if q.place is None:
        from shared.domain.communities.access import access_site_admin

        access_site_admin(principal)
        totals = (await admin_stats.check_stats(principal)).reports
        return PlaceReportStats(place=None, open=totals.open, escalated=totals.escalated, resolved=totals.resolved,
                                dismissed=totals.dismissed)
    place = parse_place(q.place)
    if not (await access_place(principal, place)).is_moderator:
        raise NotFound("Place not found.", code="place_not_found")
    counts = {status: await report_docs.count([Where("type", "=", "report"), Where("place_key", "=", place.key),
                                               Where("status", "=", status)])
              for status in ("open", "escalated", "resolved", "dismissed")}
    return PlaceReportStats(place=place.key, **counts)
