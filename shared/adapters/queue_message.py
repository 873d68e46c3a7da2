"""What both task-queue adapters agree a message is, checked the same way before either sends it.

Checking here, not in each adapter, keeps the stand-in from accepting a message Service Bus would refuse: a body
over the Standard tier's 256 KiB, a message id over 128 characters, a property value that is not a primitive, or
a naive scheduled time (which would silently mean local time on one stack and UTC on the other).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.errors import DependencyUnavailable

MAX_MESSAGE_BYTES = 256 * 1024  # Service Bus Standard tier, body and properties together
MAX_MESSAGE_ID_LENGTH = 128
MAX_QUEUE_NAME_LENGTH = 260
CONTENT_TYPE = "application/json"

PropertyValue = str | int | float | bool


class QueueUnavailable(DependencyUnavailable):
    """The queue could not take the message (namespace unreachable, store locked); the caller may retry."""

    status, code, message = 503, "queue_unavailable", "The task queue is unavailable; try again later."

    def __init__(self, message: str | None = None) -> None:
        super().__init__("queue", message=message)


@dataclass(frozen=True)
class OutgoingMessage:
    queue: str
    body: bytes  # UTF-8 JSON
    message_id: str
    scheduled_at: datetime | None  # timezone-aware UTC
    application_properties: dict[str, PropertyValue] = field(default_factory=dict)
    content_type: str = CONTENT_TYPE


def prepare_message(queue: str, body: dict[str, Any], *, message_id: str | None = None,
                    scheduled_at: datetime | None = None,
                    application_properties: dict[str, PropertyValue] | None = None) -> OutgoingMessage:
    """Validates and encodes one send; raises ValueError (or TypeError for a body JSON cannot encode)."""
    if not isinstance(queue, str) or not queue.strip() or len(queue) > MAX_QUEUE_NAME_LENGTH:
        raise ValueError(f"queue name must be 1-{MAX_QUEUE_NAME_LENGTH} characters")
    if not isinstance(body, dict):
        raise TypeError("a task message body is a JSON object (dict)")
    encoded = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    if message_id is None:
        message_id = uuid.uuid4().hex
    if not isinstance(message_id, str) or not message_id or len(message_id) > MAX_MESSAGE_ID_LENGTH:
        raise ValueError(f"message_id must be 1-{MAX_MESSAGE_ID_LENGTH} characters")
    if scheduled_at is not None:
        if not isinstance(scheduled_at, datetime):
            raise TypeError("scheduled_at must be a datetime")
        if scheduled_at.tzinfo is None or scheduled_at.utcoffset() is None:
            raise ValueError("scheduled_at must be timezone-aware (e.g. datetime.now(UTC) + timedelta(...))")
        scheduled_at = scheduled_at.astimezone(UTC)
    properties = dict(application_properties or {})
    for key, value in properties.items():
        if not isinstance(key, str) or not key:
            raise ValueError("application property names are non-empty strings")
        if not isinstance(value, str | int | float | bool):
            raise ValueError(f"application property {key!r} must be a str, int, float or bool")
    size = len(encoded) + len(json.dumps(properties))
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"message is {size} bytes; Service Bus Standard accepts at most {MAX_MESSAGE_BYTES}")
    return OutgoingMessage(queue=queue, body=encoded, message_id=message_id, scheduled_at=scheduled_at,
                           application_properties=properties)
