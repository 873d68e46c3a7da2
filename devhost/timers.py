"""Timer triggers for the dev host: NCRONTAB schedules and a runner that calls timer functions on time.

The schedule language is the one the Functions host uses (NCrontab with seconds): six fields
`{second} {minute} {hour} {day} {month} {day-of-week}`, each `*`, a value, a range `a-b`, a list `a,b`, a step
`*/n`, `a-b/n` or `a/n` (from a to the end), month and day names (any prefix, case-insensitive), day-of-week
0-6 with Sunday 0. As in NCrontab, and unlike Vixie cron, a restricted day *and* day-of-week must both match.
A TimeSpan `hh:mm:ss` (or `d.hh:mm:ss`) means a fixed interval (App Service plans only, on Azure). A schedule
of `%NAME%` is read from the app setting NAME. Times are UTC, Azure's default.

Like the host, a timer function never overlaps itself: the next occurrence is computed after the call ends, and
an occurrence missed meanwhile is skipped (the next call reports past_due).
"""

from __future__ import annotations

import asyncio
import calendar
import contextvars
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from azure.functions.timer import TimerRequest

from devhost.function_index import FunctionIndex, IndexedFunction

log = logging.getLogger("devhost.timers")

PAST_DUE_TOLERANCE = timedelta(seconds=1)
# The timer whose scheduled occurrence is running (in its task and the tasks it starts); None in calls made by
# `run_now`. Lets test tooling tell background work from the request it measures.
scheduled_timer: contextvars.ContextVar[str | None] = contextvars.ContextVar("scheduled_timer", default=None)
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
# (name, min, max, value names)
_FIELDS = [("second", 0, 59, None), ("minute", 0, 59, None), ("hour", 0, 23, None), ("day", 1, 31, None),
           ("month", 1, 12, _MONTHS), ("day-of-week", 0, 6, _DAYS)]
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$")


def parse_timespan(text: str) -> timedelta:
    """A .NET TimeSpan as host.json writes it: "hh:mm:ss" or "d.hh:mm:ss" (optionally with fractions)."""
    match = _TIMESPAN.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a TimeSpan (hh:mm:ss)")
    days, hours, minutes, seconds, fraction = match.groups()
    return timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds),
                     microseconds=int(float(f"0.{fraction}") * 1_000_000) if fraction else 0)


class CronSchedule:
    """A parsed six-field NCRONTAB expression."""

    def __init__(self, expression: str):
        self.expression = expression
        tokens = expression.split()
        if len(tokens) != 6:
            raise ValueError(f"'{expression}' is not a valid NCRONTAB expression: it needs 6 fields "
                             "(second minute hour day month day-of-week), e.g. '0 */5 * * * *'")
        self.seconds, self.minutes, self.hours, self.days, self.months, self.weekdays = (
            _parse_field(token, *spec) for token, spec in zip(tokens, _FIELDS, strict=True))

    def matches(self, moment: datetime) -> bool:
        return (moment.second in self.seconds and moment.minute in self.minutes and moment.hour in self.hours
                and self._day_matches(moment))

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after moment (UTC), at a whole second."""
        t = _as_utc(moment).replace(microsecond=0) + timedelta(seconds=1)
        limit = t + timedelta(days=366 * 5)
        while t < limit:
            if t.month not in self.months:
                t = _start_of_next_month(t)
            elif not self._day_matches(t):
                t = t.replace(hour=0, minute=0, second=0) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0, second=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t = t.replace(second=0) + timedelta(minutes=1)
            elif t.second not in self.seconds:
                t += timedelta(seconds=1)
            else:
                return t
        raise ValueError(f"'{self.expression}' never occurs")

    def _day_matches(self, moment: datetime) -> bool:
        weekday = (moment.weekday() + 1) % 7  # Python: Monday 0; NCRONTAB: Sunday 0
        return moment.day in self.days and weekday in self.weekdays

    def __repr__(self) -> str:
        return f"CronSchedule({self.expression!r})"


@dataclass(frozen=True)
class IntervalSchedule:
    """A TimeSpan schedule: every `interval`, counted from the previous occurrence."""

    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return _as_utc(moment) + self.interval


def parse_schedule(text: str, settings_lookup: Callable[[str], str | None] | None = None) -> CronSchedule | \
        IntervalSchedule:
    text = text.strip()
    if text.startswith("%") and text.endswith("%") and len(text) > 2:
        name = text[1:-1]
        value = (settings_lookup or app_setting)(name)
        if not value:
            raise ValueError(f"timer schedule refers to app setting {name}, which is not set")
        text = value.strip()
    if _TIMESPAN.match(text):
        interval = parse_timespan(text)
        if interval <= timedelta(0):
            raise ValueError(f"'{text}': a TimeSpan schedule must be positive")
        return IntervalSchedule(interval)
    return CronSchedule(text)


def app_setting(name: str) -> str | None:
    """An app setting as the worker sees it: the environment, then local.settings.json Values."""
    if name in os.environ:
        return os.environ[name]
    path = Path(os.environ.get("LOCAL_SETTINGS_FILE", Path(__file__).resolve().parent.parent /
                               "local.settings.json"))
    if path.is_file():
        value = json.loads(path.read_text()).get("Values", {}).get(name)
        return None if value is None else str(value)
    return None


def _parse_field(token: str, name: str, low: int, high: int, names: list[str] | None) -> frozenset[int]:
    def value(text: str) -> int:
        if text.isdigit():
            number = int(text)
        elif names and text:
            matches = [i for i, candidate in enumerate(names) if candidate.startswith(text.lower())]
            if not matches:
                raise ValueError(f"'{text}' is not a known {name} name")
            number = matches[0] + low
        else:
            raise ValueError(f"'{text}' is not a valid {name} value")
        if not low <= number <= high:
            raise ValueError(f"{name} value {number} is outside {low}-{high}")
        return number

    result: set[int] = set()
    for part in token.split(","):
        if not part:
            raise ValueError(f"'{token}' has an empty {name} list item")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"'{part}': the {name} step must be a positive number")
            step = int(step_text)
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, _, end = base.partition("-")
            first, last = value(start), value(end)
            if first > last:
                raise ValueError(f"'{part}': {name} range runs backwards")
        else:
            first = value(base)
            last = high if step_text else first
        result.update(range(first, last + 1, step))
    return frozenset(result)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _start_of_next_month(t: datetime) -> datetime:
    days = calendar.monthrange(t.year, t.month)[1]
    return t.replace(day=1, hour=0, minute=0, second=0) + timedelta(days=days)


# ------------------------------------------------------------------------------------------------- the runner


@dataclass
class TimerState:
    function: IndexedFunction
    schedule: CronSchedule | IntervalSchedule
    last: datetime | None = None
    next: datetime | None = None
    runs: int = 0
    failures: int = 0


class TimerRunner:
    def __init__(self, index: FunctionIndex, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 settings_lookup: Callable[[str], str | None] | None = None):
        self._clock = clock
        self.timers: dict[str, TimerState] = {}
        for function in index.timers:
            schedule = parse_schedule(function.trigger.schedule, settings_lookup)
            self.timers[function.name] = TimerState(function, schedule)
        self._tasks: list[asyncio.Task] = []
        self._locks = {name: asyncio.Lock() for name in self.timers}

    def start(self) -> None:
        """Starts one loop per timer function (call from the running event loop)."""
        loop = asyncio.get_running_loop()
        for name in self.timers:
            self._tasks.append(loop.create_task(self._loop(name), name=f"timer:{name}"))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run_now(self, name: str, *, past_due: bool = False) -> Any:
        """Calls the timer function at once, as an occurrence due now; the function's exception propagates."""
        if name not in self.timers:
            raise KeyError(f"no timer function named {name!r}; known: {sorted(self.timers)}")
        return await self._invoke(name, self._clock(), past_due=past_due)

    def describe(self) -> list[dict[str, Any]]:
        """For the dev page."""
        return [{"name": name, "schedule": state.function.trigger.schedule,
                 "last": state.last.isoformat() if state.last else None,
                 "next": state.next.isoformat() if state.next else None,
                 "runs": state.runs, "failures": state.failures} for name, state in self.timers.items()]

    async def _loop(self, name: str) -> None:
        scheduled_timer.set(name)  # this task's own context: run_now callers are not marked
        state = self.timers[name]
        if state.function.trigger.run_on_startup:
            await self._invoke_logged(name, self._clock(), past_due=False)
        while True:
            base = self._clock()
            if state.last is not None:
                # An interval counts from the previous occurrence; a cron schedule from now, but never at or
                # before the previous occurrence (a sleep may end a hair early).
                base = state.last if isinstance(state.schedule, IntervalSchedule) else max(base, state.last)
            state.next = state.schedule.next_after(base)
            await asyncio.sleep(max(0.0, (state.next - self._clock()).total_seconds()))
            await self._invoke_logged(name, state.next)

    async def _invoke_logged(self, name: str, due: datetime, *, past_due: bool | None = None) -> None:
        try:
            await self._invoke(name, due, past_due=past_due)
        except Exception:
            log.exception("timer function %s failed", name)

    async def _invoke(self, name: str, due: datetime, *, past_due: bool | None = None) -> Any:
        state = self.timers[name]
        async with self._locks[name]:  # a timer function never overlaps itself
            if past_due is None:  # late because the loop was busy or a run_now call held the timer
                past_due = self._clock() - due > PAST_DUE_TOLERANCE
            following = state.schedule.next_after(due)
            request = TimerRequest(
                past_due=past_due,
                schedule_status={"Last": (state.last or due).isoformat(), "Next": following.isoformat(),
                                 "LastUpdated": self._clock().isoformat()},
                schedule={"AdjustForDST": True})
            state.last = due
            state.runs += 1
            try:
                result, _ = await state.function.invoke(request)
            except Exception:
                state.failures += 1
                raise
            return result
