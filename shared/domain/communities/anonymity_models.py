"""The models of anonymous aliases (shared/domain/communities/anonymity.py)."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel, Field


class AliasUpdate(BaseModel):
    """Choose a name (it is cleaned and made unique), or send no name to get a new generated one."""

    name: str | None = Field(default=None, max_length=100,
                             validation_alias=AliasChoices("name", "new_name", "custom_anonymous_name"))


class AliasPublic(BaseModel):
    topic_id: str
    anonymous_name: str | None
