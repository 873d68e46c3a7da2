"""Builds each adapter on first use from settings and keeps it for the life of the worker.

Nothing here runs at import time: importing an SDK costs cold-start time, so each builder imports its adapter
module only when the port is first asked for. Tests may override a port (`override`) or start afresh (`reset`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from shared.ports import Blobs, Documents, KeyValue, Mailer, Realtime, TaskQueue
from shared.settings import Settings, get_settings

T = TypeVar("T")
_instances: dict[str, Any] = {}
_overrides: dict[str, Any] = {}


def _build(name: str, factory: Callable[[Settings], T]) -> T:
    if name in _overrides:
        return _overrides[name]
    if name not in _instances:
        _instances[name] = factory(get_settings())
    return _instances[name]


def _adapter(module: str, cls: str) -> Any:
    return getattr(importlib.import_module(f"shared.adapters.{module}"), cls)


def documents() -> Documents:
    def make(s: Settings) -> Documents:
        if s.app_stack == "azure":
            return _adapter("documents_cosmos", "CosmosDocuments").from_settings(s)
        return _adapter("documents_sqlite", "SqliteDocuments").from_settings(s)

    return _build("documents", make)


def blobs() -> Blobs:
    def make(s: Settings) -> Blobs:
        if s.app_stack == "azure":
            return _adapter("blobs_azure", "AzureBlobs").from_settings(s)
        return _adapter("blobs_local", "LocalBlobs").from_settings(s)

    return _build("blobs", make)


def queue() -> TaskQueue:
    def make(s: Settings) -> TaskQueue:
        if s.queue == "servicebus":
            return _adapter("queue_servicebus", "ServiceBusQueue").from_settings(s)
        return _adapter("queue_devhost", "DevHostQueue").from_settings(s)

    return _build("queue", make)


def realtime() -> Realtime:
    return _build("realtime", lambda s: _adapter("realtime_webpubsub", "WebPubSubRealtime").from_settings(s))


def kv() -> KeyValue:
    return _build("kv", lambda s: _adapter("kv_redis", "RedisKeyValue").from_settings(s))


def mailer() -> Mailer:
    def make(s: Settings) -> Mailer:
        if s.mail_backend == "sendgrid":
            return _adapter("mail_sendgrid", "SendGridMailer").from_settings(s)
        return _adapter("mail_outbox", "OutboxMailer").from_settings(s)

    return _build("mailer", make)


def sessions():
    from shared.domain.accounts.sessions import SessionStore

    def make(s: Settings):
        return SessionStore(kv(), idle_seconds=s.session_idle_minutes * 60,
                            absolute_seconds=s.session_absolute_hours * 3600)

    return _build("sessions", make)


def override(name: str, instance: Any) -> None:
    _overrides[name] = instance


def reset() -> None:
    """Forget every built adapter and cached setting (tests switch stacks or data folders with this)."""
    _instances.clear()
    _overrides.clear()
    get_settings.cache_clear()


async def close_all() -> None:
    for instance in list(_instances.values()):
        closer = getattr(instance, "close", None)
        if closer is not None:
            result = closer()
            if hasattr(result, "__await__"):
                await result
    _instances.clear()
