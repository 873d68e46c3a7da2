"""What the moderation area stores: one TypedDict per kind of document and the typed containers holding them."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from shared.domain.moderation.containers import AUDIT_LOG, COUNTERS, REPORTS, TICKETS, WARNINGS
from shared.domain.stored import Container, Stored

PlaceKind = Literal["topic", "room", "site"]
ReportStatus = Literal["open", "escalated", "resolved", "dismissed"]
TicketStatus = Literal["open", "in_progress", "resolved", "closed"]
TicketCategory = Literal["bug", "feature", "account", "report", "other"]
TicketPriority = Literal["low", "medium", "high"]


class AuditEntryDoc(Stored):
    """pk = place key; written once, never changed."""

    place_kind: PlaceKind
    place_id: str | None
    action: str
    actor_id: str | None  # None: the system (a timer)
    actor_username: str | None
    actor_admin: bool
    target_kind: str
    target_id: str
    target_user_id: str | None
    reason: str | None
    public: bool  # shown on the place's public modlog
    report_id: str | None
    details: dict[str, Any]
    created_at: str


class ReportDoc(Stored):
    """pk = target key, id = "<kind>.<target id>.<reporter id>"."""

    type: Literal["report"]
    kind: str
    target_id: str
    target_key: str
    place_kind: PlaceKind
    place_id: str | None
    place_key: str
    post_id: str | None  # posts and comments: the post (its purge removes the reports)
    author_id: str | None  # who wrote what was reported, or the reported user; never shown to the reporter
    reporter_id: str
    reporter_username: str | None
    reason: str
    description: str | None
    excerpt: str | None
    status: ReportStatus
    outcome: str | None
    notes: str | None
    handled_by: str | None
    handled_at: str | None
    created_at: str
    updated_at: str


class TargetSummaryDoc(Stored):
    """pk = target key, id = "summary": how often the target was reported, by anyone, ever."""

    type: Literal["summary"]
    kind: str
    target_id: str
    report_count: int
    last_reported_at: str


ReportsDoc = ReportDoc | TargetSummaryDoc


class WarningDoc(Stored):
    """pk = user id."""

    user_id: str
    message: str
    place_kind: PlaceKind
    place_id: str | None
    by: str
    report_id: str | None
    created_at: str
    expires_at: str | None
    acknowledged: bool
    acknowledged_at: str | None


class TicketMessageDoc(TypedDict):
    id: str
    user_id: str
    username: str | None
    is_admin: bool
    message: str
    created_at: str


class TicketDoc(Stored):
    """pk = ticket id, id = "ticket"."""

    type: Literal["ticket"]
    ticket_id: str
    user_id: str
    username: str | None
    category: TicketCategory
    subject: str
    description: str
    priority: TicketPriority
    status: TicketStatus
    assigned_to: str | None
    reply_count: int
    created_at: str
    updated_at: str
    closed_at: NotRequired[str | None]


class TicketReplyDoc(Stored):
    """pk = ticket id, id = "reply:<time>_<random>"."""

    type: Literal["reply"]
    ticket_id: str
    user_id: str
    username: str | None
    is_admin: bool
    message: str
    created_at: str


TicketsDoc = TicketDoc | TicketReplyDoc


class CountersDoc(Stored):
    """pk = "site": "totals" and "hour:<...>" hold named integer counters; "users" the timer's user counts."""

    counts: dict[str, int]
    updated_at: str


audit_docs = Container[AuditEntryDoc](AUDIT_LOG)
report_store = Container[ReportsDoc](REPORTS)
report_docs = Container[ReportDoc](REPORTS)
summary_docs = Container[TargetSummaryDoc](REPORTS)
warning_docs = Container[WarningDoc](WARNINGS)
ticket_store = Container[TicketsDoc](TICKETS)
ticket_docs = Container[TicketDoc](TICKETS)
reply_docs = Container[TicketReplyDoc](TICKETS)
counter_docs = Container[CountersDoc](COUNTERS)
