"""The embedded stack's task queue: a durable store in one SQLite file, with Service Bus semantics.

It lives beside the adapters (not in devhost/, which is never deployed) because the app's sender writes it too.

The app's sender (shared/adapters/queue_devhost.py) and the dev host's runner (devhost/queue_runner.py) may live in
different processes, so every state change is one short SQLite transaction (WAL, busy timeout) and nothing is kept
in memory between calls. Semantics follow Service Bus queues with peek-lock receivers:

- FIFO per queue by sequence number (per queue, from 1); queue names match case-insensitively, as entity names do.
- A scheduled message is stored at once (it gets its sequence number then) and becomes visible when due.
- receive() locks messages (lock token, locked_until) and counts the delivery; a lock that expires makes the
  message visible again, so a crashed receiver loses nothing.
- complete() deletes; abandon() unlocks for immediate redelivery; a message that has been delivered
  max_delivery_count times and is abandoned (or whose lock expires) moves to the dead-letter sub-queue with
  reason "MaxDeliveryCountExceeded".
- A send whose message_id was sent to the same queue within the duplicate window is accepted and dropped.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_LOCK_SECONDS = 60.0  # Service Bus LockDuration default
MAX_DELIVERY_REASON = "MaxDeliveryCountExceeded"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    last_sequence INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    queue TEXT NOT NULL COLLATE NOCASE,
    sequence_number INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    body BLOB NOT NULL,
    content_type TEXT,
    application_properties TEXT NOT NULL DEFAULT '{}',
    enqueued_at REAL NOT NULL,
    scheduled_at REAL,
    visible_at REAL NOT NULL,
    delivery_count INTEGER NOT NULL DEFAULT 0,
    lock_token TEXT UNIQUE,
    locked_until REAL,
    dead_lettered INTEGER NOT NULL DEFAULT 0,
    dead_letter_reason TEXT,
    dead_letter_description TEXT,
    dead_lettered_at REAL,
    PRIMARY KEY (queue, sequence_number)
);
CREATE INDEX IF NOT EXISTS messages_deliverable ON messages (queue, dead_lettered, visible_at);
CREATE TABLE IF NOT EXISTS sent_ids (
    queue TEXT NOT NULL COLLATE NOCASE,
    message_id TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (queue, message_id)
);
CREATE INDEX IF NOT EXISTS sent_ids_expiry ON sent_ids (queue, expires_at);
"""

_COLUMNS = ("queue, sequence_number, message_id, body, content_type, application_properties, enqueued_at, "
            "scheduled_at, delivery_count, lock_token, locked_until, dead_lettered, dead_letter_reason, "
            "dead_letter_description, dead_lettered_at")

# Senders wake runners in the same process at once instead of waiting for their next poll.
_listeners: dict[str, set[Callable[[str], None]]] = {}
_listeners_lock = threading.Lock()


class MessageLockLost(RuntimeError):
    """The lock token no longer holds the message: it was settled, or its lock expired and it was redelivered."""


def _dt(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


@dataclass(frozen=True)
class StoredMessage:
    queue: str
    sequence_number: int
    message_id: str
    body: bytes
    content_type: str | None
    application_properties: dict[str, Any]
    enqueued_time_utc: datetime  # when it entered the active queue (the scheduled time, for scheduled messages)
    scheduled_enqueue_time_utc: datetime | None
    delivery_count: int
    lock_token: str | None
    locked_until_utc: datetime | None
    state: str  # "active" | "scheduled" | "locked" | "dead_letter"
    dead_letter_reason: str | None = None
    dead_letter_error_description: str | None = None
    dead_lettered_at_utc: datetime | None = None

    def json(self) -> Any:
        return json.loads(self.body)


class QueueStore:
    def __init__(self, path: Path | str, *, max_delivery_count: int = 10, duplicate_window_seconds: float = 600,
                 lock_seconds: float = DEFAULT_LOCK_SECONDS, clock: Callable[[], float] = time.time):
        if max_delivery_count < 1:
            raise ValueError("max_delivery_count must be at least 1")
        self.path = Path(path).resolve()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_delivery_count = max_delivery_count
        self.duplicate_window_seconds = duplicate_window_seconds
        self.lock_seconds = lock_seconds
        self.clock = clock
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = sqlite3.connect(
            self.path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._db.executescript(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: Any) -> QueueStore:
        return cls(Path(settings.data_dir) / "queues.sqlite3", max_delivery_count=settings.queue_max_delivery_count,
                   duplicate_window_seconds=settings.queue_duplicate_window_seconds)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # ---------------------------------------------------------------------------------------------- sending

    def send(self, queue: str, body: bytes, *, message_id: str, scheduled_at: datetime | None = None,
             application_properties: dict[str, Any] | None = None,
             content_type: str | None = "application/json") -> int | None:
        """Stores one message; returns its sequence number, or None when it was dropped as a duplicate."""
        now = self.clock()
        scheduled = scheduled_at.timestamp() if scheduled_at is not None else None
        with self._transaction() as db:
            if self.duplicate_window_seconds > 0:
                db.execute("DELETE FROM sent_ids WHERE queue = ? AND expires_at <= ?", (queue, now))
                added = db.execute("INSERT INTO sent_ids (queue, message_id, expires_at) VALUES (?, ?, ?) "
                                   "ON CONFLICT DO NOTHING", (queue, message_id, now + self.duplicate_window_seconds))
                if added.rowcount == 0:
                    return None
            sequence = self._next_sequence(db, queue)
            db.execute(
                "INSERT INTO messages (queue, sequence_number, message_id, body, content_type, application_properties,"
                " enqueued_at, scheduled_at, visible_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (queue, sequence, message_id, body, content_type, json.dumps(application_properties or {}), now,
                 scheduled, max(now, scheduled or now)))
        self._notify(queue)
        return sequence

    def add_listener(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Calls callback(queue) after every send to this file from this process; returns the remover."""
        key = str(self.path)
        with _listeners_lock:
            _listeners.setdefault(key, set()).add(callback)

        def remove() -> None:
            with _listeners_lock:
                _listeners.get(key, set()).discard(callback)

        return remove

    # --------------------------------------------------------------------------------------------- receiving

    def has_deliverable(self, queues: Iterable[str]) -> bool:
        """A read-only check, cheap enough to poll, that avoids taking the write lock when there is nothing to do."""
        names = list(queues)
        if not names:
            return False
        now = self.clock()
        marks = ",".join("?" * len(names))
        row = self._read(
            f"SELECT 1 FROM messages WHERE queue IN ({marks}) AND dead_lettered = 0 AND visible_at <= ? "  # noqa: S608
            "AND (locked_until IS NULL OR locked_until <= ?) LIMIT 1", (*names, now, now))
        return bool(row)

    def receive(self, queue: str, max_count: int = 1, *, lock_seconds: float | None = None) -> list[StoredMessage]:
        """Peek-lock: locks up to max_count visible messages in sequence order and counts their delivery."""
        if max_count < 1:
            return []
        now = self.clock()
        until = now + (self.lock_seconds if lock_seconds is None else lock_seconds)
        with self._transaction() as db:
            self._dead_letter_exhausted(db, queue, now)
            rows = db.execute(
                "SELECT sequence_number FROM messages WHERE queue = ? AND dead_lettered = 0 AND visible_at <= ? "
                "AND (locked_until IS NULL OR locked_until <= ?) ORDER BY sequence_number LIMIT ?",
                (queue, now, now, max_count)).fetchall()
            for (sequence,) in rows:
                db.execute("UPDATE messages SET lock_token = ?, locked_until = ?, delivery_count = delivery_count + 1 "
                           "WHERE queue = ? AND sequence_number = ?", (uuid.uuid4().hex, until, queue, sequence))
            if not rows:
                return []
            marks = ",".join("?" * len(rows))
            found = db.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE queue = ? AND sequence_number IN ({marks}) "  # noqa: S608
                "ORDER BY sequence_number", (queue, *(r[0] for r in rows))).fetchall()
        return [self._message(row, now) for row in found]

    def renew_lock(self, lock_token: str, *, lock_seconds: float | None = None) -> datetime:
        until = self.clock() + (self.lock_seconds if lock_seconds is None else lock_seconds)
        with self._transaction() as db:
            if db.execute("UPDATE messages SET locked_until = ? WHERE lock_token = ? AND dead_lettered = 0",
                          (until, lock_token)).rowcount == 0:
                raise MessageLockLost(lock_token)
        return _dt(until)  # type: ignore[return-value]

    def complete(self, lock_token: str) -> None:
        with self._transaction() as db:
            if db.execute("DELETE FROM messages WHERE lock_token = ? AND dead_lettered = 0",
                          (lock_token,)).rowcount == 0:
                raise MessageLockLost(lock_token)

    def abandon(self, lock_token: str) -> None:
        """Unlocks for redelivery; dead-letters instead once the message has used up its deliveries."""
        now = self.clock()
        with self._transaction() as db:
            row = db.execute("SELECT delivery_count FROM messages WHERE lock_token = ? AND dead_lettered = 0",
                             (lock_token,)).fetchone()
            if row is None:
                raise MessageLockLost(lock_token)
            if row[0] >= self.max_delivery_count:
                self._move_to_dead_letter(db, lock_token, MAX_DELIVERY_REASON, self._exhausted_description(row[0]),
                                          now)
            else:
                db.execute("UPDATE messages SET lock_token = NULL, locked_until = NULL WHERE lock_token = ?",
                           (lock_token,))

    # ---------------------------------------------------------------------------------------------- browsing

    def peek(self, queue: str, *, limit: int = 100, after_sequence: int = 0) -> list[StoredMessage]:
        """Messages of the queue itself (active, scheduled and locked), in sequence order, without locking them."""
        now = self.clock()
        rows = self._read_all(f"SELECT {_COLUMNS} FROM messages WHERE queue = ? AND dead_lettered = 0 "  # noqa: S608
                              "AND sequence_number > ? ORDER BY sequence_number LIMIT ?",
                              (queue, after_sequence, limit))
        return [self._message(row, now) for row in rows]

    def dead_letters(self, queue: str, *, limit: int = 100) -> list[StoredMessage]:
        now = self.clock()
        rows = self._read_all(f"SELECT {_COLUMNS} FROM messages WHERE queue = ? AND dead_lettered = 1 "  # noqa: S608
                              "ORDER BY dead_lettered_at, sequence_number LIMIT ?", (queue, limit))
        return [self._message(row, now) for row in rows]

    def replay_dead_letters(self, queue: str, sequence_numbers: Sequence[int] | None = None) -> int:
        """Resubmits dead letters to their queue as fresh messages (new sequence number, delivery count 0).

        Bypasses duplicate detection on purpose: a replay is an operator's decision to run the message again.
        """
        now = self.clock()
        with self._transaction() as db:
            rows = db.execute("SELECT sequence_number FROM messages WHERE queue = ? AND dead_lettered = 1 "
                              "ORDER BY sequence_number", (queue,)).fetchall()
            chosen = [r[0] for r in rows if sequence_numbers is None or r[0] in set(sequence_numbers)]
            for sequence in chosen:
                db.execute(
                    "UPDATE messages SET sequence_number = ?, enqueued_at = ?, scheduled_at = NULL, visible_at = ?, "
                    "delivery_count = 0, lock_token = NULL, locked_until = NULL, dead_lettered = 0, "
                    "dead_letter_reason = NULL, dead_letter_description = NULL, dead_lettered_at = NULL "
                    "WHERE queue = ? AND sequence_number = ?",
                    (self._next_sequence(db, queue), now, now, queue, sequence))
        if chosen:
            self._notify(queue)
        return len(chosen)

    def overview(self) -> list[dict[str, Any]]:
        """One row per queue ever used: counts of active, scheduled, locked and dead-lettered messages."""
        now = self.clock()
        rows = self._read_all(
            "SELECT q.name, "
            "  COALESCE(SUM(m.dead_lettered = 0 AND m.visible_at <= ? AND (m.locked_until IS NULL "
            "      OR m.locked_until <= ?)), 0), "
            "  COALESCE(SUM(m.dead_lettered = 0 AND m.visible_at > ?), 0), "
            "  COALESCE(SUM(m.dead_lettered = 0 AND m.visible_at <= ? AND m.locked_until > ?), 0), "
            "  COALESCE(SUM(m.dead_lettered = 1), 0) "
            "FROM queues q LEFT JOIN messages m ON m.queue = q.name GROUP BY q.name ORDER BY q.name",
            (now, now, now, now, now))
        return [{"queue": r[0], "active": r[1], "scheduled": r[2], "locked": r[3], "dead_letter": r[4]}
                for r in rows]

    # ---------------------------------------------------------------------------------------------- internals

    def _transaction(self) -> _Transaction:
        return _Transaction(self)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the queue store is closed")
        return self._db

    def _read(self, sql: str, params: Sequence[Any]) -> tuple | None:
        with self._lock:
            return self._connection().execute(sql, params).fetchone()

    def _read_all(self, sql: str, params: Sequence[Any]) -> list[tuple]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    @staticmethod
    def _next_sequence(db: sqlite3.Connection, queue: str) -> int:
        return db.execute("INSERT INTO queues (name, last_sequence) VALUES (?, 1) ON CONFLICT(name) DO UPDATE "
                          "SET last_sequence = last_sequence + 1 RETURNING last_sequence", (queue,)).fetchone()[0]

    @staticmethod
    def _exhausted_description(deliveries: int) -> str:
        return f"Message could not be consumed after {deliveries} delivery attempts."

    def _dead_letter_exhausted(self, db: sqlite3.Connection, queue: str, now: float) -> None:
        """A message whose last allowed delivery ended in an expired lock is dead-lettered, as Service Bus does."""
        db.execute(
            "UPDATE messages SET dead_lettered = 1, dead_letter_reason = ?, dead_lettered_at = ?, "
            "dead_letter_description = 'Message could not be consumed after ' || delivery_count || "
            "' delivery attempts.', lock_token = NULL, locked_until = NULL "
            "WHERE queue = ? AND dead_lettered = 0 AND locked_until <= ? AND delivery_count >= ?",
            (MAX_DELIVERY_REASON, now, queue, now, self.max_delivery_count))

    @staticmethod
    def _move_to_dead_letter(db: sqlite3.Connection, lock_token: str, reason: str, description: str,
                             now: float) -> bool:
        return db.execute(
            "UPDATE messages SET dead_lettered = 1, dead_letter_reason = ?, dead_letter_description = ?, "
            "dead_lettered_at = ?, lock_token = NULL, locked_until = NULL WHERE lock_token = ? AND dead_lettered = 0",
            (reason, description, now, lock_token)).rowcount > 0

    def _message(self, row: tuple, now: float) -> StoredMessage:
        (queue, sequence, message_id, body, content_type, properties, enqueued_at, scheduled_at, delivery_count,
         lock_token, locked_until, dead_lettered, reason, description, dead_lettered_at) = row
        if dead_lettered:
            state = "dead_letter"
        elif scheduled_at is not None and scheduled_at > now:
            state = "scheduled"
        elif locked_until is not None and locked_until > now:
            state = "locked"
        else:
            state = "active"
        return StoredMessage(
            queue=queue, sequence_number=sequence, message_id=message_id, body=bytes(body),
            content_type=content_type, application_properties=json.loads(properties),
            enqueued_time_utc=_dt(max(enqueued_at, scheduled_at or enqueued_at)),  # type: ignore[arg-type]
            scheduled_enqueue_time_utc=_dt(scheduled_at), delivery_count=delivery_count,
            lock_token=lock_token, locked_until_utc=_dt(locked_until), state=state, dead_letter_reason=reason,
            dead_letter_error_description=description, dead_lettered_at_utc=_dt(dead_lettered_at))

    def _notify(self, queue: str) -> None:
        with _listeners_lock:
            callbacks = list(_listeners.get(str(self.path), ()))
        for callback in callbacks:
            callback(queue)


class _Transaction:
    """BEGIN IMMEDIATE so that concurrent writers from other processes queue on the busy timeout, never deadlock."""

    def __init__(self, store: QueueStore):
        self._store = store

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        try:
            db = self._store._connection()
            db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._store._lock.release()
            raise
        self._db = db
        return db

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._store._lock.release()
