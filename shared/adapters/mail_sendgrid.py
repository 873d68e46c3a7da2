"""Mail through SendGrid's v3 API with the official `sendgrid` library (imported on first use: cold start).

The library is synchronous, so each send runs in a worker thread. The API key and mail bodies are never logged:
the library's HTTP client logs request headers and payloads at DEBUG, so its logger is held at INFO, and errors
carry only the status and SendGrid's own error messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from shared.adapters.mail_outbox import check_single_line
from shared.ports import Mail
from shared.settings import Settings

SENDGRID_HOST = "https://api.sendgrid.com"
TIMEOUT_SECONDS = 15


class MailNotSent(RuntimeError):
    """SendGrid refused or could not be reached; the queue retries the message."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class SendGridMailer:
    def __init__(self, api_key: str, sender: str, *, host: str = SENDGRID_HOST):
        if not api_key:
            raise ValueError("SendGridMailer needs an API key (sendgrid_api_key)")
        self._api_key = api_key
        self.sender = sender
        self.host = host.rstrip("/")
        self._client: Any = None

    def __repr__(self) -> str:  # keeps the key out of any debug output of this object
        return f"SendGridMailer(sender={self.sender!r}, host={self.host!r})"

    @classmethod
    def from_settings(cls, settings: Settings) -> SendGridMailer:
        return cls(settings.sendgrid_api_key, settings.mail_from)

    def _sendgrid(self) -> Any:
        if self._client is None:
            import sendgrid

            http_log = logging.getLogger("python_http_client.client")
            if http_log.level < logging.INFO:
                http_log.setLevel(logging.INFO)
            self._client = sendgrid.SendGridAPIClient(api_key=self._api_key, host=self.host)
        return self._client

    def payload(self, mail: Mail) -> dict[str, Any]:
        from sendgrid.helpers.mail import Category
        from sendgrid.helpers.mail import Mail as SendGridMail

        check_single_line(to=mail.to, subject=mail.subject)
        message = SendGridMail(from_email=self.sender, to_emails=mail.to, subject=mail.subject,
                               plain_text_content=mail.text, html_content=mail.html)
        for tag in reversed(mail.tags):  # the library puts each category first
            message.add_category(Category(tag))
        return message.get()

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send_sync, self.payload(mail))

    def _send_sync(self, payload: dict[str, Any]) -> None:
        from python_http_client.exceptions import HTTPError

        client = self._sendgrid()
        try:
            # The library's own send() path, with a timeout it does not expose.
            response = client.client.mail.send.post(request_body=payload, timeout=TIMEOUT_SECONDS)
        except HTTPError as error:
            raise MailNotSent(f"SendGrid answered {error.status_code}: {_reasons(error.body)}",
                              status=error.status_code) from None
        except OSError as error:  # URLError, timeouts, refused connections
            raise MailNotSent(f"SendGrid could not be reached ({type(error).__name__})") from None
        if not 200 <= response.status_code < 300:
            raise MailNotSent(f"SendGrid answered {response.status_code}", status=response.status_code)

    async def ready(self) -> bool:
        return bool(self._api_key)


def _reasons(body: Any) -> str:
    """SendGrid's error messages (they name fields, not content), cut short."""
    try:
        errors = json.loads(body or b"{}").get("errors", [])
        text = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict))
    except (ValueError, AttributeError):
        text = ""
    return (text or "no details")[:300]
