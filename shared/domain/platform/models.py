"""What the platform routes return (pydantic), beside health.py."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DependencyStatus(BaseModel):
    status: Literal["ok", "unavailable"]
    adapter: str
    latency_ms: float
