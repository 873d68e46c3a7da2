"""TaskQueue on Azure Service Bus (azure.servicebus.aio), by connection string or namespace + managed identity.

The SDK is imported on first use, never at module import (cold start). One client per adapter, one cached
sender per queue: opening an AMQP link costs a round trip per queue, the first time only. Any SDK or identity
failure becomes QueueUnavailable (503) after the SDK's own retries; the cause stays chained for the logs.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from shared.adapters.queue_message import OutgoingMessage, PropertyValue, QueueUnavailable, prepare_message

log = logging.getLogger(__name__)
NAMESPACE_SUFFIX = ".servicebus.windows.net"


def namespace_host(namespace: str) -> str:
    """Accepts "name", "name.servicebus.windows.net", "sb://name.servicebus.windows.net/"."""
    host = namespace.strip().removeprefix("sb://").removeprefix("https://").rstrip("/")
    return host if "." in host else host + NAMESPACE_SUFFIX


class ServiceBusQueue:
    def __init__(self, *, connection_string: str = "", namespace: str = "", credential: Any = None,
                 retry_total: int = 3, retry_backoff_factor: float = 0.8, retry_backoff_max: float = 30):
        if not connection_string and not namespace:
            raise ValueError("set SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE")
        self._connection_string = connection_string
        self._namespace = namespace_host(namespace) if namespace else ""
        self._credential = credential
        self._owns_credential = credential is None
        self._retry = {"retry_total": retry_total, "retry_backoff_factor": retry_backoff_factor,
                       "retry_backoff_max": retry_backoff_max}
        self._client: Any = None
        self._senders: dict[str, Any] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> ServiceBusQueue:
        return cls(connection_string=settings.servicebus_connection_string, namespace=settings.servicebus_namespace)

    @staticmethod
    def build_message(message: OutgoingMessage) -> Any:
        """The azure.servicebus.ServiceBusMessage that send() hands to the SDK."""
        from azure.servicebus import ServiceBusMessage

        return ServiceBusMessage(
            message.body,
            message_id=message.message_id,
            content_type=message.content_type,
            scheduled_enqueue_time_utc=message.scheduled_at,
            application_properties={**message.application_properties} or None,
        )

    async def send(self, queue: str, body: dict[str, Any], *, message_id: str | None = None,
                   scheduled_at: datetime | None = None,
                   application_properties: dict[str, PropertyValue] | None = None) -> None:
        message = prepare_message(queue, body, message_id=message_id, scheduled_at=scheduled_at,
                                  application_properties=application_properties)
        from azure.core.exceptions import AzureError

        sender = self._sender(message.queue)
        try:
            await sender.send_messages(self.build_message(message))
        except (AzureError, OSError, TimeoutError) as exc:
            log.warning("Service Bus send to %r failed: %s", message.queue, exc)
            # A sender whose connection failed is rebuilt on the next send rather than trusted again.
            self._senders.pop(message.queue, None)
            await _close_quietly(sender)
            raise QueueUnavailable() from exc

    def _sender(self, queue: str) -> Any:
        sender = self._senders.get(queue)
        if sender is None:
            sender = self._senders[queue] = self._get_client().get_queue_sender(queue)
        return sender

    def _get_client(self) -> Any:
        if self._client is None:
            from azure.servicebus.aio import ServiceBusClient

            if self._connection_string:
                self._client = ServiceBusClient.from_connection_string(self._connection_string, **self._retry)
            else:
                if self._credential is None:
                    from azure.identity.aio import DefaultAzureCredential

                    self._credential = DefaultAzureCredential()
                self._client = ServiceBusClient(self._namespace, self._credential, **self._retry)
        return self._client

    @property
    def fully_qualified_namespace(self) -> str:
        return self._get_client().fully_qualified_namespace

    async def close(self) -> None:
        senders, self._senders = list(self._senders.values()), {}
        for sender in senders:
            await _close_quietly(sender)
        if self._client is not None:
            await _close_quietly(self._client)
            self._client = None
        if self._owns_credential and self._credential is not None:
            await _close_quietly(self._credential)
            self._credential = None


async def _close_quietly(closable: Any) -> None:
    try:
        await closable.close()
    except Exception:  # closing a broken link must not hide the error that broke it
        log.debug("closing %r failed", closable, exc_info=True)
