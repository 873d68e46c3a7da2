"""WebRTC signalling through the app: a peer's offers, answers and candidates go out as the call events
(`voip_offer`, `voip_answer`, `voip_ice_candidate`) over its own socket to the dev host's hub, and come in as the
app's relayed events, so two aiortc peers (tests/support/webrtc.py) negotiate exactly as two browsers would.

The socket is read by one task only (a websocket has one reader); it files the app's answers to our events and
the events the app publishes in separate queues, and one event is in flight at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tests.support.realtime import AppClient
from tests.support.webrtc import ANSWER, CANDIDATE, OFFER

EVENT_OF_KIND = {OFFER: "voip_offer", ANSWER: "voip_answer", CANDIDATE: "voip_ice_candidate"}
FIELD_OF_KIND = {OFFER: "offer", ANSWER: "answer", CANDIDATE: "candidate"}
KIND_OF_EVENT = {event: kind for kind, event in EVENT_OF_KIND.items()}


class PumpedSocket:
    def __init__(self, client: AppClient):
        self.client = client
        self.answers: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acks: asyncio.Queue[int] = asyncio.Queue()
        self.app_events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._ack = 0
        self._reader = asyncio.create_task(self._read(), name="pumped-socket")

    async def _read(self) -> None:
        while True:
            message = await self.client.raw.next(timeout=3600)
            data = message.get("data")
            if message.get("type") == "ack":
                assert message["success"] is True, message
                self.acks.put_nowait(message["ackId"])
            elif message.get("type") == "message" and isinstance(data, dict) and "success" in data:
                self.answers.put_nowait(data)
            elif message.get("type") == "message" and isinstance(data, dict) and "type" in data:
                self.app_events.put_nowait(data)

    async def event(self, name: str, data: Any, timeout: float = 15) -> dict[str, Any]:
        async with self._lock:
            self._ack += 1
            await self.client.raw.send(type="event", event=name, ackId=self._ack, dataType="json", data=data)
            assert await asyncio.wait_for(self.acks.get(), timeout) == self._ack
            return await asyncio.wait_for(self.answers.get(), timeout)

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader


class AppSignalling:
    """The Signalling of tests/support/webrtc.py, spoken through the app's call events to one other participant."""

    def __init__(self, socket: PumpedSocket, call_id: str, peer_user_id: str):
        self.socket = socket
        self.call_id = call_id
        self.peer_user_id = peer_user_id
        self.sent: list[str] = []

    async def send(self, kind: str, payload: dict[str, Any]) -> None:
        answer = await self.socket.event(EVENT_OF_KIND[kind], {"call_id": self.call_id,
                                                               "target_user_id": self.peer_user_id,
                                                               FIELD_OF_KIND[kind]: payload})
        assert answer["success"] is True, answer
        self.sent.append(kind)

    async def receive(self) -> tuple[str, dict[str, Any]]:
        while True:
            event = await self.socket.app_events.get()
            kind = KIND_OF_EVENT.get(event["type"])
            data = event["data"]
            if kind is not None and data["call_id"] == self.call_id and data["from_user_id"] == self.peer_user_id:
                return kind, data[FIELD_OF_KIND[kind]]
