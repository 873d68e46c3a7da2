"""The outbox mechanism itself (shared/domain/outbox.py), on the real SQLite documents adapter and a recording
queue: effects are stored with their write, relayed in order, never lost, and a `once` step is not repeated."""

from __future__ import annotations

from typing import Any

import pytest

from shared import clock, wiring
from shared.adapters.documents_sqlite import SqliteDocuments
from shared.adapters.queue_message import QueueUnavailable
from shared.domain import outbox
from shared.errors import Conflict
from shared.ports import BatchOp, Patch, Query, Where

CONTAINER = "comments"
steps_run: list[dict[str, Any]] = []


async def remember(args: dict[str, Any], hints: dict[str, Any]) -> None:
    steps_run.append(args)


class RecordingQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any], str | None]] = []
        self.down = False

    async def send(self, queue: str, body: dict[str, Any], *, message_id: str | None = None, **_: Any) -> None:
        if self.down:
            raise QueueUnavailable()
        self.sent.append((queue, body, message_id))


@pytest.fixture
async def stack(tmp_path, monkeypatch):
    wiring.reset()
    monkeypatch.setenv("OUTBOX_RETRY_SECONDS", "0")
    monkeypatch.setitem(outbox.STEPS, "test.remember", f"{__name__}:remember")
    docs = SqliteDocuments(tmp_path / "documents.sqlite3")
    queue = RecordingQueue()
    wiring.override("documents", docs)
    wiring.override("queue", queue)
    steps_run.clear()
    yield docs, queue
    await docs.close()
    wiring.reset()


async def outbox_docs(docs) -> list[dict[str, Any]]:
    return (await docs.query(CONTAINER, Query(where=[Where("kind", "=", "outbox")]))).items


async def test_a_write_and_its_effects_are_stored_together_then_relayed_in_order(stack):
    docs, queue = stack
    written, = await outbox.write(CONTAINER, "p1", [BatchOp("create", doc={"id": "c1", "pk": "p1", "n": 1})],
                                  [outbox.step("test.remember", once=True, n=1), outbox.send("q", {"a": 1}),
                                   outbox.send("q", {"b": 2}, message_id="mine")], source="c1")
    assert written is not None and written["n"] == 1
    assert steps_run == [{"n": 1}]
    assert queue.sent == [("q", {"a": 1}, "outbox.c1/1"), ("q", {"b": 2}, "mine")]
    assert await outbox_docs(docs) == []


async def test_a_failed_batch_stores_neither_the_write_nor_its_effects(stack):
    docs, queue = stack
    await docs.create(CONTAINER, {"id": "c1", "pk": "p1"})
    with pytest.raises(Conflict):
        await outbox.write(CONTAINER, "p1", [BatchOp("create", doc={"id": "c1", "pk": "p1"})],
                           [outbox.send("q", {"a": 1})])
    assert await outbox_docs(docs) == [] and queue.sent == []


async def test_a_relay_that_fails_keeps_what_was_done_and_the_timer_finishes_without_repeating_it(stack):
    docs, queue = stack
    queue.down = True
    await outbox.write(CONTAINER, "p1", [BatchOp("create", doc={"id": "c1", "pk": "p1"})],
                       [outbox.step("test.remember", once=True, n=1), outbox.send("q", {"a": 1})], source="c1")
    (left,) = await outbox_docs(docs)
    assert left["done"] == [0] and left["last_error"] == "QueueUnavailable"
    assert (await outbox.relay_due()).failed == 1  # still down
    queue.down = False
    report = await outbox.relay_due()
    assert (report.relayed, report.failed) == (1, 0)
    assert steps_run == [{"n": 1}]  # the once step ran once
    assert queue.sent == [("q", {"a": 1}, "outbox.c1/1")]
    assert await outbox_docs(docs) == []


async def test_the_timer_leaves_a_document_whose_writer_still_holds_its_lease(stack):
    docs, queue = stack
    doc = outbox.entry("p1", [outbox.send("q", {"a": 1})])
    await docs.create(CONTAINER, doc)  # as if a writer stored it and is relaying right now
    assert (await outbox.relay_due()).relayed == 0
    await docs.patch(CONTAINER, "p1", doc["id"], [Patch("set", "/relay_after", clock.later_iso(seconds=-1))])
    assert (await outbox.relay_due()).relayed == 1 and len(queue.sent) == 1


async def test_effects_recorded_before_a_write_that_fails_are_discarded(stack):
    docs, queue = stack
    with pytest.raises(RuntimeError):
        async with outbox.pending(CONTAINER, "p1", [outbox.send("q", {"a": 1})]):
            raise RuntimeError("the write failed")
    assert await outbox_docs(docs) == [] and queue.sent == []
    async with outbox.pending(CONTAINER, "p1", [outbox.send("q", {"a": 1})]):
        pass
    assert len(queue.sent) == 1 and await outbox_docs(docs) == []


async def test_only_registered_containers_and_steps_are_accepted(stack):
    with pytest.raises(ValueError):
        outbox.step("no.such.step")
    with pytest.raises(ValueError):
        await outbox.write("not_registered", "p1", [], [outbox.send("q", {})])
