"""Realtime clients for API tests: negotiate over HTTP, connect a real socket to the dev host's hub, send user
events and read what the app publishes.

    async with socket_of(api, user) as client:          # negotiated, connected, `connected` read
        answer = await client.event("join", {"group": f"topic_{topic_id}"})
        event = await client.app_event("new_post")

Sync tests drive a scenario with `asyncio.run(...)`; the dev host runs on its own loop in its own thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.devhost.hub_support import JSON, RawClient, connect_raw
from tests.support.users import TestUser


def negotiate(api: httpx.Client, user: TestUser, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = api.post("/api/realtime/negotiate", headers=headers or user.headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


class AppClient:
    """A connected socket, speaking json.webpubsub.azure.v1."""

    def __init__(self, raw: RawClient):
        self.raw = raw
        self._ack = 0
        self.seen: list[dict[str, Any]] = []  # app events read while waiting for something else

    @property
    def connection_id(self) -> str:
        return self.raw.connection_id

    async def event(self, name: str, data: Any, timeout: float = 10) -> dict[str, Any]:
        """Sends a user event and returns the app's answer (its envelope) once the service acked the event."""
        self._ack += 1
        ack_id = self._ack
        await self.raw.send(type="event", event=name, ackId=ack_id, dataType="json", data=data)
        acked, answer = False, None
        while not (acked and answer is not None):
            message = await self.raw.next(timeout=timeout)
            data_in = message.get("data")
            if message.get("type") == "ack" and message.get("ackId") == ack_id:
                assert message["success"] is True, message
                acked = True
            elif message.get("type") == "message" and isinstance(data_in, dict) and "success" in data_in:
                answer = data_in
            elif message.get("type") == "message" and isinstance(data_in, dict) and "type" in data_in:
                self.seen.append(data_in)
        return answer

    async def app_event(self, event_type: str, timeout: float = 10) -> dict[str, Any]:
        for index, seen in enumerate(self.seen):
            if seen["type"] == event_type:
                return self.seen.pop(index)
        while True:
            message = await self.raw.next(timeout=timeout)
            data = message.get("data")
            if message.get("type") == "message" and isinstance(data, dict) and data.get("type") == event_type:
                return data
            if message.get("type") == "message" and isinstance(data, dict) and "type" in data:
                self.seen.append(data)

    async def nothing_within(self, seconds: float) -> bool:
        return await self.raw.nothing_within(seconds)

    async def heard_within(self, seconds: float) -> list[str]:
        """The types of the app events that arrive within `seconds` (and those read earlier but not taken)."""
        heard = [seen["type"] for seen in self.seen]
        self.seen.clear()
        deadline = asyncio.get_running_loop().time() + seconds
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                message = await self.raw.next(timeout=left)
            except TimeoutError:
                break
            data = message.get("data")
            if message.get("type") == "message" and isinstance(data, dict) and "type" in data:
                heard.append(data["type"])
        return heard

    async def closed_by_server(self, timeout: float = 10) -> dict[str, Any] | None:
        """Waits until the server closes the socket; returns its `disconnected` message, if it sent one."""
        from websockets.exceptions import ConnectionClosed

        disconnected = None
        try:
            while True:
                frame = await asyncio.wait_for(self.raw.ws.recv(), timeout)
                message = json.loads(frame)
                if message.get("type") == "system" and message.get("event") == "disconnected":
                    disconnected = message
        except ConnectionClosed:
            return disconnected

    async def close(self) -> None:
        await self.raw.close()


async def connect(url: str) -> AppClient:
    return AppClient(await connect_raw(url, JSON))


@contextlib.asynccontextmanager
async def socket_of(api: httpx.Client, user: TestUser, headers: dict[str, str] | None = None
                    ) -> AsyncIterator[AppClient]:
    access = await asyncio.to_thread(negotiate, api, user, headers)
    client = await connect(access["url"])
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            await client.close()


async def refused_at_connect(url: str) -> int:
    """The HTTP status the hub answered the WebSocket handshake with (it must refuse)."""
    from websockets.exceptions import InvalidStatus

    try:
        client = await connect_raw(url, JSON)
    except InvalidStatus as refused:
        return refused.response.status_code
    await client.close()
    raise AssertionError("the hub accepted the connection")
