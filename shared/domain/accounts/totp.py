"""TOTP (RFC 6238, 30 s steps, 6 digits, one step of clock drift either way) and backup codes.

A code is accepted once: the time step it matched is recorded in the key-value store, and a step at or before
the last accepted one is refused (RFC 6238 §5.2), so a code seen over a shoulder or in a log cannot be replayed.
Backup codes are 50-bit random strings shown once, stored as keyed hashes, and removed when used.
"""

from __future__ import annotations

import secrets
import time

from shared import wiring
from shared.domain.accounts import secrets_box

ISSUER = "TopicsFlow"
STEP_SECONDS = 30
DRIFT_STEPS = 1
BACKUP_CODE_COUNT = 10
_BACKUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes get typed from paper
_BACKUP_LENGTH = 10


def new_secret() -> str:
    import pyotp

    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account_name: str) -> str:
    from pyotp.totp import TOTP

    return TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def current_code(secret: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (tests act as the authenticator app with this)."""
    from pyotp.totp import TOTP

    return TOTP(secret).at(at if at is not None else time.time())


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step within the drift window whose code this is (no replay check: verify_totp does that)."""
    return _matching_step(secret, code, now)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    from pyotp.totp import TOTP

    totp = TOTP(secret)
    step_now = int(now // STEP_SECONDS)
    for step in range(step_now - DRIFT_STEPS, step_now + DRIFT_STEPS + 1):
        if secrets_box.same(totp.at(step * STEP_SECONDS), code):
            return step
    return None


async def verify_totp(user_id: str, secret: str, code: str) -> bool:
    """True once per matching time step; a replay of an accepted code (or an older one) is False."""
    code = code.strip()
    if len(code) != 6 or not code.isdigit():
        return False
    step = _matching_step(secret, code, time.time())
    if step is None:
        return False
    kv = wiring.kv()
    window = (2 * DRIFT_STEPS + 2) * STEP_SECONDS
    last = await kv.get(f"totp-last:{user_id}")
    if last is not None and step <= int(last):
        return False
    # The per-step key makes two concurrent uses of the same code race to one winner.
    if not await kv.set(f"totp-used:{user_id}:{step}", "1", ttl_seconds=window, only_if_absent=True):
        return False
    await kv.set(f"totp-last:{user_id}", str(step), ttl_seconds=window)
    return True


def looks_like_totp(code: str) -> bool:
    code = code.strip()
    return len(code) == 6 and code.isdigit()


def new_backup_codes() -> list[str]:
    codes = []
    for _ in range(BACKUP_CODE_COUNT):
        raw = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(_BACKUP_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize_backup_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch not in "- ")


def backup_code_hash(user_id: str, code: str) -> str:
    return secrets_box.keyed_hash("backup-code", user_id, normalize_backup_code(code))
