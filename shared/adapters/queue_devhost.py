"""TaskQueue on the dev host's Service Bus stand-in: writes straight into its SQLite store.

No dev host process is needed to enqueue (a CLI or a test can send while the dev host runs elsewhere, or not at
all); the dev host's runner delivers whatever it finds in the same file. Embedded stack only: devhost/ is never
deployed.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from typing import Any

from shared.adapters.queue_message import PropertyValue, QueueUnavailable, prepare_message
from shared.adapters.queue_store import QueueStore


class DevHostQueue:
    def __init__(self, store: QueueStore):
        self.store = store

    @classmethod
    def from_settings(cls, settings: Any) -> DevHostQueue:
        return cls(QueueStore.from_settings(settings))

    async def send(self, queue: str, body: dict[str, Any], *, message_id: str | None = None,
                   scheduled_at: datetime | None = None,
                   application_properties: dict[str, PropertyValue] | None = None) -> None:
        message = prepare_message(queue, body, message_id=message_id, scheduled_at=scheduled_at,
                                  application_properties=application_properties)
        try:
            await asyncio.to_thread(
                self.store.send, message.queue, message.body, message_id=message.message_id,
                scheduled_at=message.scheduled_at, application_properties=message.application_properties,
                content_type=message.content_type)
        except sqlite3.OperationalError as exc:  # the file stayed locked past the busy timeout
            raise QueueUnavailable() from exc

    async def close(self) -> None:
        self.store.close()
