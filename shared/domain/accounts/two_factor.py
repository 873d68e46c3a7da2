"""Two-factor authentication with an authenticator app (TOTP), and backup codes.

Only the signed-in owner can turn it on, and only after re-entering the password: setup hands out a new secret
(the one and only time it leaves the server), confirm proves the app has it and turns 2FA on with ten backup
codes; disabling or regenerating codes needs the password and a current code. The secret is stored encrypted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import clock, errors
from shared.domain.accounts import access, limits, mail, reauth, secrets_box, store, totp
from shared.domain.accounts.documents import CredentialsDoc, TotpDoc, UserDoc
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.models import (
    BackupCodes,
    PasswordAndCodeBody,
    PasswordConfirmBody,
    TwoFactorConfirmBody,
    TwoFactorSetup,
)

if TYPE_CHECKING:
    from shared.domain.identity import Principal


_NO_TOTP: TotpDoc = {"enabled": False, "secret": None, "pending_secret": None, "backup_codes": []}


def _totp_state(credentials: CredentialsDoc) -> TotpDoc:
    return (credentials.get("totp") or _NO_TOTP).copy()


def is_enabled(credentials: CredentialsDoc) -> bool:
    return bool(_totp_state(credentials).get("enabled"))


async def verify_second_factor(user_id: str, credentials: CredentialsDoc, code: str) -> bool:
    """A current authenticator code, or an unused backup code (which is then used up)."""
    state = _totp_state(credentials)
    sealed = state.get("secret")
    if not state.get("enabled") or not sealed:
        return False
    if totp.looks_like_totp(code):
        secret = secrets_box.decrypt(sealed, bound_to=user_id)
        return await totp.verify_totp(user_id, secret, code)
    return await _use_backup_code(user_id, code)


async def use_backup_code(user_id: str, code: str) -> bool:
    """Uses up an unused backup code (also for passwordless accounts whose codes came with a passkey)."""
    return await _use_backup_code(user_id, code)


async def _use_backup_code(user_id: str, code: str) -> bool:
    wanted = totp.backup_code_hash(user_id, code)
    for _ in range(3):  # the document may change under us (another code used at the same moment): re-read
        credentials = await store.get_credentials(user_id)
        if credentials is None:
            return False
        state = _totp_state(credentials)
        hashes = list(state.get("backup_codes") or [])
        match = next((h for h in hashes if secrets_box.same(h, wanted)), None)
        if match is None:
            return False
        hashes.remove(match)
        try:
            await store.patch_credentials(user_id, {"totp": {**state, "backup_codes": hashes}},
                                          if_match=credentials.get("_etag"))
            return True
        except errors.PreconditionFailed:
            continue
    return False


async def check_setup(principal: Principal, body: PasswordConfirmBody) -> TwoFactorSetup:
    user, credentials = await access.access_own_account(principal)
    await reauth.require_password(principal.user_id, credentials, body.password)
    if is_enabled(credentials):
        raise errors.Conflict("Two-factor authentication is already on.", code="two_factor_already_enabled")
    secret = totp.new_secret()
    state: TotpDoc = {**_totp_state(credentials),
                      "pending_secret": secrets_box.encrypt(secret, bound_to=principal.user_id),
                      "pending_since": clock.now_iso()}
    await store.patch_credentials(principal.user_id, {"totp": state})
    return TwoFactorSetup(secret=secret, otpauth_uri=totp.provisioning_uri(secret, user["username"]))


async def check_confirm(principal: Principal, body: TwoFactorConfirmBody) -> BackupCodes:
    user, credentials = await access.access_own_account(principal)
    state = _totp_state(credentials)
    if state.get("enabled"):
        raise errors.Conflict("Two-factor authentication is already on.", code="two_factor_already_enabled")
    pending = state.get("pending_secret")
    if not pending:
        raise errors.Conflict("Start the setup first.", code="two_factor_setup_missing")
    await limits.ensure_available(limits.SECOND_FACTOR_FAILURES, principal.user_id)
    secret = secrets_box.decrypt(pending, bound_to=principal.user_id)
    if not await totp.verify_totp(principal.user_id, secret, body.code):
        await limits.spend(limits.SECOND_FACTOR_FAILURES, principal.user_id)
        raise invalid("body.code", "The code is wrong; check your authenticator app's clock.", code="invalid_code")
    backup_codes = totp.new_backup_codes()
    await store.patch_credentials(principal.user_id, {"totp": {
        "enabled": True, "secret": pending, "pending_secret": None, "enabled_at": clock.now_iso(),
        "backup_codes": [totp.backup_code_hash(principal.user_id, c) for c in backup_codes]}},
        if_match=credentials.get("_etag"))
    await _notify(user, credentials, "two_factor_enabled")
    return BackupCodes(backup_codes=backup_codes)


async def check_disable(principal: Principal, body: PasswordAndCodeBody) -> None:
    user, credentials = await access.access_own_account(principal)
    if not is_enabled(credentials):
        raise errors.Conflict("Two-factor authentication is not on.", code="two_factor_not_enabled")
    await reauth.require_password(principal.user_id, credentials, body.password)
    await require_second_factor(principal.user_id, credentials, body.code)
    await store.patch_credentials(principal.user_id, {"totp": {
        "enabled": False, "secret": None, "pending_secret": None, "backup_codes": []}})
    await _notify(user, credentials, "two_factor_disabled")


async def check_regenerate_backup_codes(principal: Principal, body: PasswordAndCodeBody) -> BackupCodes:
    _user, credentials = await access.access_own_account(principal)
    if not is_enabled(credentials):
        raise errors.Conflict("Two-factor authentication is not on.", code="two_factor_not_enabled")
    await reauth.require_password(principal.user_id, credentials, body.password)
    await require_second_factor(principal.user_id, credentials, body.code)
    fresh = await store.get_credentials(principal.user_id)  # a backup code may just have been used up
    backup_codes = totp.new_backup_codes()
    state: TotpDoc = {**_totp_state(fresh or credentials),
             "backup_codes": [totp.backup_code_hash(principal.user_id, c) for c in backup_codes]}
    await store.patch_credentials(principal.user_id, {"totp": state})
    return BackupCodes(backup_codes=backup_codes)


async def require_second_factor(user_id: str, credentials: CredentialsDoc, code: str | None) -> None:
    """For re-authentication of an account with 2FA on: a valid code, within the per-account budget."""
    if not code:
        raise invalid("body.code", "Enter a code from your authenticator app or a backup code.",
                      code="second_factor_required", reason="missing")
    await limits.ensure_available(limits.SECOND_FACTOR_FAILURES, user_id)
    if not await verify_second_factor(user_id, credentials, code):
        await limits.spend(limits.SECOND_FACTOR_FAILURES, user_id)
        raise invalid("body.code", "The code is wrong or was used already.", code="invalid_code")


async def _notify(user: UserDoc, credentials: CredentialsDoc, template: str) -> None:
    language = (user.get("preferences") or {}).get("language", "en")
    await mail.enqueue(template, store.mail_address(credentials), lang=language,
                       params={"username": user["username"]})

