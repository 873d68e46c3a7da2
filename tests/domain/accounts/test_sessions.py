"""Session store: opaque tokens stored hashed, an idle timeout and an absolute lifetime (both from settings)."""

import asyncio

from shared import wiring
from shared.domain.accounts import sessions
from shared.domain.accounts.sessions import SessionStore, hash_token


def store(idle: float, absolute: float) -> SessionStore:
    return SessionStore(wiring.kv(), idle_seconds=idle, absolute_seconds=absolute)


async def test_tokens_are_256_bit_random_and_only_their_hash_is_stored(stack):
    token, session = await store(60, 3600).create(user_id="u1", username="alice", is_admin=False)
    assert len(token) >= 43 and session.token_hash == hash_token(token)
    assert await wiring.kv().get(f"session:{token}") is None
    assert await wiring.kv().get(f"session:{session.token_hash}") is not None
    other, _ = await store(60, 3600).create(user_id="u1", username="alice", is_admin=False)
    assert other != token


async def test_a_session_left_idle_expires(stack):
    s = store(1, 3600)
    token, _ = await s.create(user_id="u1", username="alice", is_admin=False)
    assert await s.resolve(token) is not None
    await asyncio.sleep(1.3)
    assert await s.resolve(token) is None


async def test_activity_keeps_a_session_alive_but_not_past_its_absolute_lifetime(stack, monkeypatch):
    monkeypatch.setattr(sessions, "IDLE_REFRESH_AFTER_SECONDS", 0)
    s = store(1, 2.5)
    token, _ = await s.create(user_id="u1", username="alice", is_admin=False)
    for _ in range(4):  # 2 s of activity: twice the idle limit
        await asyncio.sleep(0.5)
        assert await s.resolve(token) is not None
    await asyncio.sleep(0.7)
    assert await s.resolve(token) is None  # 2.7 s: over the absolute lifetime although in use


async def test_the_defaults_are_30_minutes_idle_and_12_hours_absolute(stack):
    built = wiring.sessions()
    assert (built.idle, built.absolute) == (30 * 60, 12 * 3600)


async def test_ending_all_sessions_can_keep_the_current_one(stack):
    s = store(60, 3600)
    keep, kept = await s.create(user_id="u1", username="alice", is_admin=False)
    other, _ = await s.create(user_id="u1", username="alice", is_admin=False)
    elsewhere, _ = await s.create(user_id="u2", username="bob", is_admin=False)
    assert await s.end_all_for_user("u1", keep_token_hash=kept.token_hash) == 1
    assert await s.resolve(keep) is not None and await s.resolve(other) is None
    assert await s.resolve(elsewhere) is not None
