"""WebAuthn challenges in the key-value store: one per ceremony, bound to what started it, used once.

A challenge is 32 random bytes kept under `webauthn:<purpose>:<binding>`, where the binding is the session id
(adding a passkey while signed in), the hash of a pending-login token (a passkey as the second factor), of an
enrolment token (the first factor of a passwordless sign-up) or of the ceremony token handed out with the options
(signing in with a passkey alone). A new challenge for the same binding replaces the old one. Taking it is a
delete: of two requests presenting it, exactly one gets it, and it is gone whether the verification then succeeds
or not. It expires after CHALLENGE_SECONDS, which is also the timeout the options give the browser.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Literal

from shared import wiring

CHALLENGE_SECONDS = 5 * 60

Purpose = Literal["register", "enrol", "login", "second-factor"]


def _key(purpose: Purpose, binding: str) -> str:
    return f"webauthn:{purpose}:{binding}"


async def issue(purpose: Purpose, binding: str, *, data: dict[str, Any] | None = None) -> bytes:
    challenge = secrets.token_bytes(32)
    record = {"challenge": challenge.hex(), "data": data or {}}
    await wiring.kv().set(_key(purpose, binding), json.dumps(record), ttl_seconds=CHALLENGE_SECONDS)
    return challenge


async def take(purpose: Purpose, binding: str) -> tuple[bytes, dict[str, Any]] | None:
    """The challenge and its data, once; None when there is none (never issued, expired or used)."""
    kv = wiring.kv()
    key = _key(purpose, binding)
    raw = await kv.get(key)
    if raw is None or await kv.delete(key) != 1:
        return None
    record = json.loads(raw)
    return bytes.fromhex(record["challenge"]), record["data"]


def timeout_ms() -> int:
    return CHALLENGE_SECONDS * 1000
