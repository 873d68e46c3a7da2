"""Models only the /api/topics routes use (the rest are the domain's); loaded on the first request that needs one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class TopicPath(BaseModel):
    topic_id: str = Field(pattern=ID_PATTERN)


class TopicUserPath(TopicPath):
    user_id: str = Field(pattern=ID_PATTERN)


class Done(BaseModel):
    topic_id: str
    status: Literal["ok"] = "ok"
