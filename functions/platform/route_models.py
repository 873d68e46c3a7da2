"""Models only the platform routes use; loaded on the first request that needs one."""

from __future__ import annotations

from pydantic import BaseModel

from shared.domain.platform.health import DependencyStatus, WorkerCounters


class HealthPublic(BaseModel):
    status: str
    stack: str
    version: str
    dependencies: dict[str, DependencyStatus]
    counters: WorkerCounters
