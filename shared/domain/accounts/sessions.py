"""Opaque server-side sessions in the key-value store (ASVS v5 7.x).

A token is 256 random bits given to the client once; the store only ever sees its SHA-256. Each session
has an idle limit and an absolute lifetime; both come from settings and are listed in the README.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass

from shared import clock
from shared.ports import KeyValue

IDLE_REFRESH_AFTER_SECONDS = 60  # rewriting the record on every request would double the store traffic


@dataclass
class Session:
    sid: str  # public id, shown in the session list; not usable as a credential
    token_hash: str
    user_id: str
    username: str
    is_admin: bool
    csrf: str
    created_at: float
    last_seen: float
    absolute_expires_at: float
    ip: str = ""
    user_agent: str = ""

    def public(self) -> dict:
        return {"id": self.sid, "created_at": clock.from_timestamp(self.created_at),
                "last_seen": clock.from_timestamp(self.last_seen),
                "expires_at": clock.from_timestamp(self.absolute_expires_at), "ip": self.ip,
                "user_agent": self.user_agent}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session_key(token_hash: str) -> str:
    return f"session:{token_hash}"


def _user_index_key(user_id: str) -> str:
    return f"user-sessions:{user_id}"


def _sid_key(sid: str) -> str:
    """sid -> token hash: how a realtime connection, which knows only its session's public id, finds it."""
    return f"session-sid:{sid}"


class SessionStore:
    def __init__(self, kv: KeyValue, *, idle_seconds: int, absolute_seconds: int):
        self.kv = kv
        self.idle = idle_seconds
        self.absolute = absolute_seconds

    async def create(self, *, user_id: str, username: str, is_admin: bool, ip: str = "",
                     user_agent: str = "") -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = time.time()
        session = Session(sid=secrets.token_hex(8), token_hash=hash_token(token), user_id=user_id,
                          username=username, is_admin=is_admin, csrf=secrets.token_urlsafe(32), created_at=now,
                          last_seen=now, absolute_expires_at=now + self.absolute, ip=ip, user_agent=user_agent[:200])
        await self._write(session, now)
        await self.kv.set_add(_user_index_key(user_id), session.token_hash, ttl_seconds=self.absolute)
        await self.kv.set(_sid_key(session.sid), session.token_hash, ttl_seconds=self.absolute)
        return token, session

    async def resolve(self, token: str) -> Session | None:
        if not token or len(token) > 200:
            return None
        raw = await self.kv.get(_session_key(hash_token(token)))
        if raw is None:
            return None
        session = Session(**json.loads(raw))
        now = time.time()
        if now >= session.absolute_expires_at:
            await self.end(session)
            return None
        if now - session.last_seen >= IDLE_REFRESH_AFTER_SECONDS:
            session.last_seen = now
            await self._write(session, now)
        return session

    async def end(self, session: Session) -> None:
        await self.kv.delete(_session_key(session.token_hash), _sid_key(session.sid))
        await self.kv.set_remove(_user_index_key(session.user_id), session.token_hash)

    async def end_by_hash(self, user_id: str, token_hash: str, sid: str) -> None:
        await self.kv.delete(_session_key(token_hash), _sid_key(sid))
        await self.kv.set_remove(_user_index_key(user_id), token_hash)

    async def find_by_sid(self, sid: str) -> Session | None:
        """The live session with this public id; None once it ended or expired (idle or absolute)."""
        if not sid or len(sid) > 64:
            return None
        token_hash = await self.kv.get(_sid_key(sid))
        if token_hash is None:
            return None
        raw = await self.kv.get(_session_key(token_hash.decode()))
        if raw is None:
            return None
        session = Session(**json.loads(raw))
        return session if time.time() < session.absolute_expires_at and session.sid == sid else None

    async def list_for_user(self, user_id: str) -> list[Session]:
        sessions = []
        for token_hash in await self.kv.set_members(_user_index_key(user_id)):
            raw = await self.kv.get(_session_key(token_hash))
            if raw is None:
                await self.kv.set_remove(_user_index_key(user_id), token_hash)
            else:
                sessions.append(Session(**json.loads(raw)))
        return sorted(sessions, key=lambda s: s.created_at)

    async def end_all_for_user(self, user_id: str, *, keep_token_hash: str | None = None) -> int:
        ended = 0
        for session in await self.list_for_user(user_id):
            if session.token_hash != keep_token_hash:
                await self.end(session)
                ended += 1
        return ended

    async def refresh_identity(self, user_id: str, *, username: str, is_admin: bool) -> None:
        """Keep live sessions in step with a renamed or promoted account."""
        for session in await self.list_for_user(user_id):
            session.username, session.is_admin = username, is_admin
            await self._write(session, time.time())

    async def _write(self, session: Session, now: float) -> None:
        ttl = max(1.0, min(self.idle, session.absolute_expires_at - now))
        await self.kv.set(_session_key(session.token_hash), json.dumps(asdict(session)), ttl_seconds=ttl)
