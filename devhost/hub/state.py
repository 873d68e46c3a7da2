"""Everything the dev hub knows: hubs, connections, users, groups, sequence ids, reconnection tokens.

All of it lives on the dev host's event loop; nothing here blocks. Each connection has its own outgoing queue
and writer task, so a slow client never holds up a REST call, and messages reach every client in the order
the hub accepted them. A reliable connection keeps every sequenced message until the client acknowledges it;
when its socket drops, the connection lives on (still in its groups, still buffering) until the client resumes
it with its reconnection token or the reconnection window ends.

`HubState.delivered(...)` is the test hook: a bounded log of everything the hub delivered, newest last;
`HubState.rest_calls(...)` is another, of every REST request the hub answered.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from devhost.hub import protocol
from devhost.hub.odata import Filter
from devhost.hub.protocol import Payload

log = logging.getLogger("devhost.hub")

Target = Literal["all", "group", "user", "connection"]
Source = Literal["server", "client", "upstream"]


@dataclass(frozen=True)
class Delivery:
    """One send, whoever it reached. `recipients` lists (connection id, user id) of the connections it reached."""

    hub: str
    target: Target
    group: str | None
    user: str | None
    connection: str | None
    data_type: str
    data: Any  # the JSON value, str or bytes that was sent
    source: Source
    from_user: str | None
    recipients: tuple[tuple[str, str | None], ...]
    at: float

    @property
    def type(self) -> str | None:
        """The app's event name: the "type" field of a JSON object payload."""
        return self.data.get("type") if isinstance(self.data, dict) else None

    @property
    def recipient_users(self) -> set[str]:
        return {user for _, user in self.recipients if user is not None}

    def get(self, name: str, default: Any = None) -> Any:
        """Mapping-style access (entry.get("data"), entry["group"]) for code that treats entries as dicts."""
        return getattr(self, name, default) if name in _DELIVERY_KEYS else default

    def __getitem__(self, name: str) -> Any:
        if name not in _DELIVERY_KEYS:
            raise KeyError(name)
        return getattr(self, name)


@dataclass(frozen=True)
class RestCall:
    """One REST request the hub answered. `operation` is the route template (e.g. "/:removeFromGroups"),
    `path` the request's own path; the query string is left out, like the token."""

    hub: str
    method: str
    operation: str
    path: str
    status: int
    at: float


_DELIVERY_KEYS = frozenset(
    ["hub", "target", "group", "user", "connection", "data_type", "data", "source", "from_user", "recipients", "at",
     "type"])


@dataclass(frozen=True)
class _Close:
    code: int
    reason: str


class Connection:
    def __init__(self, hub: Hub, connection_id: str, user_id: str | None, subprotocol: str | None,
                 roles: Iterable[str], *, connection_state: str | None = None):
        self.hub = hub
        self.id = connection_id
        self.user_id = user_id
        self.subprotocol = subprotocol
        self.pubsub = subprotocol in protocol.SUPPORTED_PROTOCOLS
        self.reliable = subprotocol == protocol.RELIABLE_JSON_PROTOCOL
        self.roles: set[str] = set(roles)
        self.grants: set[tuple[str, str | None]] = set()
        self.groups: set[str] = set()
        self.connection_state = connection_state
        self.reconnection_token = secrets.token_urlsafe(32) if self.reliable else None
        self.status: Literal["open", "detached", "closed"] = "open"
        self.unacked: dict[int, str] = {}  # sequence id -> frame, in order
        self._sequence = 0
        self._processed_acks: set[int] = set()
        self._processed_order: deque[int] = deque()
        self._socket: Any = None
        self._queue: asyncio.Queue | None = None
        self._writer: asyncio.Task | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self._upstream_tail: asyncio.Task | None = None
        self.dropping = False  # set by HubState.drop: the next socket loss keeps the session

    # ---- sockets --------------------------------------------------------------------------------------------

    @property
    def socket(self) -> Any:
        return self._socket

    def attach(self, socket: Any, *, resume: bool = False) -> None:
        """Start writing to this socket; on resume, first re-send every message the client has not acked."""
        self._stop_writer()
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        self._socket = socket
        self._queue = asyncio.Queue()
        self._writer = self.hub.state.spawn(self._write(socket, self._queue))
        self.status = "open"
        self.dropping = False
        if resume:
            for frame in self.unacked.values():
                self._queue.put_nowait(frame)

    def detach(self) -> None:
        """The socket is gone but the session stays, waiting for the client to resume it."""
        self._stop_writer()
        self._socket = None
        self.status = "detached"
        window = self.hub.state.reconnect_window_seconds
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(
            window, lambda: self.hub.state.spawn(self.end("The reconnection window has expired.")))

    def _stop_writer(self) -> None:
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
        self._writer = None
        self._queue = None

    async def _write(self, socket: Any, queue: asyncio.Queue) -> None:
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _Close):
                    await socket.close(item.code, item.reason)
                    return
                if isinstance(item, bytes):
                    await socket.send_bytes(item)
                else:
                    await socket.send_text(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the socket went away under us; the receive loop notices too
            log.debug("write to %s stopped: %r", self.id, exc)

    def _enqueue(self, item: str | bytes | _Close) -> None:
        if self._queue is not None:
            self._queue.put_nowait(item)

    # ---- outgoing -------------------------------------------------------------------------------------------

    def send_control(self, message: dict[str, Any]) -> None:
        """acks, pongs, system and invoke responses: never sequenced, lost with the socket (clients retry)."""
        if self.pubsub:
            self._enqueue(protocol.encode(message))

    def deliver(self, payload: Payload, *, group: str | None = None, from_user: str | None = None) -> None:
        """A data message: from the server (REST, upstream replies) or from a group (a client's sendToGroup)."""
        if self.status == "closed":
            return
        if not self.pubsub:
            self._enqueue(payload.raw_frame())
            return
        if group is None:
            message = protocol.server_message(payload)
        else:
            message = protocol.group_message(group, payload, from_user)
        if not self.reliable:
            self._enqueue(protocol.encode(message))
            return
        self._sequence += 1
        message["sequenceId"] = self._sequence
        frame = protocol.encode(message)
        self.unacked[self._sequence] = frame
        self._enqueue(frame)
        if len(self.unacked) > self.hub.state.max_unacked:
            self.hub.state.spawn(self.end("Too many messages are waiting for a sequence ack.", close_code=1008))

    def ack_sequence(self, sequence_id: int) -> None:
        """Selective ack: everything up to sequence_id has arrived."""
        for seq in [s for s in self.unacked if s <= sequence_id]:
            del self.unacked[seq]

    # ---- ack ids --------------------------------------------------------------------------------------------

    def already_processed(self, ack_id: Any) -> bool:
        return ack_id is not None and ack_id in self._processed_acks

    def mark_processed(self, ack_id: Any) -> None:
        if ack_id is None or ack_id in self._processed_acks:
            return
        self._processed_acks.add(ack_id)
        self._processed_order.append(ack_id)
        if len(self._processed_order) > 10_000:
            self._processed_acks.discard(self._processed_order.popleft())

    # ---- permissions ----------------------------------------------------------------------------------------

    def allowed(self, permission: str, group: str) -> bool:
        return (f"webpubsub.{permission}" in self.roles or f"webpubsub.{permission}.{group}" in self.roles
                or (permission, None) in self.grants or (permission, group) in self.grants)

    def grant(self, permission: str, target: str | None) -> None:
        self.grants.add((permission, target))

    def revoke(self, permission: str, target: str | None) -> None:
        self.grants.discard((permission, target))
        self.roles.discard(f"webpubsub.{permission}" if target is None else f"webpubsub.{permission}.{target}")

    # ---- upstream -------------------------------------------------------------------------------------------

    def in_order(self, make: Callable[[], Awaitable[Any]]) -> asyncio.Task:
        """Runs upstream calls for this connection one after another, in the order they were asked for."""
        previous = self._upstream_tail

        async def run() -> Any:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            return await make()

        task = self.hub.state.spawn(run())
        self._upstream_tail = task
        return task

    # ---- the end --------------------------------------------------------------------------------------------

    async def end(self, reason: str, *, close_code: int | None = None) -> None:
        """Remove the connection for good; tell the client (when a socket is attached) and the upstream."""
        if self.status == "closed":
            return
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if close_code is not None and self._socket is not None:
            self.send_control(protocol.disconnected(reason))
            self._enqueue(_Close(close_code, reason[:120]))  # the writer stops after sending it
        else:
            self._stop_writer()
        self.status = "closed"
        self.hub.remove(self)
        on_end = self.hub.state.on_connection_end
        if on_end is not None:
            self.in_order(lambda: on_end(self, reason))


class Hub:
    def __init__(self, state: HubState, name: str):
        self.state = state
        self.name = name
        self.connections: dict[str, Connection] = {}
        self.groups: dict[str, set[str]] = {}
        self.users: dict[str, set[str]] = {}
        self.user_groups: dict[str, set[str]] = {}  # REST user membership: applies to future connections too

    # ---- membership -----------------------------------------------------------------------------------------

    def add(self, connection: Connection, groups: Iterable[str] = ()) -> None:
        self.connections[connection.id] = connection
        if connection.user_id is not None:
            self.users.setdefault(connection.user_id, set()).add(connection.id)
            for group in self.user_groups.get(connection.user_id, ()):
                self.join(connection, group)
        for group in groups:
            self.join(connection, group)

    def remove(self, connection: Connection) -> None:
        self.connections.pop(connection.id, None)
        for group in list(connection.groups):
            self.leave(connection, group)
        if connection.user_id is not None:
            ids = self.users.get(connection.user_id)
            if ids is not None:
                ids.discard(connection.id)
                if not ids:
                    del self.users[connection.user_id]

    def join(self, connection: Connection, group: str) -> None:
        connection.groups.add(group)
        self.groups.setdefault(group, set()).add(connection.id)

    def leave(self, connection: Connection, group: str) -> None:
        connection.groups.discard(group)
        members = self.groups.get(group)
        if members is not None:
            members.discard(connection.id)
            if not members:
                del self.groups[group]

    def user_connections(self, user_id: str) -> list[Connection]:
        return [self.connections[c] for c in sorted(self.users.get(user_id, ())) if c in self.connections]

    def group_connections(self, group: str) -> list[Connection]:
        return [self.connections[c] for c in sorted(self.groups.get(group, ())) if c in self.connections]

    def add_user_to_group(self, user_id: str, group: str) -> None:
        self.user_groups.setdefault(user_id, set()).add(group)
        for connection in self.user_connections(user_id):
            self.join(connection, group)

    def remove_user_from_group(self, user_id: str, group: str) -> None:
        groups = self.user_groups.get(user_id)
        if groups is not None:
            groups.discard(group)
            if not groups:
                del self.user_groups[user_id]
        for connection in self.user_connections(user_id):
            self.leave(connection, group)

    def remove_user_from_all_groups(self, user_id: str) -> None:
        self.user_groups.pop(user_id, None)
        for connection in self.user_connections(user_id):
            for group in list(connection.groups):
                self.leave(connection, group)

    def filtered_connections(self, filter: Filter | None) -> list[Connection]:
        """Every live connection of the hub (detached reliable sessions included) the filter is true for."""
        return [c for c in self.connections.values()
                if c.status != "closed" and (filter is None or filter.matches(c))]

    def add_connections_to_groups(self, groups: Iterable[str], filter: Filter | None) -> None:
        # Decide who is in before anyone joins, so a filter on `groups` sees the memberships as they were.
        targets = self.filtered_connections(filter)
        for group in groups:
            for connection in targets:
                self.join(connection, group)

    def remove_connections_from_groups(self, groups: Iterable[str], filter: Filter | None) -> None:
        targets = self.filtered_connections(filter)
        for group in groups:
            for connection in targets:
                self.leave(connection, group)

    # ---- sending --------------------------------------------------------------------------------------------

    def send(self, target: Target, payload: Payload, *, group: str | None = None, user: str | None = None,
             connection: str | None = None, excluded: Iterable[str] = (), filter: Filter | None = None,
             source: Source = "server", from_user: str | None = None) -> Delivery:
        skip = set(excluded)
        if target == "all":
            reached = list(self.connections.values())
        elif target == "group":
            reached = self.group_connections(group or "")
        elif target == "user":
            reached = self.user_connections(user or "")
        else:
            found = self.connections.get(connection or "")
            reached = [found] if found is not None else []
        reached = [c for c in reached if c.id not in skip and c.status != "closed"
                   and (filter is None or filter.matches(c))]
        as_group = group if source == "client" else None  # REST sends to a group still arrive "from server"
        for c in reached:
            c.deliver(payload, group=as_group, from_user=from_user)
        delivery = Delivery(self.name, target, group, user, connection, payload.data_type, payload.data, source,
                            from_user, tuple((c.id, c.user_id) for c in reached), time.time())
        self.state.record(delivery)
        return delivery


class HubState:
    """All hubs of one dev host. Build one per app; hand it to hub_routes(); `await close()` on shutdown."""

    def __init__(self, *, log_size: int = 2000, reconnect_window_seconds: float = 60.0, max_unacked: int = 1000):
        self.hubs: dict[str, Hub] = {}
        self.reconnect_window_seconds = reconnect_window_seconds
        self.max_unacked = max_unacked
        self._log: deque[Delivery] = deque(maxlen=log_size)
        self._rest_log: deque[RestCall] = deque(maxlen=log_size)
        self._log_lock = threading.Lock()  # tests read the log from other threads than the hub's loop
        self._tasks: set[asyncio.Task] = set()
        self._closers: list[Callable[[], Awaitable[None]]] = []
        # Set by hub_routes: sends the upstream "disconnected" event when a connection ends.
        self.on_connection_end: Callable[[Connection, str], Awaitable[None]] | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> HubState:
        """The dev host's hub state. Settings hold no hub knobs yet: the defaults mirror Azure's behaviour."""
        return cls()

    def hub(self, name: str) -> Hub:
        key = name.lower()  # hub names are case-insensitive on Azure
        if key not in self.hubs:
            self.hubs[key] = Hub(self, key)
        return self.hubs[key]

    def connection(self, connection_id: str) -> Connection | None:
        for hub in list(self.hubs.values()):
            found = hub.connections.get(connection_id)
            if found is not None:
                return found
        return None

    def new_connection_id(self) -> str:
        return secrets.token_urlsafe(18)

    # ---- the delivery log -----------------------------------------------------------------------------------

    def record(self, delivery: Delivery) -> None:
        with self._log_lock:
            self._log.append(delivery)

    def delivered(self, group: str | None = None, user: str | None = None, type: str | None = None, *,
                  hub: str | None = None, connection: str | None = None) -> list[Delivery]:
        """Sends the hub accepted, oldest first. `user` matches a send to that user or one that reached one of
        the user's connections; `type` matches the "type" field of JSON object payloads."""
        with self._log_lock:
            log_copy = list(self._log)
        found = []
        for d in log_copy:
            if hub is not None and d.hub != hub.lower():
                continue
            if group is not None and d.group != group:
                continue
            if user is not None and d.user != user and user not in d.recipient_users:
                continue
            if type is not None and d.type != type:
                continue
            if connection is not None and d.connection != connection and connection not in {c for c, _ in
                                                                                           d.recipients}:
                continue
            found.append(d)
        return found

    def clear_log(self) -> None:
        """Empties both logs: the deliveries and the REST calls."""
        with self._log_lock:
            self._log.clear()
            self._rest_log.clear()

    def record_rest_call(self, call: RestCall) -> None:
        with self._log_lock:
            self._rest_log.append(call)

    def rest_calls(self, operation: str | None = None, *, hub: str | None = None,
                   method: str | None = None) -> list[RestCall]:
        """REST requests the hub answered, oldest first, whatever their status (401s and 400s too)."""
        with self._log_lock:
            calls = list(self._rest_log)
        return [c for c in calls
                if (operation is None or c.operation == operation) and (hub is None or c.hub == hub.lower())
                and (method is None or c.method == method.upper())]

    # ---- test hooks -----------------------------------------------------------------------------------------

    async def drop(self, connection_id: str) -> bool:
        """Simulates a network failure: closes the socket abnormally but keeps a reliable session, so the
        client can resume it. Returns False when there is no such open connection."""
        connection = self.connection(connection_id)
        if connection is None or connection.socket is None:
            return False
        connection.dropping = True
        connection._enqueue(_Close(1011, "dropped by the dev hub (simulated network failure)"))
        return True

    # ---- tasks and shutdown ---------------------------------------------------------------------------------

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        self._closers.append(closer)

    async def close(self) -> None:
        """Ends every connection (close code 1001), lets pending upstream events finish, closes the upstream
        client. Call it once the server has stopped accepting connections."""
        for hub in list(self.hubs.values()):
            for connection in list(hub.connections.values()):
                await connection.end("The hub is shutting down.", close_code=1001)
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=5)
        for task in list(self._tasks):
            task.cancel()
        for closer in self._closers:
            await closer()
