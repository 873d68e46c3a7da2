"""Realtime connections live no longer than the session that negotiated them.

`connect` (blocking: the service waits for our answer) accepts a connection only when its URL's binding
(binding.py) names a live session of the user the service vouches for, and the account is active (not banned,
deleted, or unverified). The connection is then recorded in the key-value store:

    rt:conn:<connection id>      -> {"user_id", "sid"}      what a later event on the connection acts for
    rt:session-conns:<sid>       -> set of connection ids    so ending a session closes exactly its connections
    rt:conns                     -> set of connection ids    the live ones, for the sweep

`connected` checks the session again and closes the connection if it ended in between (a session ended while
`connect` was answering would otherwise leave it open). `disconnected` forgets it. Ending a session closes its
connections at once (close_session_connections); ending all of a user's sessions closes all of the user's
connections in one call (close_user_connections). A session that simply times out (idle or absolute) has no
moment at which anyone could act, so the sweep timer closes the connections whose session is gone: a connection
outlives its session by at most the sweep's period.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from shared import errors, wiring
from shared.domain.identity import Principal
from shared.domain.realtime import binding

log = logging.getLogger("topicsflow.realtime.connections")

ALL_CONNECTIONS = "rt:conns"
SWEEP_BATCH = 500


def _conn_key(connection_id: str) -> str:
    return f"rt:conn:{connection_id}"


def _session_key(sid: str) -> str:
    return f"rt:session-conns:{sid}"


def _record_ttl() -> float:
    # No connection outlives the longest session; the sweep and `disconnected` normally remove records first.
    return wiring.sessions().absolute + 3600.0


@dataclass(frozen=True)
class ConnectionRecord:
    connection_id: str
    user_id: str
    sid: str


def _refused() -> errors.Unauthorized:
    # One answer for every reason, so a refused URL tells nothing about the account behind it.
    return errors.Unauthorized("This realtime URL is no longer valid; negotiate a new one.",
                               code="realtime_url_invalid")


async def principal_of_session(user_id: str, sid: str) -> Principal | None:
    """The caller behind a session that is still alive and belongs to an active account; None otherwise."""
    from shared.domain.accounts.access import access_own_account

    session = await wiring.sessions().find_by_sid(sid)
    if session is None or session.user_id != user_id:
        return None
    principal = Principal(user_id=user_id, username=session.username, is_admin=session.is_admin, sid=sid,
                          token_hash=session.token_hash, csrf="")
    try:
        user, _credentials = await access_own_account(principal)
    except errors.Unauthorized:
        return None
    return Principal(user_id=user_id, username=user.get("username", session.username),
                     is_admin=bool(user.get("is_admin")), sid=sid, token_hash=session.token_hash, csrf="")


async def check_connect(user_id: str | None, connection_id: str, query: dict[str, list[str]]) -> ConnectionRecord:
    """Accept (and record) a connection, or raise Unauthorized: the service then refuses the client with 401."""
    if not user_id or not connection_id:
        raise _refused()
    sid = binding.session_of((query.get(binding.QUERY_PARAMETER) or [None])[0], user_id)
    if sid is None or await principal_of_session(user_id, sid) is None:
        raise _refused()
    record = ConnectionRecord(connection_id=connection_id, user_id=user_id, sid=sid)
    kv, ttl = wiring.kv(), _record_ttl()
    await kv.set(_conn_key(connection_id), json.dumps({"user_id": user_id, "sid": sid}), ttl_seconds=ttl)
    await kv.set_add(_session_key(sid), connection_id, ttl_seconds=ttl)
    await kv.set_add(ALL_CONNECTIONS, connection_id)
    return record


async def do_connected(user_id: str | None, connection_id: str) -> None:
    record = await connection_record(connection_id)
    if record is None or record.user_id != user_id or await principal_of_session(record.user_id, record.sid) is None:
        await close_connection(connection_id, reason="session ended")
        return
    await _presence_hook("on_connected", record.user_id, connection_id)


async def do_disconnected(connection_id: str) -> ConnectionRecord | None:
    record = await connection_record(connection_id)
    await forget(connection_id, record)
    if record is not None:
        await _presence_hook("on_disconnected", record.user_id, connection_id)
    return record


async def _presence_hook(name: str, user_id: str, connection_id: str) -> None:
    """Presence (shared/domain/dm/presence.py) follows the connections; its failure never fails a connection."""
    from shared.domain.dm import presence

    try:
        await getattr(presence, name)(user_id, connection_id)
    except Exception:
        log.warning("presence: %s failed for a connection", name, exc_info=True)


async def connection_record(connection_id: str) -> ConnectionRecord | None:
    raw = await wiring.kv().get(_conn_key(connection_id))
    if raw is None:
        return None
    data = json.loads(raw)
    return ConnectionRecord(connection_id=connection_id, user_id=data["user_id"], sid=data["sid"])


async def principal_of_connection(user_id: str, connection_id: str) -> Principal:
    """Who acts through this connection now. A connection whose session ended (or that we never accepted) is
    closed and refused: a user event is the last moment a stale connection could slip through."""
    record = await connection_record(connection_id)
    principal = None
    if record is not None and record.user_id == user_id:
        principal = await principal_of_session(user_id, record.sid)
    if principal is None:
        await close_connection(connection_id, reason="session ended")
        raise _refused()
    return principal


async def forget(connection_id: str, record: ConnectionRecord | None = None) -> None:
    kv = wiring.kv()
    await kv.delete(_conn_key(connection_id))
    await kv.set_remove(ALL_CONNECTIONS, connection_id)
    if record is not None:
        await kv.set_remove(_session_key(record.sid), connection_id)


async def close_connection(connection_id: str, *, reason: str) -> None:
    try:
        await wiring.realtime().close_connection(connection_id, reason=reason)
    except Exception:  # gone already, or the service is unreachable: the sweep tries again
        log.warning("could not close realtime connection %s", connection_id, exc_info=True)


async def close_session_connections(sid: str, *, reason: str) -> int:
    """Closes the connections one session negotiated (the user's other devices stay connected)."""
    kv = wiring.kv()
    connection_ids = await kv.set_members(_session_key(sid))
    for connection_id in connection_ids:
        await close_connection(connection_id, reason=reason)
    await kv.delete(_session_key(sid))
    return len(connection_ids)


async def close_user_connections(user_id: str, *, reason: str) -> None:
    """Every connection of the user, in one call (logout everywhere, password change or reset, ban, deletion)."""
    try:
        await wiring.realtime().close_user_connections(user_id, reason=reason)
    except Exception:
        log.exception("could not close the realtime connections of an account")


async def sweep() -> int:
    """Closes the connections whose session is gone (timed out, or ended while the service was unreachable).
    Costs one read per live connection and one REST call per connection closed."""
    kv = wiring.kv()
    closed = 0
    live = sorted(await kv.set_members(ALL_CONNECTIONS))
    for start in range(0, len(live), SWEEP_BATCH):
        batch = live[start:start + SWEEP_BATCH]
        raws = await kv.get_many([_conn_key(c) for c in batch])
        records = [(c, json.loads(raw)) for c, raw in zip(batch, raws, strict=True) if raw is not None]
        forgotten = [c for c, raw in zip(batch, raws, strict=True) if raw is None]
        if forgotten:
            await kv.set_remove(ALL_CONNECTIONS, *forgotten)
        for connection_id, data in records:
            if await wiring.sessions().find_by_sid(data["sid"]) is None:
                await close_connection(connection_id, reason="session ended")
                await forget(connection_id, ConnectionRecord(connection_id, data["user_id"], data["sid"]))
                await _presence_hook("on_disconnected", data["user_id"], connection_id)
                closed += 1
    return closed
