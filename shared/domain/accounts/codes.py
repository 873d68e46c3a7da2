"""One-time codes (6 digits, typed from a mail) and single-use tokens (256 bits, carried in links or between
login steps), kept in the key-value store with an expiry.

Codes are stored as keyed hashes and die after MAX_CODE_ATTEMPTS wrong guesses: 5 guesses at a 1-in-a-million
code, and a new code only comes through a mail whose sending is itself rate limited. Tokens are stored as their
SHA-256. Consuming is a delete, so of two concurrent uses exactly one wins.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from shared import wiring
from shared.domain.accounts import secrets_box

MAX_CODE_ATTEMPTS = 5


# The `data` a code or token carries is each purpose's own small JSON object (a user id, a new address, a
# token mode): this store keeps it as given, so it stays dict[str, Any] and each purpose reads its own keys.


def _code_key(purpose: str, subject: str) -> str:
    return f"code:{purpose}:{subject}"


def _attempts_key(key: str) -> str:
    return f"{key}:attempts"


def _token_key(purpose: str, token: str) -> str:
    return f"token:{purpose}:{secrets_box.token_hash(token)}"


async def issue_code(purpose: str, subject: str, *, ttl_seconds: int, data: dict[str, Any] | None = None) -> str:
    """A fresh code for (purpose, subject); any earlier one stops working."""
    kv = wiring.kv()
    code = f"{secrets.randbelow(10**6):06d}"
    key = _code_key(purpose, subject)
    record = {"hash": secrets_box.keyed_hash("code", purpose, subject, code), "data": data or {}}
    await kv.delete(_attempts_key(key))
    await kv.set(key, json.dumps(record), ttl_seconds=ttl_seconds)
    return code


async def consume_code(purpose: str, subject: str, code: str) -> dict[str, Any] | None:
    """The data stored with the code when it matches (and then never again); None otherwise."""
    kv = wiring.kv()
    key = _code_key(purpose, subject)
    raw = await kv.get(key)
    if raw is None:
        return None
    attempts = await kv.incr(_attempts_key(key), ttl_seconds=(await kv.ttl(key)) or 60)
    record = json.loads(raw)
    matches = secrets_box.same(record["hash"], secrets_box.keyed_hash("code", purpose, subject, code.strip()))
    if attempts > MAX_CODE_ATTEMPTS or not matches:
        if attempts >= MAX_CODE_ATTEMPTS:
            await kv.delete(key, _attempts_key(key))
        return None
    if await kv.delete(key) != 1:  # a concurrent request used it first
        return None
    await kv.delete(_attempts_key(key))
    return record["data"]


async def discard_code(purpose: str, subject: str) -> None:
    key = _code_key(purpose, subject)
    await wiring.kv().delete(key, _attempts_key(key))


async def issue_token(purpose: str, data: dict[str, Any], *, ttl_seconds: int, one_per: str | None = None) -> str:
    """A fresh token. With one_per (e.g. a user id) an earlier token of this purpose for it stops working."""
    kv = wiring.kv()
    token = secrets.token_urlsafe(32)
    key = _token_key(purpose, token)
    if one_per is not None:
        index = f"token-index:{purpose}:{one_per}"
        previous = await kv.get(index)
        if previous is not None:
            await kv.delete(previous.decode())
        await kv.set(index, key, ttl_seconds=ttl_seconds)
    await kv.set(key, json.dumps(data), ttl_seconds=ttl_seconds)
    return token


async def peek_token(purpose: str, token: str) -> dict[str, Any] | None:
    raw = await wiring.kv().get(_token_key(purpose, token))
    return json.loads(raw) if raw is not None else None


async def consume_token(purpose: str, token: str) -> dict[str, Any] | None:
    kv = wiring.kv()
    key = _token_key(purpose, token)
    raw = await kv.get(key)
    if raw is None or await kv.delete(key) != 1:
        return None
    return json.loads(raw)


async def count_token_failure(purpose: str, token: str, *, max_failures: int) -> bool:
    """Records a wrong answer given with the token; True when the token is now burnt."""
    kv = wiring.kv()
    key = _token_key(purpose, token)
    failures = await kv.incr(_attempts_key(key), ttl_seconds=(await kv.ttl(key)) or 60)
    if failures >= max_failures:
        await kv.delete(key, _attempts_key(key))
        return True
    return False

