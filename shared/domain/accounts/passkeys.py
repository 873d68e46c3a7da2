"""Passkeys: adding one (signed in recently, or as a passwordless sign-up's first factor), listing, renaming and
removing them, and signing in with one, alone or as the second factor after the password.

Rules (docs/accounts.md, "Passkeys"):
- Every ceremony's challenge is single use, bound to the session, the pending-login token, the enrolment token or
  the ceremony token it was issued for, and expires after passkey_challenges.CHALLENGE_SECONDS.
- User verification is required; origins and the relying-party id come from settings.
- A credential id belongs to one account (passkey_store.claim_credential creates its lookup document first).
- One answer, `passkey_invalid`, for every assertion that does not verify: unknown credential, wrong account, bad
  signature, wrong origin, expired or reused challenge (`passkey_challenge_invalid` when the ceremony is gone).
- The sign counter must grow whenever either side has one. A verified assertion whose counter does not is a
  cloned authenticator (or a replay of an old assertion): refused, and the passkey is suspended, marked with a
  clone warning the owner sees in the list and admins through /api/admin/users/{id}/passkeys, the owner is mailed
  and a warning is logged for operators. A suspended passkey never signs in again; the owner removes it.
- The backup-eligible flag is fixed at registration: an assertion that changes it is refused.
- An account without a password keeps at least one way in: its last active passkey cannot be removed unless it
  has an authenticator app.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from shared import clock, errors, wiring
from shared.domain.accounts import (
    access,
    codes,
    limits,
    mail,
    passkey_challenges,
    passkey_store,
    recent_sign_in,
    secrets_box,
    store,
    two_factor,
    webauthn_ceremony,
)
from shared.domain.accounts.documents import CloneWarningDoc, PasskeyDoc, PasskeyFields, UserDoc
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.login import (
    PENDING_LOGIN_MAX_FAILURES,
    PENDING_PURPOSE,
    Client,
    LoginOutcome,
    start_session,
)
from shared.domain.accounts.passkey_models import (
    KNOWN_TRANSPORTS,
    AuthenticationCredential,
    CloneWarning,
    PasskeyAuthOptionsBody,
    PasskeyAuthVerifyBody,
    PasskeyInfo,
    PasskeyPage,
    PasskeyRegistered,
    PasskeyRegisterOptionsBody,
    PasskeyRegisterVerifyBody,
    PasskeyRenameBody,
    WebAuthnOptions,
)
from shared.ports import Where

if TYPE_CHECKING:
    from shared.domain.identity import Principal

log = logging.getLogger("topicsflow.accounts.passkeys")

DEFAULT_NAME = "Passkey"
DELETE_LOCK_SECONDS = 10


def _refused() -> errors.Unauthorized:
    return errors.Unauthorized("This passkey could not be verified.", code="passkey_invalid")


def _ceremony_gone() -> errors.Unauthorized:
    return errors.Unauthorized("This passkey request has expired or was used already; start again.",
                               code="passkey_challenge_invalid")


def _language(user: UserDoc) -> str:
    return (user.get("preferences") or {}).get("language", "en")


def user_handle(user_id: str) -> bytes:
    """The WebAuthn user handle: the account id's 16 bytes (random, public already, and no personal data)."""
    return bytes.fromhex(user_id)


def info(doc: PasskeyDoc) -> PasskeyInfo:
    warning = doc.get("clone_warning")
    return PasskeyInfo(id=doc["id"], credential_id=doc["credential_id"], name=doc.get("name") or DEFAULT_NAME,
                       created_at=doc["created_at"], last_used_at=doc.get("last_used_at"),
                       device_type="multi_device" if doc.get("backup_eligible") else "single_device",
                       backed_up=bool(doc.get("backed_up")), transports=list(doc.get("transports") or []),
                       status=doc.get("status", "active"),
                       clone_warning=CloneWarning(**warning) if warning else None)


# ---------------------------------------------------------------------------------------------------------
# adding a passkey


async def check_register_options(principal: Principal | None, body: PasskeyRegisterOptionsBody) -> WebAuthnOptions:
    from shared.domain.accounts import passwordless

    if principal is None:
        if body.enrolment_token is None:
            raise errors.Unauthorized()
        user, _credentials = await passwordless.enrolment_account(body.enrolment_token)
        purpose, binding = "enrol", secrets_box.token_hash(body.enrolment_token)
    else:
        if body.enrolment_token is not None:
            raise invalid("body.enrolment_token", "Signed in already: leave the enrolment token out.",
                          reason="unexpected")
        user, credentials = await access.access_own_account(principal)
        await recent_sign_in.require_recent_sign_in(principal, credentials, password=body.password, code=body.code)
        purpose, binding = "register", principal.sid
    existing = await passkey_store.list_passkeys(user["id"])
    if len(existing) >= passkey_store.MAX_PASSKEYS_PER_ACCOUNT:
        raise errors.Conflict(f"An account can have {passkey_store.MAX_PASSKEYS_PER_ACCOUNT} passkeys; remove one "
                              "first.", code="passkey_limit_reached")
    challenge = await passkey_challenges.issue(purpose, binding, data={"user_id": user["id"]})
    options = webauthn_ceremony.registration_options(
        challenge=challenge, user_handle=user_handle(user["id"]), user_name=user["username"],
        display_name=user.get("display_name") or user["username"],
        exclude=[webauthn_ceremony.b64url_decode(doc["credential_id"]) for doc in existing])
    return WebAuthnOptions(options=options, expires_in=passkey_challenges.CHALLENGE_SECONDS)


async def check_register_verify(principal: Principal | None, body: PasskeyRegisterVerifyBody,
                                client: Client) -> tuple[PasskeyRegistered, LoginOutcome | None]:
    """Adds the passkey. For a passwordless sign-up's first factor this also finishes the sign-up: backup codes
    and a session come back too."""
    from shared.domain.accounts import passwordless

    if principal is None:
        if body.enrolment_token is None:
            raise errors.Unauthorized()
        user, credentials = await passwordless.enrolment_account(body.enrolment_token)
        taken = await passkey_challenges.take("enrol", secrets_box.token_hash(body.enrolment_token))
    else:
        if body.enrolment_token is not None:
            raise invalid("body.enrolment_token", "Signed in already: leave the enrolment token out.",
                          reason="unexpected")
        user, credentials = await access.access_own_account(principal)
        taken = await passkey_challenges.take("register", principal.sid)
    if taken is None or taken[1].get("user_id") != user["id"]:
        raise _ceremony_gone()
    challenge, _data = taken
    try:
        registered = webauthn_ceremony.verify_registration(
            body.credential.model_dump(exclude={"authenticatorAttachment"}), challenge=challenge)
    except webauthn_ceremony.CeremonyFailed as failed:
        log.info("a passkey registration did not verify: %s", failed)
        raise invalid("body.credential", "This passkey could not be verified; try again.",
                      code="passkey_invalid") from None
    doc = await _store_passkey(user["id"], registered, name=body.name,
                               transports=body.credential.response.transports)
    if principal is None:
        codes_shown, outcome = await passwordless.finish_enrolment(body.enrolment_token or "", user, credentials,
                                                                   client, token_mode=body.token)
        return PasskeyRegistered(passkey=info(doc), backup_codes=codes_shown, login=outcome.result), outcome
    await mail.enqueue("passkey_added", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"], "name": doc["name"]})
    return PasskeyRegistered(passkey=info(doc)), None


async def _store_passkey(user_id: str, registered: webauthn_ceremony.Registered, *, name: str | None,
                         transports: list[str]) -> PasskeyDoc:
    key = passkey_store.credential_key(registered.credential_id)
    try:
        await passkey_store.claim_credential(key, user_id)
    except errors.Conflict:
        raise errors.Conflict("This passkey is registered already.", code="passkey_exists") from None
    now = clock.now_iso()
    doc: PasskeyDoc = {"id": key, "pk": user_id, "user_id": user_id,
           "credential_id": webauthn_ceremony.b64url(registered.credential_id),
           "public_key": webauthn_ceremony.b64url(registered.public_key), "sign_count": registered.sign_count,
           "aaguid": registered.aaguid, "backup_eligible": registered.backup_eligible,
           "backed_up": registered.backed_up, "transports": sorted({t for t in transports if t in KNOWN_TRANSPORTS}),
           "name": name or DEFAULT_NAME, "user_handle": webauthn_ceremony.b64url(user_handle(user_id)),
           "status": "active", "clone_warning": None, "created_at": now, "last_used_at": None}
    try:
        return await passkey_store.create_passkey(doc)
    except Exception:
        await passkey_store.release_credential(key, user_id)
        raise


# ---------------------------------------------------------------------------------------------------------
# the caller's passkeys


async def check_list_passkeys(principal: Principal) -> PasskeyPage:
    await access.access_own_account(principal)
    return PasskeyPage(items=[info(doc) for doc in await passkey_store.list_passkeys(principal.user_id)])


async def check_rename_passkey(principal: Principal, passkey_id: str, body: PasskeyRenameBody) -> PasskeyInfo:
    await access.access_own_account(principal)
    await _own_passkey(principal.user_id, passkey_id)
    return info(await passkey_store.patch_passkey(principal.user_id, passkey_id, {"name": body.name}))


async def check_delete_passkey(principal: Principal, passkey_id: str) -> None:
    user, credentials = await access.access_own_account(principal)
    # One removal at a time per account, so two concurrent ones cannot both see "another way in is left".
    lock = f"passkey-removal:{principal.user_id}"
    if not await wiring.kv().set(lock, "1", ttl_seconds=DELETE_LOCK_SECONDS, only_if_absent=True):
        raise errors.Conflict("Another passkey is being removed; try again in a moment.", code="passkey_busy")
    try:
        passkey = await _own_passkey(principal.user_id, passkey_id)
        fresh = await store.get_credentials(principal.user_id) or credentials  # read under the lock
        if passkey.get("status") == "active" and not recent_sign_in.has_password(fresh) \
                and not two_factor.is_enabled(fresh) \
                and await passkey_store.count_active(principal.user_id) <= 1:
            raise errors.Conflict("This is your only way to sign in: add another passkey or an authenticator app "
                                  "first.", code="last_sign_in_method")
        await passkey_store.delete_passkey(principal.user_id, passkey_id)
    finally:
        await wiring.kv().delete(lock)
    await mail.enqueue("passkey_removed", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"], "name": passkey.get("name") or DEFAULT_NAME})


async def _own_passkey(user_id: str, passkey_id: str) -> PasskeyDoc:
    """The caller's passkey; anyone else's answers 404 like one that does not exist."""
    doc = await passkey_store.get_passkey(user_id, passkey_id)
    if doc is None:
        raise errors.NotFound("Passkey not found.", code="passkey_not_found")
    return doc


async def check_admin_list_passkeys(principal: Principal, user_id: str) -> PasskeyPage:
    access.access_admin(principal)
    if await store.get_user(user_id) is None:
        raise errors.NotFound("User not found.", code="user_not_found")
    return PasskeyPage(items=[info(doc) for doc in await passkey_store.list_passkeys(user_id)])


# ---------------------------------------------------------------------------------------------------------
# signing in


async def check_auth_options(body: PasskeyAuthOptionsBody) -> WebAuthnOptions:
    if body.pending_token is None:
        # A passkey alone: no account is named (discoverable credentials), so nothing here tells whether an
        # account exists or has passkeys. The ceremony token binds the challenge to this client.
        ceremony = secrets.token_urlsafe(32)
        challenge = await passkey_challenges.issue("login", secrets_box.token_hash(ceremony))
        options = webauthn_ceremony.authentication_options(challenge=challenge, allow=[])
        return WebAuthnOptions(options=options, pending_token=ceremony,
                               expires_in=passkey_challenges.CHALLENGE_SECONDS)
    pending = await codes.peek_token(PENDING_PURPOSE, body.pending_token)
    if pending is None:
        raise errors.Unauthorized("This sign-in attempt has expired; log in again.", code="pending_login_invalid")
    active = [doc for doc in await passkey_store.list_passkeys(pending["user_id"]) if doc.get("status") == "active"]
    if not active:
        raise errors.Conflict("This account has no passkey; use the authenticator app.", code="no_passkey")
    challenge = await passkey_challenges.issue("second-factor", secrets_box.token_hash(body.pending_token),
                                               data={"user_id": pending["user_id"]})
    allow = [(webauthn_ceremony.b64url_decode(doc["credential_id"]), list(doc.get("transports") or []))
             for doc in active]
    options = webauthn_ceremony.authentication_options(challenge=challenge, allow=allow)
    return WebAuthnOptions(options=options, pending_token=body.pending_token,
                           expires_in=passkey_challenges.CHALLENGE_SECONDS)


async def check_auth_verify(body: PasskeyAuthVerifyBody, client: Client) -> LoginOutcome:
    pending = await codes.peek_token(PENDING_PURPOSE, body.pending_token)
    if pending is not None:
        return await _second_factor(body, pending, client)
    taken = await passkey_challenges.take("login", secrets_box.token_hash(body.pending_token))
    if taken is None:
        raise _ceremony_gone()
    user_id = await verify_assertion(body.credential, challenge=taken[0])
    user = await store.get_user(user_id)
    credentials = await store.get_credentials(user_id)
    if user is None or credentials is None or user.get("status") in ("deleting", "pending"):
        raise _refused()
    if user.get("status") == "banned":
        raise errors.Forbidden("This account is banned.", code="account_banned",
                               details={"reason": (user.get("ban") or {}).get("reason")})
    return await start_session(user, credentials, client, token_mode=body.token)


async def _second_factor(body: PasskeyAuthVerifyBody, pending: dict[str, Any], client: Client) -> LoginOutcome:
    user_id = pending["user_id"]
    taken = await passkey_challenges.take("second-factor", secrets_box.token_hash(body.pending_token))
    if taken is None or taken[1].get("user_id") != user_id:
        raise _ceremony_gone()
    await limits.ensure_available(limits.SECOND_FACTOR_FAILURES, user_id)
    try:
        await verify_assertion(body.credential, challenge=taken[0], expected_user=user_id)
    except errors.Unauthorized:
        await limits.spend(limits.SECOND_FACTOR_FAILURES, user_id)
        await codes.count_token_failure(PENDING_PURPOSE, body.pending_token, max_failures=PENDING_LOGIN_MAX_FAILURES)
        raise
    if await codes.consume_token(PENDING_PURPOSE, body.pending_token) is None:
        raise errors.Unauthorized("This sign-in attempt has expired; log in again.", code="pending_login_invalid")
    user = await store.get_user(user_id)
    credentials = await store.get_credentials(user_id)
    if user is None or credentials is None or user.get("status") != "active":
        raise _refused()
    return await start_session(user, credentials, client, token_mode=bool(pending.get("token_mode")))


async def verify_assertion(credential: AuthenticationCredential, *, challenge: bytes,
                           expected_user: str | None = None) -> str:
    """The account the assertion signs in, once it verified and its counter moved on; Unauthorized otherwise."""
    try:
        raw_id = webauthn_ceremony.b64url_decode(credential.rawId)
    except ValueError:
        raise _refused() from None
    key = passkey_store.credential_key(raw_id)
    owner = await passkey_store.owner_of(key)
    if owner is None or (expected_user is not None and owner != expected_user):
        raise _refused()
    passkey = await passkey_store.get_passkey(owner, key)
    if passkey is None:
        raise _refused()
    if credential.response.userHandle is not None and credential.response.userHandle.rstrip("=") != \
            passkey["user_handle"]:
        raise _refused()
    try:
        asserted = webauthn_ceremony.verify_authentication(
            credential.model_dump(exclude={"authenticatorAttachment"}), challenge=challenge,
            public_key=webauthn_ceremony.b64url_decode(passkey["public_key"]))
    except webauthn_ceremony.CeremonyFailed as failed:
        log.info("a passkey assertion did not verify: %s", failed)
        raise _refused() from None
    # From here on the response is genuine: whoever sent it holds the passkey's private key.
    if passkey.get("status") != "active":
        raise _suspended()
    if asserted.backup_eligible != bool(passkey.get("backup_eligible")):
        log.warning("a passkey changed its backup eligibility; refused (user %s, passkey %s)", owner, key[:12])
        raise _refused()
    stored = int(passkey.get("sign_count") or 0)
    if (stored > 0 or asserted.sign_count > 0) and asserted.sign_count <= stored:
        await _report_clone(passkey, presented=asserted.sign_count)
    changes: PasskeyFields = {"sign_count": asserted.sign_count, "backed_up": asserted.backed_up,
                              "last_used_at": clock.now_iso()}
    try:
        # The condition makes the counter check and the update one step: of two assertions racing with the same
        # counter, one moves it and the other is the clone it looks like.
        await passkey_store.patch_passkey(owner, key, changes, condition=[
            Where("status", "=", "active"), *([Where("sign_count", "<", asserted.sign_count)]
                                              if asserted.sign_count > 0 else [])])
    except errors.PreconditionFailed:
        fresh = await passkey_store.get_passkey(owner, key)
        if fresh is None or fresh.get("status") != "active":
            raise _suspended() from None
        await _report_clone(fresh, presented=asserted.sign_count)
    return owner


def _suspended() -> errors.Unauthorized:
    return errors.Unauthorized("This passkey is suspended because it may have been copied. Sign in another way and "
                               "check your passkeys.", code="passkey_suspended")


async def _report_clone(passkey: PasskeyDoc, *, presented: int) -> None:
    """Suspends the passkey, records why, and tells the owner and the operators. Always raises."""
    user_id, key = passkey["user_id"], passkey["id"]
    warning: CloneWarningDoc = {"at": clock.now_iso(), "stored_sign_count": int(passkey.get("sign_count") or 0),
                                "presented_sign_count": presented}
    try:
        await passkey_store.patch_passkey(user_id, key, {"status": "suspended", "clone_warning": warning},
                                          condition=[Where("status", "=", "active")])
    except errors.PreconditionFailed:
        raise _suspended() from None  # suspended by a concurrent request, which reported it
    log.warning("passkey_clone_suspected: a sign count went backwards; the passkey is suspended "
                "(user %s, passkey %s, stored %d, presented %d)", user_id, key[:12], warning["stored_sign_count"],
                presented)
    user = await store.get_user(user_id)
    credentials = await store.get_credentials(user_id)
    if user is not None and credentials is not None:
        await mail.enqueue("passkey_clone_suspected", store.mail_address(credentials), lang=_language(user),
                           params={"username": user["username"], "name": passkey.get("name") or DEFAULT_NAME})
    raise _suspended()
