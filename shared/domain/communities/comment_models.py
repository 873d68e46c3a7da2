"""Request and response shapes for comments (the OpenAPI document is built from these)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, Field

from shared.domain.communities.post_models import (
    PAGE_MAX,
    AuthorFields,
    Body,
    ContentPageQuery,
    ItemId,
    Markdown,
    ModerationInfo,
)

MAX_DEPTH = 10  # root comments have depth 0; a reply to a depth-10 comment is refused
COMMENT_PAGE_DEFAULT = 20
CommentSort = Literal["top", "new", "old"]
CommentState = Literal["visible", "deleted", "removed"]


class CommentCreate(Body):
    content: Markdown = Field(min_length=1)
    use_anonymous: bool = Field(default=False, description="Comment under your alias in this topic, if allowed.")
    parent_id: ItemId | None = Field(default=None, description="Reply to this comment (or use POST .../reply).")


class CommentReply(Body):
    content: Markdown = Field(min_length=1)
    use_anonymous: bool = False


class CommentUpdate(Body):
    content: Markdown = Field(min_length=1)


class CommentPath(BaseModel):
    comment_id: ItemId


class CommentListQuery(BaseModel):
    sort: CommentSort = Field(default="top", validation_alias=AliasChoices("sort", "sort_by"),
                              description="Order of the root comments; replies are always oldest first.")
    limit: int = Field(default=COMMENT_PAGE_DEFAULT, ge=1, le=PAGE_MAX, description="Root comments per page.")
    cursor: str | None = Field(default=None, max_length=4000)


class RepliesQuery(ContentPageQuery):
    pass


class CommentPublic(AuthorFields):
    id: str
    post_id: str
    topic_id: str
    parent_id: str | None
    depth: int
    content: str | None
    state: CommentState
    upvote_count: int
    downvote_count: int
    score: int
    reply_count: int
    edit_count: int
    created_at: str
    edited_at: str | None
    user_vote: int = 0
    is_author: bool = False
    removal_reason: str | None = None
    moderation: ModerationInfo | None = None
    replies: list[CommentPublic] = Field(default_factory=list)
    more_replies: int = Field(default=0, description="Direct replies not included here.")
    replies_cursor: str | None = Field(default=None, description="GET /api/comments/{id}/replies?cursor=... "
                                                                 "returns the missing replies.")


class CommentPage(BaseModel):
    items: list[CommentPublic]
    next_cursor: str | None
