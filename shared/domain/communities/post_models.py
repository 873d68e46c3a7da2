"""Request and response shapes for posts, votes, reports and edit history (the OpenAPI document is built from these).

Request bodies forbid unknown fields, so a typo answers 422 naming the field instead of being ignored.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from shared.domain.schema_hints import at_least_one_of

TITLE_MAX = 300
CONTENT_MAX = 20_000  # markdown source
TAGS_MAX, TAG_MIN, TAG_MAX = 10, 2, 30
REASON_MIN, REASON_MAX = 3, 500
PAGE_DEFAULT, PAGE_MAX = 20, 100
_TAG = re.compile(r"^[a-z0-9][a-z0-9 _-]*[a-z0-9]$")
# What the document promises clean_tags accepts (it also takes a little more: other white space, which it trims).
_TAG_INPUT = rf" *(?:[A-Za-z0-9][A-Za-z0-9 _-]{{0,{TAG_MAX - 2}}}[A-Za-z0-9])? *"
POST_TAGS_SCHEMA = {"anyOf": [
    {"type": "array", "maxItems": TAGS_MAX, "items": {"type": "string", "pattern": f"^{_TAG_INPUT}$"}},
    {"type": "string", "pattern": f"^{_TAG_INPUT}(?:,{_TAG_INPUT}){{0,{TAGS_MAX - 1}}}$",
     "description": "The same tags as one comma-separated string, as TopicsFlow clients send them."},
], "description": "Letters, digits, spaces, '_' or '-'; lower-cased; empty ones are dropped."}

ItemId = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_.:-]+$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)]
Markdown = Annotated[str, Field(max_length=CONTENT_MAX, description="Markdown source; rendered by clients.")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=REASON_MIN, max_length=REASON_MAX)]
PostSort = Literal["new", "old", "top", "hot", "active"]
TimeRange = Literal["hour", "day", "week", "month", "year", "all"]
PostState = Literal["visible", "deleted", "removed"]

TIME_RANGE_SECONDS: dict[str, int | None] = {"hour": 3600, "day": 86_400, "week": 7 * 86_400,
                                             "month": 30 * 86_400, "year": 365 * 86_400, "all": None}


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def clean_tags(value: Any) -> list[str]:
    """Tags arrive as a list or, as TopicsFlow clients send them, one comma-separated string."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("Send tags as a list of strings.")
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("Each tag must be a string.")
        tag = " ".join(item.strip().lower().split())
        if not tag:
            continue
        if not (TAG_MIN <= len(tag) <= TAG_MAX) or not _TAG.match(tag):
            raise ValueError(f"Tags are {TAG_MIN}-{TAG_MAX} letters, digits, spaces, '_' or '-': {item!r}.")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ValueError(f"Use at most {TAGS_MAX} tags.")
    return tags


class PostCreate(Body):
    title: Title
    content: Markdown = ""
    tags: Annotated[list[str], WithJsonSchema(POST_TAGS_SCHEMA)] = Field(
        default_factory=list, description="A list, or one comma-separated string.")
    use_anonymous: bool = Field(default=False, description="Post under your alias in this topic, if it allows it.")
    image_id: ItemId | None = Field(default=None, description="From POST /api/posts/images/upload-url, once uploaded.")

    @field_validator("tags", mode="before")
    @classmethod
    def _clean_tags(cls, value: Any) -> list[str]:
        return clean_tags(value)


class PostUpdate(Body):
    model_config = ConfigDict(json_schema_extra=at_least_one_of("title", "content", "tags"))

    title: Title | None = None
    content: Markdown | None = None
    tags: Annotated[list[str] | None, WithJsonSchema({"anyOf": [*POST_TAGS_SCHEMA["anyOf"], {"type": "null"}]})] = None

    @field_validator("tags", mode="before")
    @classmethod
    def _clean_tags(cls, value: Any) -> list[str] | None:
        return None if value is None else clean_tags(value)

    @model_validator(mode="after")
    def _something_to_change(self) -> PostUpdate:
        if self.title is None and self.content is None and self.tags is None:
            raise ValueError("Send at least one of title, content or tags.")
        return self


class ReasonBody(Body):
    reason: Reason


class ReportBody(Body):
    reason: Reason


class VoteBody(Body):
    value: Literal[-1, 0, 1] = Field(description="1 up, -1 down, 0 withdraws the vote. Repeating a value is a no-op.")


class PostPath(BaseModel):
    post_id: ItemId


class PostTopicPath(BaseModel):
    topic_id: ItemId


class ContentPageQuery(BaseModel):
    limit: int = Field(default=PAGE_DEFAULT, ge=1, le=PAGE_MAX)
    cursor: str | None = Field(default=None, max_length=4000)


class PostListQuery(ContentPageQuery):
    sort: PostSort = Field(default="new", validation_alias=AliasChoices("sort", "sort_by"))
    time_range: TimeRange = Field(default="all", description="Only for sort=top.")


class DeleteQuery(BaseModel):
    mode: Literal["soft", "hard"] = Field(default="soft", description="hard: administrators only, removes for good.")
    reason: Reason | None = Field(default=None, description="When a moderator deletes someone else's post.")


class PostImageUploadBody(Body):
    content_type: Literal["image/png", "image/jpeg", "image/gif", "image/webp"]
    size: int = Field(gt=0, description="Bytes the client will upload.")


# ---------------------------------------------------------------------------------------------------------
# responses


class AuthorFields(BaseModel):
    """Who wrote something, as a reader may know it. For anonymous content author_id and author_username are
    null and display_name is the topic alias."""

    author_id: str | None
    author_username: str | None
    display_name: str
    is_anonymous: bool


class ModerationInfo(BaseModel):
    """Only for moderators (removal facts) and administrators (the real author of anonymous content)."""

    removal_reason: str | None = None
    removed_at: str | None = None
    report_count: int = 0
    real_author_id: str | None = Field(default=None, description="Administrators only.")
    real_author_username: str | None = Field(default=None, description="Administrators only.")


class PostPublic(AuthorFields):
    id: str
    topic_id: str
    title: str | None
    content: str | None
    tags: list[str]
    image_url: str | None
    upvote_count: int
    downvote_count: int
    score: int
    comment_count: int
    hot_rank: float
    state: PostState
    locked: bool
    pinned: bool
    edit_count: int
    created_at: str
    edited_at: str | None
    last_activity: str
    topic_title: str | None = None
    user_vote: int = Field(default=0, description="The caller's own vote (never anyone else's).")
    is_followed: bool = False
    is_author: bool = False
    removal_reason: str | None = Field(default=None, description="Shown on removed posts to the author and moderators.")
    moderation: ModerationInfo | None = None


class PostPage(BaseModel):
    items: list[PostPublic]
    next_cursor: str | None
    pinned: list[PostPublic] = Field(default_factory=list, description="Pinned posts; on the first page only.")


class VoteResult(BaseModel):
    target_id: str
    upvote_count: int
    downvote_count: int
    score: int
    user_vote: int


class FollowState(BaseModel):
    post_id: str
    following: bool


class ReportResult(BaseModel):
    target_id: str
    reported: bool
    report_id: str | None = Field(default=None, description="The report in /api/reports (moderation).")


class RevisionPublic(BaseModel):
    version: int
    title: str | None = None
    content: str | None
    tags: list[str] | None = None
    created_at: str = Field(description="When this version was written.")
    replaced_at: str = Field(description="When the next edit replaced it.")


class RevisionPage(BaseModel):
    items: list[RevisionPublic]
    next_cursor: str | None


class ReportPublic(BaseModel):
    id: str
    target_type: Literal["post", "comment"]
    target_id: str
    post_id: str
    reason: str
    reporter_username: str | None
    created_at: str
    excerpt: str | None = Field(description="The start of the reported text; never its author.")


class ReportPage(BaseModel):
    items: list[ReportPublic]
    next_cursor: str | None


class PostImageUpload(BaseModel):
    image_id: str
    upload_url: str
    method: str
    headers: dict[str, str]
    expires_at: str
    max_bytes: int
