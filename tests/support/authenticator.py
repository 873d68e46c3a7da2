"""Tests play the user's authenticator app: the secret comes from /api/auth/2fa/setup, as the app gets it."""

from __future__ import annotations

import time

from shared.domain.accounts.totp import STEP_SECONDS, current_code


def code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code for now (or a step later: the server accepts one step of drift, and each step's code only once,
    so a test that needs two codes in quick succession takes the next step's for the second)."""
    return current_code(secret, at=time.time() + steps_ahead * STEP_SECONDS)
