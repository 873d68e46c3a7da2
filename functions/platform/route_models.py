"""Models only the platform routes use; loaded on the first request that needs one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from shared.domain.platform.models import DependencyStatus, WorkerCounters


class HealthPublic(BaseModel):
    status: str
    stack: str
    version: str
    dependencies: dict[str, DependencyStatus]
    counters: WorkerCounters


class DocsAssetPath(BaseModel):
    name: Literal["swagger-ui-bundle.js", "swagger-ui.css", "docs-init.js"]
