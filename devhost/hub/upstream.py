"""Upstream CloudEvents: what the service POSTs to the app's event handler, in CloudEvents binary mode.

connect and user events are blocking (the service waits for the reply and uses it); connected and disconnected
are not (a failure is only logged). Before the first event to a URL the service checks that the handler
accepts events from it (CloudEvents abuse protection: OPTIONS with WebHook-Request-Origin, the reply must carry
WebHook-Allowed-Origin). Facts: Microsoft's "CloudEvents extension for Azure Web PubSub event handler".
"""

from __future__ import annotations

import fnmatch
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.domain.realtime.signature import signature_header

log = logging.getLogger("devhost.hub.upstream")

SYSTEM_EVENTS = ("connect", "connected", "disconnected")


@dataclass(frozen=True)
class EventContext:
    hub: str
    connection_id: str
    user_id: str | None
    subprotocol: str | None
    connection_state: str | None = None


@dataclass
class UpstreamReply:
    status: int
    content_type: str | None
    body: bytes
    connection_state: str | None = None  # ce-connectionState, when the handler sets it

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class UpstreamConfig:
    """Mirrors an Azure hub's event-handler setting: one URL, a user-event pattern, the system events."""

    url: str | None
    user_event_pattern: str = "*"  # "*", or names separated by commas (fnmatch patterns)
    system_events: Sequence[str] = SYSTEM_EVENTS
    timeout_seconds: float = 30.0
    origin: str = "localhost"  # what WebHook-Request-Origin says (Azure: <name>.webpubsub.azure.com)
    validate_origin: bool = True

    def wants_system(self, event: str) -> bool:
        return bool(self.url) and event in self.system_events

    def wants_user(self, event: str) -> bool:
        if not self.url:
            return False
        patterns = [p.strip() for p in self.user_event_pattern.split(",") if p.strip()]
        return any(fnmatch.fnmatchcase(event, p) for p in patterns)


class UpstreamError(Exception):
    """The handler could not be reached or refused the origin: Azure treats it like a failed event."""


@dataclass
class Upstream:
    config: UpstreamConfig
    access_keys: Sequence[str]
    _client: httpx.AsyncClient | None = None
    _validated: dict[str, bool] = field(default_factory=dict)

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.timeout_seconds)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _handler_present(self, url: str) -> bool:
        """The abuse-protection check, once per URL. False when nothing is served there (404): the app has no
        event-handler function yet, so the hub behaves as if no handler were configured (and says so once)."""
        if not self.config.validate_origin:
            return True
        if url in self._validated:
            return self._validated[url]
        try:
            reply = await self.client().options(url, headers={"WebHook-Request-Origin": self.config.origin})
        except httpx.HTTPError as exc:
            raise UpstreamError(f"abuse-protection check of {url} failed: {exc!r}") from exc
        if reply.status_code == 404:
            log.warning("no event handler at %s (OPTIONS answered 404): upstream events are off for this run", url)
            self._validated[url] = False
            return False
        allowed = [v.strip() for v in reply.headers.get("WebHook-Allowed-Origin", "").split(",")]
        if reply.status_code >= 300 or not ({"*", self.config.origin} & set(allowed)):
            raise UpstreamError(
                f"abuse-protection check of {url} failed: OPTIONS answered {reply.status_code} with "
                f"WebHook-Allowed-Origin={reply.headers.get('WebHook-Allowed-Origin')!r}; the handler must allow "
                f"origin {self.config.origin!r} (or *)")
        self._validated[url] = True
        return True

    def headers(self, ctx: EventContext, ce_type: str, event_name: str, content_type: str) -> dict[str, str]:
        headers = {
            "Content-Type": content_type,
            "WebHook-Request-Origin": self.config.origin,
            "ce-specversion": "1.0",
            "ce-type": ce_type,
            "ce-source": f"/hubs/{ctx.hub}/client/{ctx.connection_id}",
            "ce-id": uuid.uuid4().hex,
            "ce-time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "ce-signature": signature_header(ctx.connection_id, self.access_keys),
            "ce-connectionId": ctx.connection_id,
            "ce-hub": ctx.hub,
            "ce-eventName": event_name,
        }
        if ctx.user_id is not None:
            headers["ce-userId"] = ctx.user_id
        if ctx.subprotocol:
            headers["ce-subprotocol"] = ctx.subprotocol
        if ctx.connection_state is not None:
            headers["ce-connectionState"] = ctx.connection_state
        return headers

    async def post(self, ctx: EventContext, ce_type: str, event_name: str, content_type: str,
                   body: bytes) -> UpstreamReply | None:
        """The handler's reply; None when there is no handler at the URL (see _handler_present)."""
        url = self.config.url
        if not url:
            raise UpstreamError("no upstream URL is configured")
        if not await self._handler_present(url):
            return None
        try:
            reply = await self.client().post(url, content=body,
                                             headers=self.headers(ctx, ce_type, event_name, content_type))
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{ce_type} to {url} failed: {exc!r}") from exc
        return UpstreamReply(reply.status_code, reply.headers.get("content-type"), reply.content,
                             reply.headers.get("ce-connectionState"))

    async def system(self, ctx: EventContext, event: str, body: dict[str, Any]) -> UpstreamReply | None:
        return await self.post(ctx, f"azure.webpubsub.sys.{event}", event, "application/json; charset=utf-8",
                               json.dumps(body).encode())

    async def user(self, ctx: EventContext, event: str, content_type: str, body: bytes) -> UpstreamReply | None:
        return await self.post(ctx, f"azure.webpubsub.user.{event}", event, content_type, body)

    async def notify(self, ctx: EventContext, event: str, body: dict[str, Any]) -> None:
        """A non-blocking system event (connected, disconnected): failures are logged, as Azure does."""
        try:
            reply = await self.system(ctx, event, body)
        except UpstreamError as exc:
            log.warning("%s", exc)
            return
        if reply is not None and not reply.ok:
            log.warning("upstream %s event for %s answered %s", event, ctx.connection_id, reply.status)
