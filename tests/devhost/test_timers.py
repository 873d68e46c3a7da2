"""Timer triggers on the dev host: NCRONTAB schedules and the runner that calls timer functions."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import azure.functions as func
import pytest

from devhost.function_index import FunctionIndex
from devhost.timers import CronSchedule, IntervalSchedule, TimerRunner, parse_schedule, parse_timespan


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def occurrences(expression: str, start: str, count: int) -> list[str]:
    schedule = CronSchedule(expression)
    moment, found = at(start), []
    for _ in range(count):
        moment = schedule.next_after(moment)
        found.append(moment.strftime("%Y-%m-%d %H:%M:%S %a"))
    return found


def test_every_five_seconds_starts_on_the_next_multiple_of_five():
    assert occurrences("*/5 * * * * *", "2025-01-01T00:00:03", 3) == [
        "2025-01-01 00:00:05 Wed", "2025-01-01 00:00:10 Wed", "2025-01-01 00:00:15 Wed"]


def test_the_next_occurrence_is_strictly_after_the_given_moment():
    assert occurrences("0 */5 * * * *", "2025-01-01T10:05:00", 2) == [
        "2025-01-01 10:10:00 Wed", "2025-01-01 10:15:00 Wed"]


def test_ranges_lists_and_steps_combine():
    assert occurrences("0 30 9-17/4 * * *", "2025-01-01T00:00:00", 4) == [
        "2025-01-01 09:30:00 Wed", "2025-01-01 13:30:00 Wed", "2025-01-01 17:30:00 Wed", "2025-01-02 09:30:00 Thu"]
    assert occurrences("15,45 0 0 * * *", "2025-01-01T00:00:20", 2) == [
        "2025-01-01 00:00:45 Wed", "2025-01-02 00:00:15 Thu"]


def test_a_single_value_with_a_step_runs_from_that_value_to_the_end():
    assert CronSchedule("50/4 * * * * *").seconds == frozenset({50, 54, 58})


def test_weekday_and_month_names_are_accepted_in_any_case_and_as_prefixes():
    assert occurrences("0 0 9 * * Mon-Fri", "2025-01-03T10:00:00", 2) == [
        "2025-01-06 09:00:00 Mon", "2025-01-07 09:00:00 Tue"]
    assert occurrences("0 0 0 1 feb,JULY *", "2025-01-15T00:00:00", 2) == [
        "2025-02-01 00:00:00 Sat", "2025-07-01 00:00:00 Tue"]


def test_sunday_is_day_zero():
    assert occurrences("0 0 12 * * 0", "2025-01-01T00:00:00", 1) == ["2025-01-05 12:00:00 Sun"]


def test_a_restricted_day_and_weekday_must_both_match_as_in_ncrontab():
    # Friday the 13th only, where Vixie cron would also run on every 13th and every Friday.
    assert occurrences("0 0 0 13 * Fri", "2025-01-01T00:00:00", 2) == [
        "2025-06-13 00:00:00 Fri", "2026-02-13 00:00:00 Fri"]


def test_the_31st_skips_months_without_one_and_february_29_waits_for_a_leap_year():
    assert occurrences("0 0 0 31 * *", "2025-01-31T00:00:00", 2) == [
        "2025-03-31 00:00:00 Mon", "2025-05-31 00:00:00 Sat"]
    assert occurrences("0 0 0 29 2 *", "2025-01-01T00:00:00", 1) == ["2028-02-29 00:00:00 Tue"]


@pytest.mark.parametrize("expression, problem", [
    ("0 */5 * * *", "6 fields"),
    ("60 * * * * *", "outside 0-59"),
    ("* * * * * 7", "outside 0-6"),
    ("* * * 0 * *", "outside 1-31"),
    ("*/0 * * * * *", "step"),
    ("10-5 * * * * *", "backwards"),
    ("* * * * Foo *", "not a known month"),
    ("1,,2 * * * * *", "empty"),
    ("x * * * * *", "not a valid second"),
])
def test_a_malformed_schedule_is_refused_with_a_reason(expression, problem):
    with pytest.raises(ValueError, match=problem):
        CronSchedule(expression)


def test_a_schedule_that_never_occurs_is_reported():
    with pytest.raises(ValueError, match="never occurs"):
        CronSchedule("0 0 0 30 2 *").next_after(at("2025-01-01T00:00:00"))


def test_a_timespan_schedule_is_a_fixed_interval():
    schedule = parse_schedule("00:00:30")
    assert schedule == IntervalSchedule(timedelta(seconds=30))
    assert schedule.next_after(at("2025-01-01T00:00:10")) == at("2025-01-01T00:00:40")
    assert parse_timespan("1.02:03:04") == timedelta(days=1, hours=2, minutes=3, seconds=4)
    assert parse_timespan("00:30:00") == timedelta(minutes=30)


def test_a_percent_schedule_is_read_from_the_app_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("CLEANUP_SCHEDULE", "0 0 3 * * *")
    assert parse_schedule("%CLEANUP_SCHEDULE%").expression == "0 0 3 * * *"

    settings_file = tmp_path / "local.settings.json"
    settings_file.write_text(json.dumps({"IsEncrypted": False, "Values": {"DIGEST_SCHEDULE": "0 0 8 * * Mon"}}))
    monkeypatch.setenv("LOCAL_SETTINGS_FILE", str(settings_file))
    assert parse_schedule("%DIGEST_SCHEDULE%").expression == "0 0 8 * * Mon"
    with pytest.raises(ValueError, match="MISSING_SCHEDULE"):
        parse_schedule("%MISSING_SCHEDULE%")


# ------------------------------------------------------------------------------------------------- the runner


def index_of(app: func.FunctionApp, tmp_path: Path) -> FunctionIndex:
    host = tmp_path / "host.json"
    host.write_text(json.dumps({"version": "2.0"}))
    return FunctionIndex.from_app(app, host_json=host)


async def test_run_now_calls_the_timer_function_with_a_timer_request(tmp_path):
    app = func.FunctionApp()
    requests: list[func.TimerRequest] = []

    @app.timer_trigger(arg_name="timer", schedule="0 0 3 * * *")
    async def nightly_cleanup(timer: func.TimerRequest) -> None:
        requests.append(timer)

    runner = TimerRunner(index_of(app, tmp_path), clock=lambda: at("2025-01-01T12:00:00"))
    await runner.run_now("nightly_cleanup")

    [request] = requests
    assert isinstance(request, func.TimerRequest)
    assert request.past_due is False
    assert request.schedule_status["Next"] == "2025-01-02T03:00:00+00:00"
    assert runner.describe()[0]["runs"] == 1


async def test_run_now_lets_the_function_exception_through_and_counts_it(tmp_path):
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="timer", schedule="0 0 3 * * *")
    def failing(timer: func.TimerRequest) -> None:
        raise RuntimeError("cleanup failed")

    runner = TimerRunner(index_of(app, tmp_path))
    with pytest.raises(RuntimeError, match="cleanup failed"):
        await runner.run_now("failing")
    assert runner.describe()[0]["failures"] == 1
    with pytest.raises(KeyError):
        await runner.run_now("no_such_timer")


async def test_a_timer_with_run_on_startup_runs_when_the_runner_starts(tmp_path):
    app = func.FunctionApp()
    ran = asyncio.Event()

    @app.timer_trigger(arg_name="timer", schedule="0 0 0 1 1 *", run_on_startup=True)
    async def warm_up(timer: func.TimerRequest) -> None:
        ran.set()

    runner = TimerRunner(index_of(app, tmp_path))
    runner.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=5)
    finally:
        await runner.stop()


async def test_the_runner_calls_a_function_on_its_schedule_and_survives_its_failures(tmp_path):
    app = func.FunctionApp()
    calls: list[datetime] = []
    two_calls = asyncio.Event()

    @app.timer_trigger(arg_name="timer", schedule="* * * * * *")
    async def every_second(timer: func.TimerRequest) -> None:
        calls.append(datetime.now(UTC))
        if len(calls) == 2:
            two_calls.set()
        raise RuntimeError("the next occurrence still runs")

    runner = TimerRunner(index_of(app, tmp_path))
    runner.start()
    try:
        await asyncio.wait_for(two_calls.wait(), timeout=5)
    finally:
        await runner.stop()
    assert calls[1].replace(microsecond=0) > calls[0].replace(microsecond=0)  # one call per occurrence
    assert calls[1] - calls[0] < timedelta(seconds=2)
    assert runner.describe()[0]["failures"] >= 2


async def test_a_timer_function_never_overlaps_itself(tmp_path):
    app = func.FunctionApp()
    starts: list[float] = []
    running = 0
    overlapping = 0
    second_call = asyncio.Event()

    @app.timer_trigger(arg_name="timer", schedule="* * * * * *")
    async def slow(timer: func.TimerRequest) -> None:
        nonlocal running, overlapping
        running += 1
        overlapping = max(overlapping, running)
        starts.append(asyncio.get_running_loop().time())
        if len(starts) == 2:
            second_call.set()
        await asyncio.sleep(1.3)  # longer than the interval: the occurrence in between is skipped
        running -= 1

    runner = TimerRunner(index_of(app, tmp_path))
    runner.start()
    try:
        await asyncio.wait_for(second_call.wait(), timeout=10)
    finally:
        await runner.stop()
    assert overlapping == 1
    assert starts[1] - starts[0] >= 1.3


async def test_a_call_that_starts_late_is_past_due(tmp_path):
    app = func.FunctionApp()
    requests: list[func.TimerRequest] = []
    called = asyncio.Event()

    @app.timer_trigger(arg_name="timer", schedule="* * * * * *")
    async def tick(timer: func.TimerRequest) -> None:
        requests.append(timer)
        called.set()

    readings = iter([at("2025-01-01T00:00:00.500000")])

    def clock() -> datetime:  # the first reading plans the call; every later one is 5 s on (a blocked loop)
        return next(readings, at("2025-01-01T00:00:05.500000"))

    runner = TimerRunner(index_of(app, tmp_path), clock=clock)
    runner.start()
    try:
        await asyncio.wait_for(called.wait(), timeout=5)
    finally:
        await runner.stop()
    assert requests[0].past_due is True
    assert requests[0].schedule_status["Next"] == "2025-01-01T00:00:02+00:00"
