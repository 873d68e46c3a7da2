"""Password hashing (argon2id) and the password policy.

Parameters are ASVS v5 Appendix C's argon2id minimum (m=19 MiB, t=2, p=1): about 19 MiB per concurrent login.
When they change, the next successful login rehashes. A login for an unknown account verifies against a dummy
hash so it costs the same work as a real one (no timing oracle): `verify_calls()` counts every argon2 verify,
which is how the test suite checks that.

Policy (ASVS v5 6.2): 8 to 256 characters, no composition rules, refused when it is a common password or is
trivially guessable from the account's own username or email (zxcvbn, which ships a 30,000-entry list of the
most common passwords and pattern checks for keyboard walks, repeats, dates and l33t variants).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

TIME_COST, MEMORY_COST_KIB, PARALLELISM = 2, 19456, 1
ZXCVBN_MAX_INPUT = 72  # zxcvbn refuses longer input; a long password is not weak for being long
MIN_ZXCVBN_SCORE = 1  # 0 = "too guessable" (under 10^3 guesses), e.g. "password1", "aaaaaaaa", the username

_counter_lock = threading.Lock()
_verify_calls = 0


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    from argon2 import PasswordHasher, Type

    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM,
                          hash_len=32, salt_len=16, type=Type.ID)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hasher().hash("not-a-real-password: only here so unknown accounts cost the same work")


def verify_calls() -> int:
    return _verify_calls


def _count_verify() -> None:
    global _verify_calls
    with _counter_lock:
        _verify_calls += 1


def _verify_sync(stored_hash: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    _count_verify()
    try:
        return hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    # argon2 holds the GIL-free C code for ~20-40 ms; a thread keeps the event loop serving other requests.
    return await asyncio.to_thread(hasher().hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """False for a wrong password and for stored_hash=None (unknown account), after the same argon2 work."""
    return await asyncio.to_thread(_verify_sync, stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    from argon2.exceptions import InvalidHashError

    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def password_problem(password: str, *, user_inputs: Sequence[str] = ()) -> str | None:
    """None when the password may be used, otherwise the reason shown to the user."""
    from zxcvbn import zxcvbn

    from shared.domain.accounts.models import PASSWORD_MAX, PASSWORD_MIN

    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters."
    inputs = [part for value in user_inputs if value for part in (value, value.split("@")[0])]
    if password.lower() in {value.lower() for value in inputs}:
        return "Do not use your username or email address as the password."
    if password.lower() in _common_passwords():
        return "This is one of the most common passwords; choose another."
    result = zxcvbn(password[:ZXCVBN_MAX_INPUT], user_inputs=inputs)
    if result["score"] < MIN_ZXCVBN_SCORE:
        return "This password is too easy to guess; a few uncommon words make a strong one."
    return None


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])
