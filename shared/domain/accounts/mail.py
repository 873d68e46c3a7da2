"""Account mail goes through the task queue, never inline in a request: a request only enqueues; the `mail`
queue's function renders the template and sends it through the Mailer port.

Enqueuing goes through the outbox (shared/domain/outbox.py): the mail is recorded in the `outbox` container, then
sent to the queue at once; if the queue is down the request still succeeds and the relay timer sends it later. A
mail that follows a document write can instead ride in that write's own outbox document (`mail_effect`). The
recorded body carries codes and links, so it is sealed (AES-GCM, bound to the message id) until it is relayed.

Delivery is at least once, so sending is guarded by the message id: a mail whose id was sent already is not sent
again (a crash between sending and recording can still repeat one, which is the better failure than losing it).
Message bodies carry codes and links, so they live only as long as the queue keeps them.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from shared import wiring
from shared.domain import outbox
from shared.domain.accounts import mail_templates, secrets_box

log = logging.getLogger("topicsflow.mail")

MAIL_QUEUE = "mail"
SENT_MARKER_SECONDS = 7 * 24 * 3600


OUTBOX_CONTAINER = "outbox"  # pk = the mail's message id


def mail_effect(template: str, to: str, *, lang: str = "en", params: dict[str, Any] | None = None,
                message_id: str | None = None) -> tuple[outbox.Effect, str]:
    """The outbox effect that queues this mail, and the mail's message id."""
    if template not in mail_templates.TEMPLATES["en"]:
        raise ValueError(f"unknown mail template {template!r}")
    message_id = message_id or f"mail-{template}-{uuid.uuid4().hex}"
    body = {"template": template, "to": to, "lang": lang if lang in mail_templates.LANGUAGES else "en",
            "params": {k: str(v) for k, v in (params or {}).items()}}
    sealed = secrets_box.encrypt(json.dumps(body), bound_to=message_id)
    return outbox.step("mail.sent", message_id=message_id, sealed=sealed), message_id


async def enqueue(template: str, to: str, *, lang: str = "en", params: dict[str, Any] | None = None,
                  message_id: str | None = None) -> str:
    """Queues one mail through the outbox; `params` are the template's own variables (free-form, sent as strings)."""
    effect, message_id = mail_effect(template, to, lang=lang, params=params, message_id=message_id)
    await outbox.record(OUTBOX_CONTAINER, message_id, [effect], source=message_id)
    return message_id


async def relay_mail(args: dict[str, Any], hints: dict[str, Any]) -> None:
    """The outbox step: unseals the mail and queues it (the message id makes a resend a duplicate)."""
    body = json.loads(secrets_box.decrypt(args["sealed"], bound_to=args["message_id"]))
    await wiring.queue().send(MAIL_QUEUE, body, message_id=args["message_id"])


async def deliver(body: dict[str, Any], message_id: str) -> bool:
    """Renders and sends one queued mail; False when this message id was sent before.

    `body` is the message as read from the queue (what `enqueue` wrote, or anything else): checked here, not
    trusted, hence untyped; `params` are a template's own variables."""
    kv = wiring.kv()
    marker = f"mail-sent:{message_id}"
    if await kv.get(marker) is not None:
        log.info("mail %s already sent; skipping the redelivery", message_id)
        return False
    template, to = body.get("template"), body.get("to")
    if template not in mail_templates.TEMPLATES["en"] or not isinstance(to, str) or "@" not in to:
        # A malformed message cannot succeed on retry; dropping it beats dead-lettering a poison message.
        log.error("dropping malformed mail message %s (template %r)", message_id, template)
        return False
    mail = mail_templates.render(template, str(body.get("lang") or "en"), dict(body.get("params") or {}), to=to)
    await wiring.mailer().send(mail)
    await kv.set(marker, "1", ttl_seconds=SENT_MARKER_SECONDS)
    return True
