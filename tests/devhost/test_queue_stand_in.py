"""The dev host's Service Bus stand-in, driven through a real FunctionApp with service-bus-triggered functions.

No `from __future__ import annotations` here: the functions below carry real annotations, as function_app's do.
"""

import asyncio
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import azure.functions as func
import pytest

from devhost.function_index import FunctionIndex
from devhost.queue_runner import QueueRunner
from shared.adapters.queue_devhost import DevHostQueue
from shared.adapters.queue_store import MessageLockLost, QueueStore
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    """A wall clock the test moves by hand, so schedules and windows are exact."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))  # whole seconds: datetimes round to microseconds

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def utc(self, offset_seconds: float = 0) -> datetime:
        return datetime.fromtimestamp(self.now + offset_seconds, UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "queues.sqlite3"


@pytest.fixture
def store(db_path: Path, clock: Clock):
    store = QueueStore(db_path, max_delivery_count=3, duplicate_window_seconds=60, clock=clock)
    yield store
    store.close()


def index_of(app: func.FunctionApp, tmp_path: Path, **service_bus: object) -> FunctionIndex:
    host = tmp_path / "host.json"
    host.write_text(json.dumps({"version": "2.0", "extensions": {"serviceBus": {
        "autoCompleteMessages": True, "maxConcurrentCalls": 16, **service_bus}}}))
    return FunctionIndex.from_app(app, host_json=host)


async def test_a_handler_that_fails_twice_then_succeeds_sees_delivery_counts_1_2_3(store, tmp_path):
    app = func.FunctionApp()
    counts: list[int] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def flaky(msg: func.ServiceBusMessage) -> None:
        counts.append(msg.delivery_count)
        if len(counts) < 3:
            raise RuntimeError("transient failure")

    runner = QueueRunner(index_of(app, tmp_path), store)
    await DevHostQueue(store).send("jobs", {"job": 1})

    assert await runner.drain() == 3
    assert counts == [1, 2, 3]
    assert store.peek("jobs") == []
    assert store.dead_letters("jobs") == []


async def test_a_handler_that_always_fails_ends_in_the_dead_letter_queue_after_the_max_delivery_count(
        store, tmp_path):
    app = func.FunctionApp()
    counts: list[int] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    def broken(msg: func.ServiceBusMessage) -> None:  # a sync handler, run in a worker thread
        counts.append(msg.delivery_count)
        raise ValueError("always fails")

    runner = QueueRunner(index_of(app, tmp_path), store)
    await DevHostQueue(store).send("jobs", {"job": 2}, message_id="job-2")

    await runner.drain()

    assert counts == [1, 2, 3]
    assert store.peek("jobs") == []
    [dead] = store.dead_letters("jobs")
    assert dead.message_id == "job-2"
    assert dead.json() == {"job": 2}
    assert dead.delivery_count == 3
    assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
    assert dead.dead_letter_error_description == "Message could not be consumed after 3 delivery attempts."
    assert store.overview() == [{"queue": "jobs", "active": 0, "scheduled": 0, "locked": 0, "dead_letter": 1}]


async def test_the_max_delivery_count_comes_from_settings_and_defaults_to_ten(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    app = func.FunctionApp()
    counts: list[int] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def broken(msg: func.ServiceBusMessage) -> None:
        counts.append(msg.delivery_count)
        raise RuntimeError("no")

    runner = QueueRunner(index_of(app, tmp_path), settings=settings)
    sender = DevHostQueue.from_settings(settings)
    await sender.send("jobs", {})
    await runner.drain()
    await runner.stop()

    assert counts == list(range(1, 11))
    assert (tmp_path / "data" / "queues.sqlite3").is_file()
    [dead] = sender.store.dead_letters("jobs")
    assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
    await sender.close()


async def test_a_replayed_dead_letter_is_delivered_again_as_a_fresh_message(store, tmp_path):
    app = func.FunctionApp()
    healthy = False
    seen: list[tuple[int, int]] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def depends_on_something(msg: func.ServiceBusMessage) -> None:
        seen.append((msg.sequence_number, msg.delivery_count))
        if not healthy:
            raise RuntimeError("dependency down")

    runner = QueueRunner(index_of(app, tmp_path), store)
    await DevHostQueue(store).send("jobs", {"n": 1}, message_id="n-1")
    await runner.drain()
    healthy = True

    assert store.replay_dead_letters("jobs") == 1
    await runner.drain()

    assert seen == [(1, 1), (1, 2), (1, 3), (2, 1)]
    assert store.dead_letters("jobs") == []
    assert store.peek("jobs") == []


async def test_a_duplicate_message_id_is_dropped_within_the_window_and_accepted_after_it(store, clock, tmp_path):
    app = func.FunctionApp()
    bodies: list[dict] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="emails", connection="ServiceBusConnection")
    async def send_email(msg: func.ServiceBusMessage) -> None:
        bodies.append(json.loads(msg.get_body()))

    runner = QueueRunner(index_of(app, tmp_path), store)
    queue = DevHostQueue(store)
    await queue.send("emails", {"attempt": 1}, message_id="welcome/u1")
    await queue.send("emails", {"attempt": 2}, message_id="welcome/u1")
    await queue.send("emails", {"other": True}, message_id="welcome/u2")
    await runner.drain()
    assert bodies == [{"attempt": 1}, {"other": True}]

    await queue.send("emails", {"attempt": 3}, message_id="welcome/u1")  # delivered already, still in the window
    clock.advance(61)
    await queue.send("emails", {"attempt": 4}, message_id="welcome/u1")
    await runner.drain()
    assert bodies == [{"attempt": 1}, {"other": True}, {"attempt": 4}]


async def test_a_scheduled_message_is_not_delivered_before_it_is_due(store, clock, tmp_path):
    app = func.FunctionApp()
    received: list[func.ServiceBusMessage] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="reminders", connection="ServiceBusConnection")
    async def remind(msg: func.ServiceBusMessage) -> None:
        received.append(msg)

    runner = QueueRunner(index_of(app, tmp_path), store)
    queue = DevHostQueue(store)
    due = clock.utc(300)
    await queue.send("reminders", {"later": True}, scheduled_at=due)
    await queue.send("reminders", {"now": True})

    assert await runner.drain() == 1
    assert [json.loads(m.get_body()) for m in received] == [{"now": True}]
    assert [m.state for m in store.peek("reminders")] == ["scheduled"]

    clock.advance(299.5)
    assert await runner.drain() == 0

    clock.advance(0.5)
    assert await runner.drain() == 1
    late = received[-1]
    assert json.loads(late.get_body()) == {"later": True}
    assert late.scheduled_enqueue_time_utc == due
    assert late.sequence_number == 1  # numbered when sent, delivered when due


async def test_the_running_runner_delivers_a_scheduled_message_once_it_is_due(db_path, tmp_path):
    store = QueueStore(db_path)
    app = func.FunctionApp()
    arrived = asyncio.Event()
    delivered_at: list[float] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="reminders", connection="ServiceBusConnection")
    async def remind(msg: func.ServiceBusMessage) -> None:
        delivered_at.append(time.time())
        arrived.set()

    runner = QueueRunner(index_of(app, tmp_path), store)
    runner.start()
    try:
        due = datetime.now(UTC) + timedelta(seconds=0.4)
        await DevHostQueue(store).send("reminders", {}, scheduled_at=due)
        await asyncio.wait_for(arrived.wait(), timeout=5)
    finally:
        await runner.stop()
        store.close()
    assert delivered_at[0] >= due.timestamp()
    assert delivered_at[0] - due.timestamp() < 1.0


async def test_an_undelivered_message_survives_a_restart(db_path, tmp_path):
    app = func.FunctionApp()
    bodies: list[dict] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def work(msg: func.ServiceBusMessage) -> None:
        bodies.append(json.loads(msg.get_body()))

    first_store = QueueStore(db_path)
    first_runner = QueueRunner(index_of(app, tmp_path), first_store)
    await DevHostQueue(first_store).send("jobs", {"survives": True}, message_id="keep-me",
                                         application_properties={"tenant": "t1"})
    await first_runner.stop()
    first_store.close()
    assert bodies == []

    second_store = QueueStore(db_path)
    second_runner = QueueRunner(index_of(app, tmp_path), second_store)
    try:
        assert await second_runner.drain() == 1
    finally:
        await second_runner.stop()
        second_store.close()
    assert bodies == [{"survives": True}]


async def test_a_message_whose_receiver_died_comes_back_when_its_lock_expires(db_path, tmp_path):
    clock = Clock()
    crashed = QueueStore(db_path, clock=clock)
    await DevHostQueue(crashed).send("jobs", {"x": 1})
    [locked] = crashed.receive("jobs")  # received, then the process "dies" without settling
    crashed.close()

    app = func.FunctionApp()
    counts: list[int] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def work(msg: func.ServiceBusMessage) -> None:
        counts.append(msg.delivery_count)

    store = QueueStore(db_path, clock=clock)
    runner = QueueRunner(index_of(app, tmp_path), store)
    assert await runner.drain() == 0  # still locked
    clock.advance(store.lock_seconds)
    assert await runner.drain() == 1
    assert counts == [2]
    assert locked.delivery_count == 1
    store.close()


async def test_no_more_than_max_concurrent_calls_handlers_run_at_once(store, tmp_path):
    app = func.FunctionApp()
    running = 0
    peak = 0
    done = 0

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def slow(msg: func.ServiceBusMessage) -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        done += 1

    runner = QueueRunner(index_of(app, tmp_path, maxConcurrentCalls=2), store)
    queue = DevHostQueue(store)
    for n in range(6):
        await queue.send("jobs", {"n": n})

    assert await runner.drain() == 6
    assert done == 6
    assert peak == 2


async def test_a_message_for_a_queue_no_function_listens_on_stays_in_the_queue(store, tmp_path):
    app = func.FunctionApp()

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def work(msg: func.ServiceBusMessage) -> None:
        pass

    runner = QueueRunner(index_of(app, tmp_path), store)
    await DevHostQueue(store).send("nobody-listens", {"lost": False})

    assert await runner.drain() == 0
    assert await runner.drain(["nobody-listens"]) == 0
    [waiting] = store.peek("nobody-listens")
    assert waiting.state == "active"
    assert waiting.delivery_count == 0
    assert runner.describe() == [
        {"queue": "jobs", "active": 0, "scheduled": 0, "locked": 0, "dead_letter": 0, "function": "work",
         "running": 0},
        {"queue": "nobody-listens", "active": 1, "scheduled": 0, "locked": 0, "dead_letter": 0, "function": None,
         "running": 0},
    ]


async def test_the_handler_receives_a_service_bus_message_with_the_broker_properties(store, clock, tmp_path):
    app = func.FunctionApp()
    received: list[func.ServiceBusMessage] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="Jobs", connection="ServiceBusConnection")
    async def work(msg: func.ServiceBusMessage) -> None:
        received.append(msg)

    runner = QueueRunner(index_of(app, tmp_path), store)
    await DevHostQueue(store).send("jobs", {"a": [1, 2]}, message_id="m-1",
                                   application_properties={"kind": "train", "attempt": 1, "urgent": True})
    await runner.drain()

    [msg] = received
    assert msg.get_body() == b'{"a":[1,2]}'
    assert msg.message_id == "m-1"
    assert msg.content_type == "application/json"
    assert msg.delivery_count == 1
    assert msg.sequence_number == 1
    assert msg.enqueued_time_utc == clock.utc()
    assert msg.application_properties == {"kind": "train", "attempt": 1, "urgent": True}
    assert msg.user_properties == msg.application_properties
    assert msg.lock_token
    assert msg.locked_until == clock.utc(store.lock_seconds)


async def test_a_send_wakes_the_running_runner_without_waiting_for_the_next_poll(db_path, tmp_path):
    app = func.FunctionApp()
    arrived = asyncio.Event()

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def work(msg: func.ServiceBusMessage) -> None:
        arrived.set()

    runner_store = QueueStore(db_path)
    sender_store = QueueStore(db_path)  # the app's adapter has a store of its own on the same file
    runner = QueueRunner(index_of(app, tmp_path), runner_store, poll_seconds=30)
    runner.start()
    try:
        await asyncio.sleep(0.05)  # let the loop reach its wait
        started = time.monotonic()
        await DevHostQueue(sender_store).send("jobs", {})
        await asyncio.wait_for(arrived.wait(), timeout=5)
        assert time.monotonic() - started < 1
    finally:
        await runner.stop()
        runner_store.close()
        sender_store.close()


async def test_a_message_enqueued_by_another_process_is_delivered(db_path, tmp_path):
    app = func.FunctionApp()
    arrived = asyncio.Event()
    bodies: list[dict] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def work(msg: func.ServiceBusMessage) -> None:
        bodies.append(json.loads(msg.get_body()))
        arrived.set()

    store = QueueStore(db_path)
    runner = QueueRunner(index_of(app, tmp_path), store)
    runner.start()
    script = ("import asyncio, sys\n"
              "from shared.adapters.queue_store import QueueStore\n"
              "from shared.adapters.queue_devhost import DevHostQueue\n"
              "queue = DevHostQueue(QueueStore(sys.argv[1]))\n"
              "asyncio.run(queue.send('jobs', {'from': 'cli'}))\n")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, str(db_path), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert await process.wait() == 0
        await asyncio.wait_for(arrived.wait(), timeout=5)
    finally:
        await runner.stop()
        store.close()
    assert bodies == [{"from": "cli"}]


async def test_a_function_output_binding_enqueues_onto_its_queue(store, tmp_path):
    app = func.FunctionApp()
    seen: list[str] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="first", connection="ServiceBusConnection")
    @app.service_bus_queue_output(arg_name="next_step", queue_name="second", connection="ServiceBusConnection")
    async def step_one(msg: func.ServiceBusMessage, next_step: func.Out[str]) -> None:
        next_step.set(json.dumps({"from": "step_one"}))

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="second", connection="ServiceBusConnection")
    async def step_two(msg: func.ServiceBusMessage) -> None:
        seen.append(msg.get_body().decode())

    runner = QueueRunner(index_of(app, tmp_path), store)
    await DevHostQueue(store).send("first", {})
    assert await runner.drain() == 2
    assert seen == ['{"from": "step_one"}']


async def test_a_batch_trigger_receives_a_list_of_messages(store, tmp_path):
    app = func.FunctionApp()
    batches: list[list[int]] = []

    @app.service_bus_queue_trigger(arg_name="msgs", queue_name="jobs", connection="ServiceBusConnection",
                                   cardinality=func.Cardinality.MANY)
    async def work(msgs: list[func.ServiceBusMessage]) -> None:
        batches.append([json.loads(m.get_body())["n"] for m in msgs])

    runner = QueueRunner(index_of(app, tmp_path), store)
    for n in range(3):
        await DevHostQueue(store).send("jobs", {"n": n})
    assert await runner.drain() == 3
    assert batches == [[0, 1, 2]]


async def test_a_handler_that_outlives_its_lock_keeps_it_and_is_logged(db_path, tmp_path, caplog):
    store = QueueStore(db_path, lock_seconds=0.4)
    app = func.FunctionApp()
    counts: list[int] = []

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def long_task(msg: func.ServiceBusMessage) -> None:
        counts.append(msg.delivery_count)
        await asyncio.sleep(1.0)

    runner = QueueRunner(index_of(app, tmp_path), store)
    runner.start()  # the background loop would redeliver the message if its lock lapsed
    try:
        with caplog.at_level(logging.WARNING, logger="devhost.queue"):
            await DevHostQueue(store).send("jobs", {})
            await runner.drain()
    finally:
        await runner.stop()
    assert counts == [1]
    assert store.peek("jobs") == []
    assert any("past the" in record.getMessage() for record in caplog.records)
    store.close()


async def test_stopping_the_runner_hands_a_running_message_back_for_redelivery(store, tmp_path):
    app = func.FunctionApp()
    counts: list[int] = []
    started = asyncio.Event()

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="jobs", connection="ServiceBusConnection")
    async def never_ends(msg: func.ServiceBusMessage) -> None:
        counts.append(msg.delivery_count)
        started.set()
        if msg.delivery_count == 1:
            await asyncio.sleep(3600)

    runner = QueueRunner(index_of(app, tmp_path), store)
    runner.start()
    await DevHostQueue(store).send("jobs", {})
    await asyncio.wait_for(started.wait(), timeout=5)
    await runner.stop(timeout=0.1)
    [message] = store.peek("jobs")
    assert message.state == "active"

    restarted = QueueRunner(index_of(app, tmp_path), store)
    assert await restarted.drain() == 1
    assert counts == [1, 2]


async def test_settling_with_a_lock_that_expired_and_was_taken_over_fails(store, clock):
    await DevHostQueue(store).send("jobs", {})
    [first] = store.receive("jobs")
    clock.advance(store.lock_seconds)
    [second] = store.receive("jobs")

    assert second.delivery_count == 2
    with pytest.raises(MessageLockLost):
        store.complete(first.lock_token)
    store.complete(second.lock_token)
    assert store.peek("jobs") == []


async def test_a_message_whose_locks_keep_expiring_is_dead_lettered_after_the_max_delivery_count(store, clock):
    await DevHostQueue(store).send("jobs", {})
    for expected in (1, 2, 3):
        [message] = store.receive("jobs")
        assert message.delivery_count == expected
        clock.advance(store.lock_seconds)

    assert store.receive("jobs") == []
    [dead] = store.dead_letters("jobs")
    assert dead.dead_letter_reason == "MaxDeliveryCountExceeded"
    assert dead.dead_letter_error_description == "Message could not be consumed after 3 delivery attempts."
