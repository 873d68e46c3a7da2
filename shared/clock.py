"""The one time helper: every timestamp the app stores or sends is ISO 8601 UTC with milliseconds and "Z".

e.g. "2026-11-21T23:10:00.123Z". Every such string has the same width, so string comparisons in queries order
correctly; write them with `now_iso()` / `iso()` and nothing else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def later_iso(**delta: float) -> str:
    """now + timedelta(**delta), e.g. later_iso(days=7); a negative delta gives a moment in the past."""
    return iso(now() + timedelta(**delta))


def from_timestamp(seconds: float) -> str:
    return iso(datetime.fromtimestamp(seconds, UTC))


def parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def has_passed(text: str | None) -> bool:
    """True when the stored moment is in the past; None means "never" and has not passed."""
    return text is not None and parse(text) <= now()
