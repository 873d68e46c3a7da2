"""The shape of GET /api/admin/stats (TopicsFlow's, with the escalated reports and the snapshot's time added)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ReportStats(BaseModel):
    total: int
    open: int
    escalated: int
    resolved: int
    dismissed: int
    actions: dict[str, int] = Field(description="How often each action was taken, by its name.")


class TicketStats(BaseModel):
    total: int
    open: int
    in_progress: int
    resolved: int
    closed: int


class UserStats(BaseModel):
    total: int
    banned: int
    admins: int
    new_last_7_days: int
    as_of: str | None = Field(description="When the user counts were taken (a timer, every 10 minutes).")


class ActivityStats(BaseModel):
    new_reports_24h: int
    new_tickets_24h: int


class AdminStats(BaseModel):
    reports: ReportStats
    tickets: TicketStats
    users: UserStats
    recent_activity: ActivityStats
