"""Shapes of the administrators' review routes: banned users, a user's content, the pending-deletions queue."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.domain.moderation.report_models import MAX_PAGE


class AdminPageQuery(BaseModel):
    limit: int = Field(default=50, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)


class BannedUser(BaseModel):
    id: str
    username: str
    reason: str | None
    banned_at: str | None
    banned_by: str | None


class BannedUserPage(BaseModel):
    items: list[BannedUser]
    next_cursor: str | None


class UserContentQuery(AdminPageQuery):
    kind: Literal["post", "comment"] = "post"


class UserContentItem(BaseModel):
    kind: Literal["post", "comment"]
    id: str
    topic_id: str
    post_id: str
    title: str | None
    excerpt: str
    state: Literal["visible", "deleted", "removed"]
    anonymous: bool
    report_count: int
    created_at: str


class UserContentPage(BaseModel):
    items: list[UserContentItem]
    next_cursor: str | None


class AdminUserPath(BaseModel):
    user_id: str = Field(pattern=r"^[0-9a-f]{32}$")


class PendingQuery(AdminPageQuery):
    kind: Literal["topic", "post"] | None = Field(default=None, description="Left out: the first page of each.")


class PendingTopic(BaseModel):
    id: str
    title: str
    owner_id: str | None
    requested_by: str | None
    requested_at: str | None
    permanent_delete_at: str | None


class PendingPost(BaseModel):
    id: str
    topic_id: str
    title: str | None
    author_id: str | None
    deleted_at: str | None


class PendingDeletions(BaseModel):
    topics: list[PendingTopic]
    posts: list[PendingPost]
    topics_next_cursor: str | None
    posts_next_cursor: str | None


class AdminPostPath(BaseModel):
    post_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,200}$")


class PostDeletionResult(BaseModel):
    post_id: str
    status: Literal["purged", "restored"]
