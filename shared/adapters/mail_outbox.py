"""Mail for the embedded stack: one .eml file per mail in a folder (data_dir/outbox), nothing leaves the machine.

The files are real RFC 5322 messages (text with an HTML alternative) that any mail client opens. The dev host
lists them, newest first, at /dev and /dev/api/outbox through read_outbox().
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Any

from shared.ports import Mail
from shared.settings import Settings

TAGS_HEADER = "X-Mail-Tags"


def check_single_line(**fields: str) -> None:
    """Header injection guard shared by the mailers: one recipient, no line breaks in header values."""
    for name, value in fields.items():
        if not value or "\r" in value or "\n" in value or (name == "to" and ("," in value or ";" in value)):
            raise ValueError(f"mail {name} must be one non-empty line" + (" with one address" if name == "to" else ""))


def build_message(mail: Mail, sender: str, *, sent_at: datetime | None = None) -> EmailMessage:
    check_single_line(to=mail.to, subject=mail.subject)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(sent_at or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or "localhost")
    if mail.tags:
        message[TAGS_HEADER] = ", ".join(mail.tags)
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class OutboxMailer:
    def __init__(self, folder: Path | str, *, sender: str = "no-reply@topicsflow.local"):
        self.folder = Path(folder)
        self.sender = sender

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboxMailer:
        return cls(Path(settings.data_dir) / "outbox", sender=settings.mail_from)

    async def send(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        await asyncio.to_thread(self._write, message.as_bytes())

    def _write(self, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # The name sorts by time, so the newest mail is the last name; rename makes it appear whole.
        stem = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        partial = self.folder / f".{stem}.partial"
        partial.write_bytes(data)
        os.replace(partial, self.folder / f"{stem}.eml")

    async def ready(self) -> bool:
        return await asyncio.to_thread(self._writable)

    def _writable(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return os.access(self.folder, os.W_OK)


def read_outbox(folder: Path | str, limit: int = 50) -> list[dict[str, Any]]:
    """The newest `limit` mails: [{"id", "to", "subject", "text", "html", "sent_at", "tags"}], newest first."""
    folder = Path(folder)
    if not folder.is_dir() or limit <= 0:
        return []
    mails = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        try:
            mails.append(_summary(path))
        except (OSError, ValueError, TypeError):
            continue  # a file someone edited by hand; the rest of the outbox still shows
    return mails


def _summary(path: Path) -> dict[str, Any]:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    date = message["Date"]
    tags = str(message.get(TAGS_HEADER, "") or "")
    return {"id": path.stem, "to": str(message["To"] or ""), "subject": str(message["Subject"] or ""),
            "text": text.get_content() if text else "", "html": html.get_content() if html else "",
            "sent_at": parsedate_to_datetime(date).isoformat() if date else None,
            "tags": [t.strip() for t in tags.split(",") if t.strip()]}
