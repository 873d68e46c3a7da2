"""What the platform routes return (pydantic), beside health.py."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DependencyStatus(BaseModel):
    status: Literal["ok", "unavailable"]
    adapter: str
    latency_ms: float


class WorkerCounters(BaseModel):
    dropped_events: dict[str, int]  # event type -> realtime events this worker could not publish
    outbox_relayed: dict[str, int]  # "now" (by the writer) / "timer" -> outbox documents relayed
    outbox_failed_attempts: dict[str, int]  # effect -> relay attempts that failed (retried by the timer)
