"""Re-authentication before sensitive changes (ASVS v5 7.5.1): the password again, within a per-account budget
so that a stolen session cannot be used to guess the password."""

from __future__ import annotations

from shared.domain.accounts import limits, passwords
from shared.domain.accounts.documents import CredentialsDoc
from shared.domain.accounts.fields import invalid


async def require_password(user_id: str, credentials: CredentialsDoc, password: str,
                           field: str = "body.password") -> None:
    await limits.ensure_available(limits.REAUTH_FAILURES, user_id)
    if not await passwords.verify_password(credentials.get("password_hash"), password):
        await limits.spend(limits.REAUTH_FAILURES, user_id)
        raise invalid(field, "The password is wrong.", code="invalid_password")
