"""Names of the containers this package owns and the ids inside them (docs/moderation.md, docs/data-model.md).

audit_log            pk = place key ("topic:<id>", "room:<id>", "site"), id = "<time>_<random>"; append-only
moderation_reports   pk = target key ("<kind>:<target id>"); "<kind>.<target id>.<reporter id>" per report (one
                     per reporter and target, so a second report is refused by the store), "summary" per target
warnings             pk = user id, id = "w_<time>_<random>"
tickets              pk = ticket id; the ticket "ticket", its replies "reply:<time>_<random>"
moderation_counters  pk = "site"; "totals" (report and ticket counters), "hour:<YYYY-MM-DDTHH>" (new in that hour),
                     "users" (the timer's snapshot of the user counts)
"""

from __future__ import annotations

AUDIT_LOG = "audit_log"
REPORTS = "moderation_reports"
WARNINGS = "warnings"
TICKETS = "tickets"
COUNTERS = "moderation_counters"

SITE = "site"
SUMMARY_ID = "summary"
TICKET_ID = "ticket"


def place_key(kind: str, place_id: str | None) -> str:
    return SITE if kind == "site" or not place_id else f"{kind}:{place_id}"


def target_key(kind: str, target_id: str) -> str:
    return f"{kind}:{target_id}"


def report_id(kind: str, target_id: str, reporter_id: str) -> str:
    return f"{kind}.{target_id}.{reporter_id}"


def split_report_id(value: str) -> tuple[str, str, str] | None:
    """(kind, target id, reporter id) from a report id; None for anything else."""
    kind, dot, rest = value.partition(".")
    target, dot2, reporter = rest.rpartition(".")
    if not dot or not dot2 or not kind or not target or not reporter:
        return None
    return kind, target, reporter
