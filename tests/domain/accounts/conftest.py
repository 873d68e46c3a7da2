"""Domain tests for accounts run on the embedded stack's real adapters in a temporary folder: SQLite documents,
in-process Redis (fakeredis), the durable SQLite queue, local blobs and the outbox mailer. Queued mail is
delivered by calling the mail queue's handler code (shared.domain.accounts.mail.deliver) on each message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared import wiring
from shared.settings import get_settings

EMBEDDED = {"APP_ENV": "test", "APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost",
            "MAIL_BACKEND": "outbox", "PUBLIC_BASE_URL": "http://127.0.0.1:7071"}


class AccountsStack:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir

    def queued(self, queue: str) -> list[tuple[str, dict[str, Any]]]:
        """(message_id, body) of every message sent to the queue, oldest first."""
        from shared.adapters.queue_store import QueueStore

        store = QueueStore.from_settings(get_settings())
        try:
            return [(m.message_id, m.json()) for m in store.peek(queue, limit=1000)]
        finally:
            store.close()

    async def deliver_mail(self) -> None:
        from shared.domain.accounts import mail

        for message_id, body in self.queued(mail.MAIL_QUEUE):
            await mail.deliver(body, message_id)  # idempotent: already-sent ids are skipped

    async def outbox(self) -> list[dict[str, Any]]:
        from shared.adapters.mail_outbox import read_outbox

        await self.deliver_mail()
        return read_outbox(self.data_dir / "outbox", limit=500)

    async def mails_to(self, email: str) -> list[dict[str, Any]]:
        return [m for m in await self.outbox() if m["to"].lower() == email.lower()]


@pytest.fixture
async def stack(tmp_path, monkeypatch):
    for key, value in {**EMBEDDED, "DATA_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(key, value)
    wiring.reset()
    yield AccountsStack(tmp_path)
    await wiring.close_all()
    wiring.reset()
