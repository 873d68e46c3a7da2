"""Shapes of reports, the review queue and report actions (reports.py, actions.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from shared.domain.moderation.audit_models import PLACE_PATTERN, ActorRef, AuditPlace
from shared.domain.moderation.targets import TARGET_KINDS

REPORTABLE_KINDS: list[JsonValue] = [kind for kind in sorted(TARGET_KINDS)]  # the schema's enum (targets.py)

KIND_PATTERN = r"^[a-z_]{1,32}$"
TARGET_ID_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
REPORT_ID_PATTERN = r"^[a-z_]{1,32}\.[A-Za-z0-9_-]{1,200}\.[0-9a-f]{32}$"
ReportStatusName = Literal["open", "escalated", "resolved", "dismissed"]
MAX_PAGE = 100


class ReportFile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: Annotated[str, StringConstraints(pattern=KIND_PATTERN)] = Field(
        validation_alias=AliasChoices("kind", "content_type"), json_schema_extra={"enum": REPORTABLE_KINDS},
        description="What is reported: one of the kinds registered in shared/domain/moderation/targets.py.")
    target_id: Annotated[str, StringConstraints(pattern=TARGET_ID_PATTERN)] = Field(
        validation_alias=AliasChoices("target_id", "content_id"))
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


class ReportFiled(BaseModel):
    id: str
    kind: str
    target_id: str
    status: ReportStatusName
    target_report_count: int = Field(description="Reports this target received, from anyone.")


class ReportView(BaseModel):
    id: str
    kind: str
    target_id: str
    place: AuditPlace
    reason: str
    description: str | None
    excerpt: str | None
    status: ReportStatusName
    outcome: str | None
    created_at: str
    updated_at: str
    reporter: ActorRef | None = Field(default=None, description="Moderators and administrators only.")
    target_report_count: int | None = Field(default=None, description="Moderators and administrators only.")
    notes: str | None = Field(default=None, description="Moderators and administrators only.")
    handled_by: str | None = Field(default=None, description="Moderators and administrators only.")
    handled_at: str | None = None


class ReportViewPage(BaseModel):
    items: list[ReportView]
    next_cursor: str | None


class ReportQueueQuery(BaseModel):
    status: ReportStatusName | Literal["all"] = Field(default="open", description="Left out: open; all: any.")
    kind: Annotated[str, StringConstraints(pattern=KIND_PATTERN)] | None = None
    place: Annotated[str, StringConstraints(pattern=PLACE_PATTERN)] | None = Field(
        default=None, description="topic:<id>, room:<id> or site; moderators only ever see the places they moderate")
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)


class MyReportsQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)


class ReportPath(BaseModel):
    report_id: str = Field(pattern=REPORT_ID_PATTERN)


ActionName = Literal["remove_content", "warn_user", "mute_in_place", "ban_in_place", "ban_site", "dismiss",
                     "escalate", "reopen", "delete_content", "ban_user", "resolve"]


class ReportActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    action: ActionName = Field(description="delete_content, ban_user and resolve are TopicsFlow's names for "
                                           "remove_content, ban_site and a resolution without other action.")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None, validation_alias=AliasChoices("reason", "notes"))
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None = Field(
        default=None, validation_alias=AliasChoices("message", "warning_message"),
        description="warn_user: what the user is told (else the reason)")
    duration_days: float | None = Field(default=None, gt=0, le=3650,
                                        validation_alias=AliasChoices("duration_days", "ban_duration_days"),
                                        description="ban_in_place; left out: until lifted")
    duration_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 365, description="mute_in_place")


class ReportActionResult(BaseModel):
    report: ReportView
    action: str = Field(description="The action taken, by its own name (aliases resolved).")
    reports_closed: int = Field(description="Reports on the same target this action closed, this one included.")


class ReportStatsQuery(BaseModel):
    place: Annotated[str, StringConstraints(pattern=PLACE_PATTERN)] | None = Field(
        default=None, description="topic:<id> or site; left out (administrators only): the whole site")


class PlaceReportStats(BaseModel):
    place: str | None
    open: int
    escalated: int
    resolved: int
    dismissed: int
