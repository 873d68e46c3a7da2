"""Models only the /api/models/types and /usage routes use; loaded on the first request that needs one."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ModelTypePublic(BaseModel):
    key: str
    title: str
    description: str
    task: str
    estimator: str
    requires_target: bool
    parameters: dict[str, Any]
    input: str
    output: str
    capabilities: dict[str, Any]


class ModelTypeList(BaseModel):
    items: list[ModelTypePublic]


class QuotaUse(BaseModel):
    used: int
    limit: int


class ModelUsage(BaseModel):
    models: QuotaUse
    active_jobs: QuotaUse
    artifact_bytes: QuotaUse
