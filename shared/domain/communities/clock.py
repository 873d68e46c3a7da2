"""One time format for every community document, so that string comparisons in queries order correctly.

Timestamps are stored as ISO 8601 UTC strings with microseconds and a "+00:00" suffix (always the same width),
e.g. "2026-11-21T23:10:00.123456+00:00". Write them with `now_iso()` / `iso()` and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def now_iso() -> str:
    return iso(now())


def later_iso(**delta: float) -> str:
    return iso(now() + timedelta(**delta))


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def has_passed(text: str | None) -> bool:
    """True when the stored moment is in the past; None means "never" and has not passed."""
    return text is not None and parse(text) <= now()
