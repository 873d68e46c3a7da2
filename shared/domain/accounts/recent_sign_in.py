"""Re-authentication for adding a way in (a passkey, a password): a session that signed in within the last
RECENT_SIGN_IN_SECONDS, or the password again, or, for an account without a password, a second-factor code.

A session stolen an hour after login cannot attach the thief's passkey. The password and the codes are checked
within the per-account budgets of reauth.py and two_factor.py, so a stolen session cannot guess them either.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from shared import errors
from shared.domain.accounts import access, reauth, two_factor
from shared.domain.accounts.fields import invalid

if TYPE_CHECKING:
    from shared.domain.accounts.documents import CredentialsDoc
    from shared.domain.identity import Principal

RECENT_SIGN_IN_SECONDS = 10 * 60


def has_password(credentials: CredentialsDoc) -> bool:
    return bool(credentials.get("password_hash"))


async def require_recent_sign_in(principal: Principal, credentials: CredentialsDoc, *, password: str | None = None,
                                 code: str | None = None) -> None:
    if password is not None:
        await reauth.require_password(principal.user_id, credentials, password)
        return
    if code is not None:
        if has_password(credentials):
            raise invalid("body.code", "Confirm with your password instead.", code="password_required",
                          reason="use_password")
        await two_factor.require_second_factor(principal.user_id, credentials, code)
        return
    session = await access.access_own_session(principal, principal.sid)
    if time.time() - session.created_at > RECENT_SIGN_IN_SECONDS:
        raise errors.Forbidden("Sign in again, or confirm with your password, to do this.",
                               code="recent_sign_in_required",
                               details={"within_seconds": RECENT_SIGN_IN_SECONDS})
