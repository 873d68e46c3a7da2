"""Delivers queued messages to the app's service_bus_queue_trigger functions, as the Functions host does.

One background loop polls the store (and wakes at once when a sender in this process enqueues). Per queue, at
most host.json `maxConcurrentCalls` handlers run at a time. Settlement follows `autoCompleteMessages: true`:
a handler that returns completes its message; one that raises abandons it, so it comes back with
delivery_count + 1 until the store dead-letters it. While a handler runs, its lock is renewed, as the host does,
for up to `maxAutoLockRenewalDuration`; a handler that outlives the lock duration is logged, because on Azure
that is where the lock renewal budget starts to matter.

Tests call `await drain()`: it delivers until nothing is deliverable now (scheduled messages that are not due stay).
"""

from __future__ import annotations

import asyncio
import logging
import typing
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from azure.functions.servicebus import ServiceBusMessage

from devhost.function_index import FunctionIndex, IndexedFunction
from devhost.timers import parse_timespan
from shared.adapters.queue_store import MessageLockLost, QueueStore, StoredMessage

log = logging.getLogger("devhost.queue")

DEFAULT_POLL_SECONDS = 0.075
DEFAULT_MAX_CONCURRENT_CALLS = 16  # host.json extensions.serviceBus defaults
DEFAULT_MAX_BATCH = 1000
DEFAULT_RENEWAL = timedelta(minutes=5)


def to_function_message(message: StoredMessage) -> ServiceBusMessage:
    """The trigger value the Python worker builds from a received message."""
    return ServiceBusMessage(
        body=message.body,
        message_id=message.message_id,
        content_type=message.content_type,
        delivery_count=message.delivery_count,
        enqueued_time_utc=message.enqueued_time_utc,
        scheduled_enqueue_time_utc=message.scheduled_enqueue_time_utc,
        sequence_number=message.sequence_number,
        lock_token=message.lock_token,
        locked_until=message.locked_until_utc,
        application_properties=dict(message.application_properties),
        user_properties=dict(message.application_properties),
        dead_letter_reason=message.dead_letter_reason,
        dead_letter_error_description=message.dead_letter_error_description,
    )


def send_out_bindings(store: QueueStore, function: IndexedFunction, outs: dict[str, Any]) -> int:
    """Enqueues what a function set on its service_bus_queue_output bindings; returns the number of messages.

    The output binding carries a body only (str or bytes, or a list of them): no message id, no schedule.
    """
    sent = 0
    for binding in function.bindings:
        value = outs.get(binding.name)
        if value is None or binding.type != "serviceBus":
            continue
        queue = getattr(binding, "queue_name", None)
        if not queue:
            log.warning("%s: Service Bus topic outputs are not emulated; %s was dropped", function.name,
                        binding.name)
            continue
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str | bytes):
                raise TypeError(f"{function.name}: output binding {binding.name} takes str or bytes, not "
                                f"{type(item).__name__}")
            body = item.encode() if isinstance(item, str) else bytes(item)
            if store.send(queue, body, message_id=uuid.uuid4().hex, content_type=None) is not None:
                sent += 1
    return sent


class QueueRunner:
    def __init__(self, index: FunctionIndex, store: QueueStore | None = None, settings: Any = None, *,
                 poll_seconds: float = DEFAULT_POLL_SECONDS, max_concurrent_calls: int | None = None):
        if store is None:
            from shared.settings import get_settings

            store = QueueStore.from_settings(settings or get_settings())
            self._owns_store = True
        else:
            self._owns_store = False
        self.index = index
        self.store = store
        self.poll_seconds = poll_seconds
        options = index.service_bus_settings
        self.max_concurrent_calls = max_concurrent_calls or int(
            options.get("maxConcurrentCalls", DEFAULT_MAX_CONCURRENT_CALLS))
        self.max_batch = int(options.get("maxMessageBatchSize", DEFAULT_MAX_BATCH))
        renewal = options.get("maxAutoLockRenewalDuration")
        self.max_renewal = parse_timespan(renewal) if renewal else DEFAULT_RENEWAL
        if options.get("autoCompleteMessages") is False:
            log.warning("host.json autoCompleteMessages=false: manual settlement is not emulated; the dev host "
                        "completes on success and abandons on failure")
        for queue, function in index.service_bus.items():
            if getattr(function.trigger, "is_sessions_enabled", None):
                log.warning("%s: sessions are not emulated on queue %s; messages arrive in plain FIFO order",
                            function.name, queue)
        self._inflight: dict[str, set[asyncio.Task]] = {queue: set() for queue in index.service_bus}
        self._wake: asyncio.Event | None = None
        self._loop_task: asyncio.Task | None = None
        self._remove_listener = None
        self._stopping = False

    # ------------------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Starts the delivery loop (call from the running event loop)."""
        if self._loop_task is not None:
            return
        loop = asyncio.get_running_loop()
        self._stopping = False
        wake = self._wake_event()

        def on_send(_queue: str) -> None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop is closed; the next poll of a new runner finds the message
                pass

        self._remove_listener = self.store.add_listener(on_send)
        self._loop_task = loop.create_task(self._run(), name="devhost-queue-runner")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - a grace period, not a deadline
        """Stops polling, lets running handlers finish (up to timeout), then cancels the rest (abandoning them)."""
        self._stopping = True
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None
        pending = self._pending()
        if pending:
            _, still_running = await asyncio.wait(pending, timeout=timeout)
            for task in still_running:
                task.cancel()
            await asyncio.gather(*still_running, return_exceptions=True)
        if self._owns_store:
            self.store.close()

    async def drain(self, queues: Iterable[str] | None = None,
                    timeout: float = 30.0) -> int:  # noqa: ASYNC109 - the tests' documented API
        """Delivers until nothing in these queues (default: every listened queue) is deliverable now.

        Returns the number of deliveries made; raises TimeoutError if handlers are still busy after timeout.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        targets = self._targets(queues)
        delivered = 0
        while True:
            started = await self._pump(targets)
            delivered += started
            pending = self._pending(targets)
            if not started and not pending:
                return delivered
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"queues {targets} still busy after {timeout}s")
            if pending:
                await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)

    def describe(self) -> list[dict[str, Any]]:
        """Every queue the app listens on or the store has seen, with counts and its function (for the dev page)."""
        rows = {row["queue"].lower(): dict(row) for row in self.store.overview()}
        for queue, function in self.index.service_bus.items():
            row = rows.setdefault(queue.lower(), {"queue": queue, "active": 0, "scheduled": 0, "locked": 0,
                                                  "dead_letter": 0})
            row["function"] = function.name
            row["running"] = len(self._inflight[queue])
        for row in rows.values():
            row.setdefault("function", None)
            row.setdefault("running", 0)
        return sorted(rows.values(), key=lambda row: row["queue"].lower())

    # ------------------------------------------------------------------------------------------ delivery

    async def _run(self) -> None:
        wake = self._wake_event()
        queues = list(self.index.service_bus)
        while not self._stopping:
            wake.clear()
            started = 0
            try:
                if queues and await asyncio.to_thread(self.store.has_deliverable, queues):
                    started = await self._pump(queues)
            except Exception:
                log.exception("queue runner: polling the store failed")
            if not started:
                try:
                    await asyncio.wait_for(wake.wait(), self.poll_seconds)
                except TimeoutError:
                    pass

    async def _pump(self, queues: Sequence[str]) -> int:
        """Receives what each queue has room for and starts its handlers; returns the number of messages."""
        started = 0
        for queue in queues:
            function = self.index.service_bus[queue]
            free = self.max_concurrent_calls - len(self._inflight[queue])
            if free <= 0:
                continue
            if _takes_batches(function):
                batches = [await asyncio.to_thread(self.store.receive, queue, self.max_batch)]
                batches = [batch for batch in batches if batch]
            else:
                messages = await asyncio.to_thread(self.store.receive, queue, free)
                batches = [[message] for message in messages]
            for batch in batches:
                task = asyncio.get_running_loop().create_task(self._deliver(queue, function, batch))
                self._inflight[queue].add(task)
                task.add_done_callback(lambda t, q=queue: self._finished(q, t))
                started += len(batch)
        return started

    def _finished(self, queue: str, task: asyncio.Task) -> None:
        self._inflight[queue].discard(task)
        if self._wake is not None:
            self._wake.set()  # a slot is free

    async def _deliver(self, queue: str, function: IndexedFunction, batch: list[StoredMessage]) -> None:
        loop = asyncio.get_running_loop()
        tokens = [message.lock_token for message in batch]
        lock_seconds = self.store.lock_seconds
        call = loop.create_task(function.invoke(_trigger_value(function, batch)))
        started = loop.time()
        warned = False
        try:
            while True:
                done, _ = await asyncio.wait({call}, timeout=max(lock_seconds / 2, 0.01))
                if done:
                    break
                elapsed = loop.time() - started
                if elapsed > lock_seconds and not warned:
                    warned = True
                    log.warning("%s has run %.0fs, past the %.0fs message lock; the lock is renewed for up to "
                                "maxAutoLockRenewalDuration (%s), after which Service Bus would redeliver",
                                function.name, elapsed, lock_seconds, self.max_renewal)
                if elapsed < self.max_renewal.total_seconds():
                    await self._settle(self.store.renew_lock, tokens, function)
            _, outs = call.result()
            if outs:
                await asyncio.to_thread(send_out_bindings, self.store, function, outs)
        except asyncio.CancelledError:
            call.cancel()
            for token in tokens:  # shutting down: hand the message back at once instead of waiting for the lock
                _quietly(self.store.abandon, token)
            raise
        except Exception:
            log.exception("%s failed on queue %s (delivery %s of %s); abandoning", function.name, queue,
                          batch[0].delivery_count, self.store.max_delivery_count)
            await self._settle(self.store.abandon, tokens, function)
        else:
            await self._settle(self.store.complete, tokens, function)

    async def _settle(self, action, tokens: list[str | None], function: IndexedFunction) -> None:
        for token in tokens:
            try:
                await asyncio.to_thread(action, token)
            except MessageLockLost:
                log.warning("%s: lost the lock on a message before %s; it was redelivered meanwhile, which is why "
                            "handlers must be idempotent", function.name, action.__name__)

    # ------------------------------------------------------------------------------------------ helpers

    def _wake_event(self) -> asyncio.Event:
        if self._wake is None:
            self._wake = asyncio.Event()
        return self._wake

    def _targets(self, queues: Iterable[str] | None) -> list[str]:
        if queues is None:
            return list(self.index.service_bus)
        by_name = {queue.lower(): queue for queue in self.index.service_bus}
        return [by_name[name.lower()] for name in queues if name.lower() in by_name]

    def _pending(self, queues: Iterable[str] | None = None) -> set[asyncio.Task]:
        names = self._inflight if queues is None else queues
        return {task for queue in names for task in self._inflight[queue]}


def _takes_batches(function: IndexedFunction) -> bool:
    cardinality = getattr(function.trigger, "cardinality", None)
    return str(getattr(cardinality, "value", cardinality or "one")).lower() == "many"


def _trigger_value(function: IndexedFunction, batch: list[StoredMessage]) -> Any:
    """A ServiceBusMessage (a list of them for cardinality=many); a str or bytes parameter gets the body."""
    try:
        annotation = typing.get_type_hints(function.user_function).get(function.trigger.name)
    except Exception:  # an annotation that does not resolve: treat the parameter as unannotated
        annotation = None
    if annotation is str:
        values: list[Any] = [message.body.decode() for message in batch]
    elif annotation is bytes:
        values = [message.body for message in batch]
    else:
        values = [to_function_message(message) for message in batch]
    return values if _takes_batches(function) else values[0]


def _quietly(action, *args: Any) -> None:
    try:
        action(*args)
    except Exception:  # the lock may be gone already; the message then comes back when it expires
        log.debug("settling during shutdown failed", exc_info=True)
