"""The administrators' statistics, from counters: never a scan per request.

- "totals" (pk "site" of `moderation_counters`): report and ticket counters, bumped with an atomic `incr` patch by
  the write that changes them (reports filed, resolved, dismissed, escalated, reopened; the actions taken; tickets
  opened and moved between statuses);
- "hour:<YYYY-MM-DDTHH>": what was new in that hour (reports, tickets), so "the last 24 hours" is 25 buckets;
- "users": the user counts (total, banned, admins, new in 7 days), a snapshot the `snapshot_user_stats` timer
  takes every 10 minutes with four count queries (accounts own the user documents; counting them here on a timer
  keeps sign-up, bans and erasure free of moderation code). The same timer recounts the report and ticket totals
  (`reconcile_totals`), so a counter can drift for ten minutes at most.

GET /api/admin/stats reads all of them with one read_many: one store call however many users and reports exist.
"""

from __future__ import annotations

from datetime import timedelta

from shared import clock
from shared.domain.communities.access import access_site_admin
from shared.domain.identity import Principal
from shared.domain.moderation.containers import SITE
from shared.domain.moderation.documents import CountersDoc, counter_docs
from shared.domain.moderation.stats_models import (
    ActivityStats,
    AdminStats,
    ReportStats,
    TicketStats,
    UserStats,
)
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch, Where

TOTALS = "totals"
USERS = "users"
PATCH_OPS = 10  # the store's limit per patch


def _hour_id(moment=None) -> str:
    return "hour:" + (moment or clock.now()).strftime("%Y-%m-%dT%H")


async def _bump_doc(doc_id: str, deltas: dict[str, int]) -> None:
    items = [(k, v) for k, v in deltas.items() if v]
    for start in range(0, len(items), PATCH_OPS - 1):
        chunk = items[start:start + PATCH_OPS - 1]
        ops = [*(Patch("incr", f"/counts/{name}", value) for name, value in chunk),
               Patch("set", "/updated_at", clock.now_iso())]
        for _attempt in range(3):
            try:
                await counter_docs.patch(SITE, doc_id, ops)
                break
            except NotFound:
                try:
                    await counter_docs.create({"id": doc_id, "pk": SITE, "counts": dict(chunk),
                                               "updated_at": clock.now_iso()})
                    break
                except Conflict:
                    continue  # created meanwhile: patch it


async def bump(deltas: dict[str, int], *, new: dict[str, int] | None = None) -> None:
    """Adds to the totals (and, for `new`, to this hour's bucket). Best effort is not good enough for counters
    shown to administrators, so a failure propagates like any store failure of the write it follows."""
    if deltas:
        await _bump_doc(TOTALS, deltas)
    if new:
        await _bump_doc(_hour_id(), new)


async def snapshot_user_counts() -> dict[str, int]:
    """The timer's work: four count queries over the users container, stored as the "users" snapshot."""
    from shared.domain.accounts.documents import user_docs

    week_ago = clock.iso(clock.now() - timedelta(days=7))
    counts = {"total": await user_docs.count([Where("status", "in", ["active", "banned"])]),
              "banned": await user_docs.count([Where("status", "=", "banned")]),
              "admins": await user_docs.count([Where("is_admin", "=", True), Where("status", "=", "active")]),
              "new_last_7_days": await user_docs.count([Where("created_at", ">=", week_ago),
                                                        Where("status", "in", ["active", "banned"])])}
    doc: CountersDoc = {"id": USERS, "pk": SITE, "counts": counts, "updated_at": clock.now_iso()}
    await counter_docs.upsert(doc)
    return counts


REPORT_STATES = ("open", "escalated", "resolved", "dismissed")
TICKET_STATES = ("open", "in_progress", "resolved", "closed")


async def reconcile_totals() -> bool:
    """The timer's other work: the report and ticket counters recounted (ten count queries) and written back
    with If-Match, so a bump lost to a failure after its write is corrected and one racing the recount is not
    overwritten (the next run tries again). Returns whether the totals were written."""
    from shared.domain.moderation.documents import report_docs, ticket_docs

    current = await counter_docs.find(SITE, TOTALS)
    counts = dict((current or {}).get("counts", {}))
    for status in REPORT_STATES:
        counts[f"reports_{status}"] = await report_docs.count([Where("type", "=", "report"),
                                                               Where("status", "=", status)])
    counts["reports_total"] = sum(counts[f"reports_{s}"] for s in REPORT_STATES)
    for status in TICKET_STATES:
        counts[f"tickets_{status}"] = await ticket_docs.count([Where("type", "=", "ticket"),
                                                               Where("status", "=", status)])
    counts["tickets_total"] = sum(counts[f"tickets_{s}"] for s in TICKET_STATES)
    doc: CountersDoc = {"id": TOTALS, "pk": SITE, "counts": counts, "updated_at": clock.now_iso()}
    try:
        if current is None:
            await counter_docs.create(doc)
        else:
            await counter_docs.replace(doc, if_match=current.get("_etag"))
    except (Conflict, PreconditionFailed, NotFound):
        return False
    return True


async def check_stats(principal: Principal) -> AdminStats:
    access_site_admin(principal)
    now = clock.now()
    hours = [_hour_id(now - timedelta(hours=h)) for h in range(25)]
    docs = await counter_docs.read_many([(SITE, TOTALS), (SITE, USERS), *((SITE, h) for h in hours)])
    by_id = {doc["id"]: doc for doc in docs}
    totals = (by_id.get(TOTALS) or {}).get("counts", {})
    users_doc = by_id.get(USERS)
    users = (users_doc or {}).get("counts", {})
    recent = [by_id[h]["counts"] for h in hours if h in by_id]
    actions = {k.removeprefix("action_"): v for k, v in totals.items() if k.startswith("action_") and v}
    return AdminStats(
        reports=ReportStats(total=totals.get("reports_total", 0), open=totals.get("reports_open", 0),
                            escalated=totals.get("reports_escalated", 0), resolved=totals.get("reports_resolved", 0),
                            dismissed=totals.get("reports_dismissed", 0), actions=actions),
        tickets=TicketStats(total=totals.get("tickets_total", 0),
                            **{s: totals.get(f"tickets_{s}", 0) for s in ("open", "in_progress", "resolved",
                                                                            "closed")}),
        users=UserStats(total=users.get("total", 0), banned=users.get("banned", 0), admins=users.get("admins", 0),
                        new_last_7_days=users.get("new_last_7_days", 0),
                        as_of=users_doc["updated_at"] if users_doc else None),
        recent_activity=ActivityStats(new_reports_24h=sum(c.get("reports_new", 0) for c in recent),
                                      new_tickets_24h=sum(c.get("tickets_new", 0) for c in recent)))
