"""The models of topics (shared/domain/communities/topics.py): what clients send and get back."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, StringConstraints, field_validator, model_validator

from shared.domain.communities.access import (
    Permission,
    Role,
)
from shared.domain.communities.people_models import UserRef

TITLE_PATTERN = r"^[A-Za-z0-9 \-_.,!?()\[\]{}]+$"
TAG_PATTERN = re.compile(r"^[a-z0-9_]{2,20}$")
# What a client may send for a tag: clean_tags trims it and lower-cases it into TAG_PATTERN.
TagInput = Annotated[str, StringConstraints(pattern=r"^[ \t\r\n]*[A-Za-z0-9_]{2,20}[ \t\r\n]*$")]
WORD = re.compile(r"[a-z0-9]+")
MAX_TAGS = 10
MAX_PAGE = 100
SORT_FIELDS = {"last_activity": "last_activity", "member_count": "member_count", "created_at": "created_at",
               "hot": "hot_rank"}
SORT_ALIASES = {"members": "member_count", "newest": "created_at", "new": "created_at", "activity": "last_activity"}


def normalise_title(title: str) -> str:
    return " ".join(title.split())


def title_key(title: str) -> str:
    return "t_" + hashlib.sha256(normalise_title(title).casefold().encode()).hexdigest()[:40]


def clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        tag = raw.strip().lower()
        if not TAG_PATTERN.match(tag):
            raise ValueError("each tag has 2-20 characters: a-z, 0-9 or _")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return cleaned


def search_words(*texts: str) -> list[str]:
    words: list[str] = []
    for text in texts:
        for word in WORD.findall(text.casefold()):
            if word not in words:
                words.append(word)
    return words


class TopicSettings(BaseModel):
    allow_anonymous: bool = True
    require_approval: bool = Field(default=False, description="True: invite-only (private). Fixed at creation.")


class TopicSettingsUpdate(BaseModel):
    allow_anonymous: bool | None = None
    require_approval: bool | None = Field(default=None, description="Cannot change after creation.")


class _TopicFields(BaseModel):
    @field_validator("title", check_fields=False)
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return normalise_title(value) if value is not None else None

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return clean_tags(value) if value is not None else None

    @field_validator("description", check_fields=False)
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if "<script" in value.casefold():
            raise ValueError("no <script> in the description")
        return value


class TopicCreate(_TopicFields):
    title: str = Field(min_length=3, max_length=100, pattern=TITLE_PATTERN)
    description: str = Field(default="", max_length=500)
    tags: list[TagInput] = Field(default_factory=list, max_length=MAX_TAGS)
    settings: TopicSettings = Field(default_factory=TopicSettings)
    # TopicsFlow sent these two at the top level; they win over `settings` when given.
    allow_anonymous: bool | None = None
    require_approval: bool | None = None

    @model_validator(mode="after")
    def _merge_settings(self) -> TopicCreate:
        if self.allow_anonymous is not None:
            self.settings.allow_anonymous = self.allow_anonymous
        if self.require_approval is not None:
            self.settings.require_approval = self.require_approval
        return self


class TopicUpdate(_TopicFields):
    title: str | None = Field(default=None, min_length=3, max_length=100, pattern=TITLE_PATTERN)
    description: str | None = Field(default=None, max_length=500)
    tags: list[TagInput] | None = Field(default=None, max_length=MAX_TAGS)
    settings: TopicSettingsUpdate | None = None


class TopicPublic(BaseModel):
    id: str
    title: str
    description: str
    tags: list[str]
    settings: TopicSettings
    visibility: Literal["public", "private"]
    owner: UserRef | None
    member_count: int
    post_count: int
    last_activity: str
    created_at: str
    updated_at: str
    hot_rank: float
    status: Literal["active", "pending_deletion", "deletion_approved"]
    # the caller's standing (TopicsFlow's user_permission_level: 0 none, 1 member, 2 moderator, 3 owner)
    role: Role
    user_permission_level: int
    permissions: list[Permission]
    is_member: bool
    is_banned: bool
    is_muted: bool
    deletion: dict[str, Any] | None = Field(default=None, description="Only shown to the owner and admins.")


class TopicPage(BaseModel):
    items: list[TopicPublic]
    next_cursor: str | None


class TopicListQuery(BaseModel):
    sort_by: str = Field(default="last_activity", validation_alias=AliasChoices("sort_by", "sort"),
                         description="last_activity (default), member_count (members), created_at (newest), hot")
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS, description="Topics carrying every tag.")
    search: str | None = Field(default=None, max_length=200, validation_alias=AliasChoices("search", "q"),
                               description="Words that must all appear in the title or description.")
    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)

    @field_validator("sort_by")
    @classmethod
    def _sort(cls, value: str) -> str:
        value = SORT_ALIASES.get(value, value)
        if value not in SORT_FIELDS:
            raise ValueError(f"sort_by is one of {', '.join(SORT_FIELDS)}")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return clean_tags([t for item in value for t in item.split(",") if t.strip()])


class MyTopicsQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=4000)


class DeletionResult(BaseModel):
    topic_id: str
    status: Literal["pending_deletion", "deletion_approved", "active"]
    permanent_delete_at: str | None = None
