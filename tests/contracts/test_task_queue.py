"""The TaskQueue contract, over the dev host's stand-in and over Service Bus.

No Service Bus emulator exists, so for Service Bus the suite checks what the adapter would put on the wire
(the azure.servicebus.ServiceBusMessage that send() builds) and that it fails cleanly and quickly when the
namespace cannot be reached. The dev host adapter is checked by reading back what its store holds.
"""

import json
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared import wiring
from shared.adapters.queue_devhost import DevHostQueue
from shared.adapters.queue_message import MAX_MESSAGE_BYTES, QueueUnavailable, prepare_message
from shared.adapters.queue_servicebus import ServiceBusQueue
from shared.adapters.queue_store import QueueStore
from shared.ports import TaskQueue


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free once the socket closes: nothing listens there


def emulator_connection_string(port: int) -> str:
    return (f"Endpoint=sb://localhost:{port};SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;")


@dataclass
class Sent:
    body: Any
    message_id: str
    content_type: str | None
    scheduled_at: datetime | None
    properties: dict[str, Any]


class DevHostHarness:
    name = "devhost"

    def __init__(self, tmp_path):
        self.store = QueueStore(tmp_path / "queues.sqlite3")
        self.queue = DevHostQueue(self.store)

    async def send(self, queue: str, body: dict, **options: Any) -> Sent:
        await self.queue.send(queue, body, **options)
        message = self.store.peek(queue)[-1]
        return Sent(message.json(), message.message_id, message.content_type, message.scheduled_enqueue_time_utc,
                    message.application_properties)

    async def close(self) -> None:
        await self.queue.close()


class ServiceBusHarness:
    """What ServiceBusQueue.send hands to the SDK; the queue itself points at a port where nothing listens."""

    name = "servicebus"

    def __init__(self, tmp_path):
        self.queue = ServiceBusQueue(connection_string=emulator_connection_string(closed_port()), retry_total=0)

    async def send(self, queue: str, body: dict, **options: Any) -> Sent:
        message = ServiceBusQueue.build_message(prepare_message(queue, body, **options))
        return Sent(json.loads(b"".join(message.body)), message.message_id, message.content_type,
                    message.scheduled_enqueue_time_utc, dict(message.application_properties or {}))

    async def close(self) -> None:
        await self.queue.close()


@pytest.fixture(params=[DevHostHarness, ServiceBusHarness], ids=lambda cls: cls.name)
async def harness(request, tmp_path):
    harness = request.param(tmp_path)
    yield harness
    await harness.close()


async def test_both_adapters_are_task_queues(tmp_path):
    devhost, servicebus = DevHostQueue(QueueStore(tmp_path / "q.sqlite3")), ServiceBusQueue(namespace="example")
    assert isinstance(devhost, TaskQueue)
    assert isinstance(servicebus, TaskQueue)
    await devhost.close()
    await servicebus.close()


async def test_the_body_travels_as_json_marked_application_json(harness):
    sent = await harness.send("jobs", {"model_id": "m1", "rows": [1, 2.5, None], "name": "Zoë"})
    assert sent.body == {"model_id": "m1", "rows": [1, 2.5, None], "name": "Zoë"}
    assert sent.content_type == "application/json"


async def test_a_message_without_an_id_gets_a_fresh_one(harness):
    first = await harness.send("jobs", {"n": 1})
    second = await harness.send("jobs", {"n": 2})
    assert first.message_id and second.message_id
    assert first.message_id != second.message_id


async def test_the_given_message_id_is_kept(harness):
    sent = await harness.send("jobs", {}, message_id="train/job-42/step-1")
    assert sent.message_id == "train/job-42/step-1"


async def test_a_scheduled_time_is_kept_as_the_same_instant_in_utc(harness):
    later = datetime(2031, 5, 6, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    sent = await harness.send("jobs", {}, scheduled_at=later)
    assert sent.scheduled_at == later
    assert sent.scheduled_at.utcoffset() == timedelta(0)
    assert (await harness.send("jobs", {})).scheduled_at is None


async def test_application_properties_are_kept_with_their_types(harness):
    properties = {"kind": "train", "attempt": 2, "ratio": 0.5, "urgent": False}
    sent = await harness.send("jobs", {}, application_properties=properties)
    assert sent.properties == properties
    assert type(sent.properties["urgent"]) is bool


@pytest.mark.parametrize("options, error", [
    ({"scheduled_at": datetime(2031, 1, 1)}, "timezone-aware"),
    ({"application_properties": {"tags": ["a", "b"]}}, "str, int, float or bool"),
    ({"message_id": "x" * 129}, "message_id"),
    ({"message_id": ""}, "message_id"),
])
async def test_a_message_service_bus_would_refuse_is_refused_before_sending(harness, options, error):
    with pytest.raises(ValueError, match=error):
        await harness.queue.send("jobs", {}, **options)


async def test_a_body_over_the_service_bus_size_limit_is_refused(harness):
    with pytest.raises(ValueError, match=str(MAX_MESSAGE_BYTES)):
        await harness.queue.send("jobs", {"blob": "x" * MAX_MESSAGE_BYTES})


async def test_a_body_that_is_not_a_json_object_is_refused(harness):
    with pytest.raises(TypeError):
        await harness.queue.send("jobs", ["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await harness.queue.send("jobs", {"when": datetime.now(UTC)})
    with pytest.raises(ValueError, match="queue name"):
        await harness.queue.send("", {})


# ------------------------------------------------------------------------------------------ dev host only


async def test_the_devhost_queue_drops_a_duplicate_message_id_silently(tmp_path):
    store = QueueStore(tmp_path / "queues.sqlite3", duplicate_window_seconds=600)
    queue = DevHostQueue(store)
    await queue.send("jobs", {"first": True}, message_id="same")
    await queue.send("jobs", {"second": True}, message_id="same")
    assert [m.json() for m in store.peek("jobs")] == [{"first": True}]
    await queue.close()


async def test_the_devhost_queue_numbers_messages_per_queue(tmp_path):
    store = QueueStore(tmp_path / "queues.sqlite3")
    queue = DevHostQueue(store)
    for name in ("a", "b", "a"):
        await queue.send(name, {})
    assert [m.sequence_number for m in store.peek("a")] == [1, 2]
    assert [m.sequence_number for m in store.peek("b")] == [1]
    await queue.close()


# ------------------------------------------------------------------------------------------ Service Bus only


async def test_sending_to_an_unreachable_namespace_raises_queue_unavailable_quickly():
    queue = ServiceBusQueue(connection_string=emulator_connection_string(closed_port()), retry_total=0)
    started = time.monotonic()
    try:
        with pytest.raises(QueueUnavailable) as raised:
            await queue.send("jobs", {"n": 1})
        # and again: a broken sender is replaced, not reused
        with pytest.raises(QueueUnavailable):
            await queue.send("jobs", {"n": 2})
    finally:
        await queue.close()
    assert time.monotonic() - started < 5
    assert raised.value.status == 503
    assert raised.value.code == "queue_unavailable"
    assert "Connection refused" in str(raised.value.__cause__) or "Connect call failed" in str(raised.value.__cause__)


async def test_the_sdk_retries_are_used_before_giving_up():
    queue = ServiceBusQueue(connection_string=emulator_connection_string(closed_port()), retry_total=2,
                            retry_backoff_factor=0.1)
    started = time.monotonic()
    try:
        with pytest.raises(QueueUnavailable):
            await queue.send("jobs", {})
    finally:
        await queue.close()
    assert 0.2 <= time.monotonic() - started < 10


async def test_a_namespace_alone_means_managed_identity():
    from azure.identity.aio import DefaultAzureCredential

    queue = ServiceBusQueue(namespace="topicsflow-prod")
    try:
        assert queue.fully_qualified_namespace == "topicsflow-prod.servicebus.windows.net"
        assert isinstance(queue._credential, DefaultAzureCredential)
    finally:
        await queue.close()
    spelled_as_url = ServiceBusQueue(namespace="sb://x.servicebus.windows.net/")
    try:
        assert spelled_as_url.fully_qualified_namespace == "x.servicebus.windows.net"
    finally:
        await spelled_as_url.close()


def test_a_service_bus_queue_needs_a_connection_string_or_a_namespace():
    with pytest.raises(ValueError, match="SERVICEBUS_"):
        ServiceBusQueue()


async def test_wiring_picks_the_adapter_from_the_stack(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCAL_SETTINGS_FILE", str(tmp_path / "absent.json"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("APP_STACK", "embedded")
    wiring.reset()
    try:
        assert isinstance(wiring.queue(), DevHostQueue)
        await wiring.close_all()
        monkeypatch.setenv("APP_STACK", "azure")
        monkeypatch.setenv("SERVICEBUS_NAMESPACE", "topicsflow-test")
        wiring.reset()
        chosen = wiring.queue()
        assert isinstance(chosen, ServiceBusQueue)
        assert chosen.fully_qualified_namespace == "topicsflow-test.servicebus.windows.net"
        await wiring.close_all()
    finally:
        wiring.reset()
