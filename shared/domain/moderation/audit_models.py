"""Shapes of the audit log and of a topic's public modlog (shared/domain/moderation/audit_log.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

MAX_PAGE = 100
PLACE_PATTERN = r"^(site|(topic|room):[A-Za-z0-9_-]{1,100})$"
ACTION_PATTERN = r"^[a-z_]{1,40}\.[a-z_]{1,40}$"


class AuditQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)
    action: Annotated[str, StringConstraints(pattern=ACTION_PATTERN)] | None = None
    place: Annotated[str, StringConstraints(pattern=PLACE_PATTERN)] | None = Field(
        default=None, description="site, topic:<id> or room:<id>")


class ModlogQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)


class ActorRef(BaseModel):
    id: str | None
    username: str | None


class AuditTarget(BaseModel):
    kind: str
    id: str
    user_id: str | None = None


class AuditPlace(BaseModel):
    kind: Literal["topic", "room", "site"]
    id: str | None = None


class AuditEntryPublic(BaseModel):
    id: str
    place: AuditPlace
    action: str = Field(description="<what>.<verb>, e.g. post.remove, topic.ban, site.ban, report.dismiss")
    actor: ActorRef
    actor_is_admin: bool
    target: AuditTarget
    reason: str | None
    report_id: str | None
    details: dict[str, str | int | float | bool | None]
    created_at: str


class AuditPage(BaseModel):
    items: list[AuditEntryPublic]
    next_cursor: str | None


class ModlogEntryPublic(BaseModel):
    id: str
    action: str
    moderator: ActorRef | None = Field(description="Left out unless the site shows moderators' names "
                                                   "(setting MODLOG_SHOW_MODERATOR_NAMES), as in Lemmy.")
    target: AuditTarget
    reason: str | None
    created_at: str


class ModlogPage(BaseModel):
    items: list[ModlogEntryPublic]
    next_cursor: str | None


class PlaceTopicPath(BaseModel):
    topic_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
