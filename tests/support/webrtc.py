"""Two real WebRTC peers (aiortc) that negotiate through a signalling channel the test chooses.

Only JSON crosses the channel, shaped as browsers hand it to their signalling: `("offer" | "answer",
RTCSessionDescriptionInit)` and `("candidate", RTCIceCandidateInit)`, where an empty `candidate` string marks the end
of candidates. A test can route these through the app's Web PubSub signalling, or use `in_memory_signalling()`.

aiortc does not trickle: `setLocalDescription` returns only once every candidate is gathered, and the description
then carries them all. By default a peer still sends them the browser way, taking them out of the SDP and sending
each as a `candidate` message, then the end marker, so the signalling under test carries what a browser's would;
`trickle=False` sends the complete SDP alone instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from unittest import mock

import aioice.ice
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.sdp import candidate_from_sdp

from shared.domain.voip.models import IceServer

OFFER, ANSWER, CANDIDATE = "offer", "answer", "candidate"
DEFAULT_TIMEOUT = 30.0  # seconds; generous on purpose, a loaded 2-core CI box is slow to run DTLS and SCTP


class Signalling(Protocol):
    async def send(self, kind: str, payload: dict[str, Any]) -> None: ...

    async def receive(self) -> tuple[str, dict[str, Any]]: ...


class QueueSignalling:
    """One end of an in-memory channel. Payloads go through JSON, so nothing but JSON can cross, as on a socket."""

    def __init__(self, inbox: asyncio.Queue[tuple[str, str]], outbox: asyncio.Queue[tuple[str, str]]):
        self._inbox = inbox
        self._outbox = outbox
        self.sent: list[str] = []  # the kinds sent, in order, for tests that check what crossed

    async def send(self, kind: str, payload: dict[str, Any]) -> None:
        self.sent.append(kind)
        await self._outbox.put((kind, json.dumps(payload)))

    async def receive(self) -> tuple[str, dict[str, Any]]:
        kind, payload = await self._inbox.get()
        return kind, json.loads(payload)


def in_memory_signalling() -> tuple[QueueSignalling, QueueSignalling]:
    one_way: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    other_way: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    return QueueSignalling(inbox=other_way, outbox=one_way), QueueSignalling(inbox=one_way, outbox=other_way)


@dataclass(frozen=True)
class SelectedPair:
    """The candidate pair ICE nominated: what the data actually flows over."""

    local_type: str  # host | srflx | prflx | relay
    remote_type: str
    local_address: tuple[str, int]
    remote_address: tuple[str, int]

    @property
    def relayed(self) -> bool:
        return self.local_type == "relay" and self.remote_type == "relay"


def split_candidates(sdp: str) -> tuple[str, list[dict[str, Any]]]:
    """The SDP without its candidate lines, and those candidates as browsers trickle them, ending with the marker."""
    kept: list[str] = []
    sections: list[dict[str, Any]] = []  # per m= line: its mid and its candidate lines
    for line in sdp.splitlines():
        if line.startswith("m="):
            sections.append({"mid": None, "candidates": []})
        elif sections and line.startswith("a=mid:"):
            sections[-1]["mid"] = line.removeprefix("a=mid:")
        if sections and line.startswith("a=candidate:"):
            sections[-1]["candidates"].append(line.removeprefix("a="))
            continue
        if line == "a=end-of-candidates":
            continue
        kept.append(line)
    trickled = []
    for index, section in enumerate(sections):
        for candidate in [*section["candidates"], ""]:
            trickled.append({"candidate": candidate, "sdpMid": section["mid"], "sdpMLineIndex": index})
    return "\r\n".join(kept) + "\r\n", trickled


def rtc_ice_servers(servers: Iterable[IceServer | Mapping[str, Any]]) -> list[RTCIceServer]:
    """Our IceServer models, or the JSON GET /api/voip/ice-servers returns, as aiortc's dataclass."""
    converted = []
    for server in servers:
        entry = server.model_dump() if isinstance(server, IceServer) else dict(server)
        converted.append(RTCIceServer(urls=entry["urls"], username=entry.get("username"),
                                      credential=entry.get("credential")))
    return converted


@contextlib.contextmanager
def loopback_host_candidates() -> Iterator[None]:
    """aioice leaves 127.0.0.1 out of host candidates (no real call wants it) and offers every other interface's
    address instead. Our peers share one machine; pinning host candidates to loopback keeps the host test free of
    whatever interfaces, IPv6 routes or firewalls a CI box has, and puts them where the TURN relay addresses are."""
    with mock.patch.object(aioice.ice, "get_host_addresses", lambda use_ipv4, use_ipv6: ["127.0.0.1"]):
        yield


class Peer:
    """One RTCPeerConnection with one data channel, negotiating over `signalling`.

    Relay-only is WebRTC's own `iceTransportPolicy="relay"`, which aiortc 1.16 implements (aioice's
    TransportPolicy.RELAY): it gathers no host or server-reflexive candidates at all, so it cannot fall back to a
    direct path, unlike filtering candidates out of the SDP, which would still leave local host sockets usable.
    """

    def __init__(self, name: str, signalling: Signalling, *, ice_servers: Iterable[IceServer | Mapping[str, Any]] = (),
                 relay_only: bool = False, trickle: bool = True):
        self.name = name
        self.signalling = signalling
        self.trickle = trickle
        policy = RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
        # An explicit list, even empty: with None, aiortc falls back to a public Google STUN server.
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=rtc_ice_servers(ice_servers),
                                                     iceTransportPolicy=policy))
        self.channel: RTCDataChannel | None = None
        self.messages: asyncio.Queue[str] = asyncio.Queue()
        self._opened = asyncio.Event()
        self._failed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self.pc.on("datachannel", self._adopt)
        self.pc.on("connectionstatechange", self._on_connection_state)

    # ---- negotiation -------------------------------------------------------------------------------------
    async def call(self, label: str = "call") -> None:
        """The offering side: opens the data channel (so the offer has an m=application line) and sends the offer."""
        self._adopt(self.pc.createDataChannel(label))
        await self.pc.setLocalDescription(await self.pc.createOffer())
        await self._send_local_description()
        self._listen()

    def answer_when_offered(self) -> None:
        self._listen()

    def _listen(self) -> None:
        if self._pump is None:
            self._pump = asyncio.create_task(self._handle_signalling(), name=f"signalling-{self.name}")

    async def _handle_signalling(self) -> None:
        while True:
            kind, payload = await self.signalling.receive()
            if kind == OFFER:
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=payload["sdp"], type=payload["type"]))
                await self.pc.setLocalDescription(await self.pc.createAnswer())
                await self._send_local_description()
            elif kind == ANSWER:
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=payload["sdp"], type=payload["type"]))
            elif kind == CANDIDATE:
                await self._add_remote_candidate(payload)
            else:
                raise ValueError(f"{self.name}: unexpected signalling message {kind!r}")

    async def _send_local_description(self) -> None:
        description = self.pc.localDescription
        if not self.trickle:
            await self.signalling.send(description.type, {"type": description.type, "sdp": description.sdp})
            return
        sdp, candidates = split_candidates(description.sdp)
        await self.signalling.send(description.type, {"type": description.type, "sdp": sdp})
        for candidate in candidates:
            await self.signalling.send(CANDIDATE, candidate)

    async def _add_remote_candidate(self, payload: dict[str, Any]) -> None:
        if not payload["candidate"]:
            await self.pc.addIceCandidate(None)  # end of candidates: ICE may now declare failure
            return
        candidate = candidate_from_sdp(payload["candidate"].removeprefix("candidate:"))
        candidate.sdpMid = payload.get("sdpMid")
        candidate.sdpMLineIndex = payload.get("sdpMLineIndex")
        await self.pc.addIceCandidate(candidate)

    # ---- the data channel --------------------------------------------------------------------------------
    def _adopt(self, channel: RTCDataChannel) -> None:
        self.channel = channel
        channel.on("open", self._opened.set)
        channel.on("message", self.messages.put_nowait)
        if channel.readyState == "open":  # the answering side is handed its channel already open
            self._opened.set()

    def _on_connection_state(self) -> None:
        if self.pc.connectionState == "failed":
            self._failed.set()

    async def wait_until_open(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Returns once the data channel is open; raises as soon as ICE fails or the signalling handler does."""
        waiters = {asyncio.ensure_future(self._opened.wait()), asyncio.ensure_future(self._failed.wait())}
        if self._pump is not None:
            waiters.add(self._pump)
        try:
            done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters - {self._pump}:
                waiter.cancel()
        if self._pump in done:
            self._pump.result()  # raises what the handler raised
            raise RuntimeError(f"{self.name}: signalling ended before the data channel opened")
        if self._failed.is_set():
            raise ConnectionError(f"{self.name}: ICE failed ({self.describe_candidates()})")
        if not self._opened.is_set():
            raise TimeoutError(f"{self.name}: data channel not open after {timeout:.0f}s "
                               f"(connection {self.pc.connectionState}; {self.describe_candidates()})")

    def send(self, text: str) -> None:
        assert self.channel is not None and self.channel.readyState == "open", f"{self.name}: no open channel"
        self.channel.send(text)

    async def receive(self, timeout: float = DEFAULT_TIMEOUT) -> str:
        async with asyncio.timeout(timeout):
            return await self.messages.get()

    # ---- what ICE did ------------------------------------------------------------------------------------
    def _ice_connection(self) -> aioice.Connection:
        assert self.pc.sctp is not None, f"{self.name}: no data channel transport"
        return self.pc.sctp.transport.transport._connection

    def local_candidate_types(self) -> list[str]:
        return [candidate.type for candidate in self._ice_connection().local_candidates]

    def describe_candidates(self) -> str:
        if self.pc.sctp is None:
            return "no transport yet"
        connection = self._ice_connection()
        local = sorted(c.type for c in connection.local_candidates)
        remote = sorted(c.type for c in connection.remote_candidates)
        return f"local candidates {local}, remote candidates {remote}"

    def selected_pair(self) -> SelectedPair:
        """Neither aiortc nor aioice exposes the selected pair publicly (aiortc's getStats has no candidate-pair
        stats), so this reads aioice's nominated pair for component 1, the only one with rtcp-mux and bundle."""
        pair = self._ice_connection()._nominated.get(1)
        if pair is None:
            raise AssertionError(f"{self.name}: ICE has not nominated a candidate pair")
        return SelectedPair(local_type=pair.local_candidate.type, remote_type=pair.remote_candidate.type,
                            local_address=pair.local_addr, remote_address=pair.remote_addr)

    async def close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        await self.pc.close()


@contextlib.asynccontextmanager
async def connected_peers(caller_signalling: Signalling, callee_signalling: Signalling, *,
                          ice_servers: Iterable[IceServer | Mapping[str, Any]] = (),
                          callee_ice_servers: Iterable[IceServer | Mapping[str, Any]] | None = None,
                          relay_only: bool = False, trickle: bool = True,
                          timeout: float = DEFAULT_TIMEOUT) -> AsyncIterator[tuple[Peer, Peer]]:
    """A caller and a callee whose data channel is open, closed again on exit. Host candidates are loopback only.
    Each side may have its own ICE servers, as each user gets their own TURN credentials."""
    caller_servers = list(ice_servers)
    callee_servers = caller_servers if callee_ice_servers is None else list(callee_ice_servers)
    caller = Peer("caller", caller_signalling, ice_servers=caller_servers, relay_only=relay_only, trickle=trickle)
    callee = Peer("callee", callee_signalling, ice_servers=callee_servers, relay_only=relay_only, trickle=trickle)
    try:
        with loopback_host_candidates():
            callee.answer_when_offered()
            await caller.call()
            await asyncio.gather(caller.wait_until_open(timeout), callee.wait_until_open(timeout))
        yield caller, callee
    finally:
        await asyncio.gather(caller.close(), callee.close())


async def exchange_both_ways(caller: Peer, callee: Peer, timeout: float = DEFAULT_TIMEOUT) -> tuple[str, str]:
    """Sends one message each way over the data channel; returns (what the callee got, what the caller got)."""
    caller.send(f"hello from {caller.name}")
    at_callee = await callee.receive(timeout)
    callee.send(f"hello from {callee.name}")
    at_caller = await caller.receive(timeout)
    return at_callee, at_caller
