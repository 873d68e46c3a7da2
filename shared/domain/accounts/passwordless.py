"""Accounts without a password: sign-up, the first factor, signing in with the authenticator app, recovery, and
adding a password later.

- Sign-up (`/register-passwordless`) is /register without the password: the same answers, the same mailed code.
  Verifying the address hands out an enrolment token (ENROLMENT_MINUTES, single use, only the newest works) that
  does one thing: enrol the first way in — a passkey (/passkey/register-options + register-verify) or an
  authenticator app (/passwordless/totp/setup + confirm) — while the account is still a pending passwordless
  sign-up. Enrolling returns ten backup codes and starts a session; only then is the account active.
- Sign-in: a passkey alone (passkeys.py), or identifier + authenticator code (/login-passwordless). The second is
  the password login with the code in the password's place: the same per-IP limit, per-account budgets and device
  tokens, and one answer, `invalid_credentials`, for an unknown identifier, an account with a password (it must
  log in with the password, then the code) and a wrong code — after the same work (one secret decrypted, one
  TOTP check), counted by `totp_checks()` for the tests.
- Recovery needs the verified mailbox *and* a backup code (/recovery/initiate-passwordless, then
  /recovery/complete-passwordless): never weaker than signing in. It ends every other session. The mailbox alone
  never gives a passwordless account a password (recovery.py refuses to mail it a reset link).
- `/set-password` adds a password (signed in recently, or with an authenticator code); the account is then an
  ordinary one: password login, the authenticator as its second factor, and identifier + code stops working.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import TYPE_CHECKING

from shared import clock, errors
from shared.domain.accounts import (
    access,
    codes,
    limits,
    mail,
    passwords,
    recent_sign_in,
    registration,
    rules,
    secrets_box,
    store,
    totp,
    two_factor,
)
from shared.domain.accounts.documents import CredentialsDoc, TotpDoc, UserDoc
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.login import (
    INVALID_CREDENTIALS,
    Client,
    LoginOutcome,
    end_all_access,
    login_account_key,
    start_session,
)
from shared.domain.accounts.models import EmailVerified, Message, TwoFactorSetup
from shared.domain.accounts.passkey_models import (
    EnrolmentTokenBody,
    EnrolTotpConfirmBody,
    LoginPasswordlessBody,
    RecoverPasswordlessBody,
    RegisterPasswordlessBody,
    SetPasswordBody,
)

if TYPE_CHECKING:
    from shared.domain.identity import Principal

ENROLMENT_PURPOSE = "passwordless-enrolment"
ENROLMENT_MINUTES = 30
RECOVERY_PURPOSE = "passwordless-recovery"
RECOVERY_CODE_MINUTES = 15
RECOVERY_ANSWER = "If this address belongs to an account without a password, a recovery code is on its way."
ENROLMENT_ANSWER = "Your email address is confirmed. Now add a passkey or an authenticator app to sign in with."

_checks_lock = threading.Lock()
_totp_checks = 0


def _language(user: UserDoc | None) -> str:
    return (user.get("preferences") or {}).get("language", "en") if user is not None else "en"


def is_passwordless(credentials: CredentialsDoc) -> bool:
    return not recent_sign_in.has_password(credentials)


# ---------------------------------------------------------------------------------------------------------
# sign-up and the first factor


async def check_register_passwordless(body: RegisterPasswordlessBody) -> Message:
    return await registration.do_sign_up(username=body.username, email=str(body.email), language=body.language,
                                         password_hash=None)


async def start_enrolment(user_id: str) -> EmailVerified:
    token = await codes.issue_token(ENROLMENT_PURPOSE, {"user_id": user_id}, ttl_seconds=ENROLMENT_MINUTES * 60,
                                    one_per=user_id)
    return EmailVerified(message=ENROLMENT_ANSWER, enrolment_token=token, enrolment_expires_in=ENROLMENT_MINUTES * 60)


def _enrolment_invalid() -> errors.ValidationFailed:
    return invalid("body.enrolment_token", "This sign-up link has expired or was used; confirm your address again "
                   "(/auth/resend-verification).", code="invalid_token")


async def enrolment_account(token: str) -> tuple[UserDoc, CredentialsDoc]:
    """The sign-up the token was issued to, while it is still a verified, pending, passwordless one; the token
    cannot reach any other account, nor this one once it is active."""
    data = await codes.peek_token(ENROLMENT_PURPOSE, token)
    user_id = (data or {}).get("user_id")
    user = await store.get_user(user_id) if user_id else None
    credentials = await store.get_credentials(user_id) if user_id else None
    if user is None or credentials is None or user.get("status") != "pending" \
            or not credentials.get("email_verified") or not is_passwordless(credentials):
        raise _enrolment_invalid()
    return user, credentials


async def finish_enrolment(token: str, user: UserDoc, credentials: CredentialsDoc, client: Client, *,
                           token_mode: bool, totp_secret: str | None = None) -> tuple[list[str], LoginOutcome]:
    """Uses the enrolment token up (of two racing enrolments one wins), gives the account its backup codes and
    makes it active, then signs it in. totp_secret: the encrypted secret when the factor is the authenticator app.

    Backup codes live beside the TOTP state (`credentials.totp.backup_codes`) whether or not the app is enrolled,
    so a passkey-only account has them too."""
    if await codes.consume_token(ENROLMENT_PURPOSE, token) is None:
        raise _enrolment_invalid()
    user_id = user["id"]
    backup_codes = totp.new_backup_codes()
    state: TotpDoc = {"enabled": totp_secret is not None, "secret": totp_secret, "pending_secret": None,
                      "backup_codes": [totp.backup_code_hash(user_id, c) for c in backup_codes]}
    if totp_secret is not None:
        state["enabled_at"] = clock.now_iso()
    credentials = await store.patch_credentials(user_id, {"totp": state})
    user = await store.patch_user(user_id, {"status": "active"})
    await mail.enqueue("passwordless_welcome", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"]})
    return backup_codes, await start_session(user, credentials, client, token_mode=token_mode)


async def check_enrol_totp_setup(body: EnrolmentTokenBody) -> TwoFactorSetup:
    user, credentials = await enrolment_account(body.enrolment_token)
    secret = totp.new_secret()
    state: TotpDoc = {**credentials["totp"], "pending_secret": secrets_box.encrypt(secret, bound_to=user["id"]),
                      "pending_since": clock.now_iso()}
    await store.patch_credentials(user["id"], {"totp": state})
    return TwoFactorSetup(secret=secret, otpauth_uri=totp.provisioning_uri(secret, user["username"]))


async def check_enrol_totp_confirm(body: EnrolTotpConfirmBody, client: Client) -> tuple[list[str], LoginOutcome]:
    user, credentials = await enrolment_account(body.enrolment_token)
    pending = (credentials.get("totp") or {}).get("pending_secret")
    if not pending:
        raise errors.Conflict("Start the authenticator setup first.", code="two_factor_setup_missing")
    await limits.ensure_available(limits.SECOND_FACTOR_FAILURES, user["id"])
    if not await totp.verify_totp(user["id"], secrets_box.decrypt(pending, bound_to=user["id"]), body.code):
        await limits.spend(limits.SECOND_FACTOR_FAILURES, user["id"])
        raise invalid("body.code", "The code is wrong; check your authenticator app's clock.", code="invalid_code")
    return await finish_enrolment(body.enrolment_token, user, credentials, client, token_mode=body.token,
                                  totp_secret=pending)


# ---------------------------------------------------------------------------------------------------------
# identifier + authenticator code


def totp_checks() -> int:
    return _totp_checks


@lru_cache(maxsize=1)
def _dummy_sealed_secret() -> str:
    return secrets_box.encrypt(totp.new_secret(), bound_to="no-account")


async def _check_code(user_id: str | None, sealed: str, bound_to: str, code: str) -> bool:
    """One decryption and one TOTP check, for a real account (recording the step, so a code works once) or, with
    user_id=None, against the dummy secret of an unusable identifier."""
    global _totp_checks
    with _checks_lock:
        _totp_checks += 1
    secret = secrets_box.decrypt(sealed, bound_to=bound_to)
    if user_id is None:
        totp.matching_step(secret, code, time.time())
        return False
    return await totp.verify_totp(user_id, secret, code)


async def check_login_passwordless(body: LoginPasswordlessBody, client: Client) -> LoginOutcome:
    user_id = await store.find_user_id(body.identifier)
    account_key = login_account_key(body.identifier, user_id)
    device = limits.device_nonce(client.device_token, user_id) if user_id else None
    budget, subject = limits.login_failure_budget(account_key, device)
    await limits.ensure_available(budget, subject)

    credentials = await store.get_credentials(user_id) if user_id else None
    sealed = credentials["totp"].get("secret") if credentials is not None else None
    usable = credentials is not None and is_passwordless(credentials) and credentials["totp"].get("enabled")
    if usable and sealed and user_id is not None:
        verified = await _check_code(user_id, sealed, user_id, body.code)
    else:
        verified = await _check_code(None, _dummy_sealed_secret(), "no-account", body.code)
    if not verified or user_id is None or credentials is None:
        await limits.spend(budget, subject)
        raise errors.Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    user = await store.get_user(user_id)
    if user is None or user.get("status") in ("deleting", "pending"):
        raise errors.Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")
    if user.get("status") == "banned":
        raise errors.Forbidden("This account is banned.", code="account_banned",
                               details={"reason": (user.get("ban") or {}).get("reason")})
    return await start_session(user, credentials, client, token_mode=body.token)


# ---------------------------------------------------------------------------------------------------------
# recovery: the mailbox and a backup code


async def check_initiate_recovery(email: str) -> Message:
    if not await limits.take(limits.MAILS_PER_ADDRESS, registration.address_key(email)):
        return Message(message=RECOVERY_ANSWER)
    user_id = await store.lookup("email", rules.normalize_email(email))
    user = await store.get_user(user_id) if user_id else None
    credentials = await store.get_credentials(user_id) if user_id else None
    if user_id is None or user is None or credentials is None or user.get("status") not in ("active", "banned"):
        await mail.enqueue("passwordless_recovery_unknown", email)
    elif not is_passwordless(credentials):
        await mail.enqueue("passwordless_recovery_has_password", store.mail_address(credentials), lang=_language(user),
                           params={"username": user["username"]})
    else:
        code = await codes.issue_code(RECOVERY_PURPOSE, user_id, ttl_seconds=RECOVERY_CODE_MINUTES * 60)
        await mail.enqueue("passwordless_recovery_code", store.mail_address(credentials), lang=_language(user),
                           params={"username": user["username"], "code": code, "minutes": RECOVERY_CODE_MINUTES})
    return Message(message=RECOVERY_ANSWER)


async def check_complete_recovery(body: RecoverPasswordlessBody, client: Client) -> LoginOutcome:
    user_id = await store.lookup("email", rules.normalize_email(body.email))
    if user_id is None or await codes.consume_code(RECOVERY_PURPOSE, user_id, body.code) is None:
        raise invalid("body.code", "The code is wrong or has expired.", code="invalid_code")
    # The mailed code is used up whatever follows: a wrong backup code costs a new mail (itself rate limited).
    await limits.ensure_available(limits.SECOND_FACTOR_FAILURES, user_id)
    if not await two_factor.use_backup_code(user_id, body.backup_code):
        await limits.spend(limits.SECOND_FACTOR_FAILURES, user_id)
        raise invalid("body.backup_code", "The backup code is wrong or was used already; ask for a new mailed code "
                      "and try another.", code="invalid_code")
    user = await store.get_user(user_id)
    credentials = await store.get_credentials(user_id)
    if user is None or credentials is None or user.get("status") not in ("active", "banned") \
            or not is_passwordless(credentials):
        raise invalid("body.code", "The code is wrong or has expired.", code="invalid_code")
    if user.get("status") == "banned":
        raise errors.Forbidden("This account is banned.", code="account_banned",
                               details={"reason": (user.get("ban") or {}).get("reason")})
    await end_all_access(user_id, reason="account recovered")
    await mail.enqueue("passwordless_recovered", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"]})
    return await start_session(user, credentials, client, token_mode=body.token)


# ---------------------------------------------------------------------------------------------------------
# adding a password


async def check_set_password(principal: Principal, body: SetPasswordBody) -> Message:
    user, credentials = await access.access_own_account(principal)
    if not is_passwordless(credentials):
        raise errors.Conflict("This account has a password; change it with /auth/change-password.",
                              code="password_already_set")
    await recent_sign_in.require_recent_sign_in(principal, credentials, code=body.code)
    problem = passwords.password_problem(body.new_password,
                                         user_inputs=[user["username"], store.mail_address(credentials)])
    if problem:
        raise invalid("body.new_password", problem, reason="weak_password")
    await store.patch_credentials(principal.user_id, {"password_hash": await passwords.hash_password(body.new_password),
                                                      "password_changed_at": clock.now_iso()})
    await mail.enqueue("password_added", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"]})
    return Message(message="Your account has a password now: log in with it (and your authenticator app, if any).")
