"""Sign-up and email verification.

Sign-up answers the same for a new address and for one that already has an account (status and body): the
difference goes to the address owner's inbox instead (a code, or a note that someone tried). Usernames are
public, so a taken username is simply a 409. Unverified sign-ups cannot log in and are removed after
PENDING_REGISTRATION_HOURS, which frees their username and address.

Nothing that follows tells the two cases apart either. A sign-up with a taken address writes a pending sign-up
just the same, holding its username, with the password but without any address (so it can never be verified and
reveals nobody's address); the purge removes it with the other unverified sign-ups. Had it released the username
instead, registering that username again (or logging in with it) would show that the address was taken.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from shared import clock, errors, wiring
from shared.domain.accounts import codes, limits, mail, passkey_store, passwords, rules, secrets_box, store
from shared.domain.accounts.documents import UserDoc, credential_docs, user_docs
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.models import EmailVerified, Language, Message, RegisterBody, VerifyEmailBody
from shared.ports import Query, Where

log = logging.getLogger("topicsflow.accounts")

PENDING_REGISTRATION_HOURS = 24
VERIFY_CODE_MINUTES = 30
REGISTERED = "Thanks! If this address can be used, a verification code is on its way: check your inbox."
RESENT = "If this address has an account waiting for verification, a new code is on its way."
VERIFY_PURPOSE = "verify-email"


class _EmailInUse(Exception):
    def __init__(self, owner: UserDoc | None):
        self.owner = owner


def address_key(email: str) -> str:
    """Budgets per mail address are keyed by a hash: the key-value store never holds the address itself."""
    return secrets_box.keyed_hash("address", rules.normalize_email(email))


async def check_register(body: RegisterBody) -> Message:
    problem = passwords.password_problem(body.password, user_inputs=[body.username, str(body.email)])
    if problem:
        raise invalid("body.password", problem, reason="weak_password")
    # Hash before claiming anything, so the path for a taken address does the same work as a real sign-up.
    password_hash = await passwords.hash_password(body.password)
    return await do_sign_up(username=body.username, email=str(body.email), language=body.language,
                            password_hash=password_hash)


async def do_sign_up(*, username: str, email: str, language: Language, password_hash: str | None) -> Message:
    """Claims the username and the address and creates a pending account, or (the address is taken) tells its
    owner by mail; the answer is the same. password_hash=None makes a passwordless account (passwordless.py)."""
    user_id = store.new_user_id()
    username_key = rules.normalize_username(username)
    await store.claim("username", username_key, user_id)
    try:
        await _claim_email(rules.normalize_email(email), user_id)
    except _EmailInUse as in_use:
        # The same pending sign-up as below, minus the address: it holds the username as long as a real one would.
        await do_create_account(user_id, username=username, email=None, password_hash=password_hash,
                                language=language)
        await _tell_address_owner(email, in_use.owner, language)
        return Message(message=REGISTERED)
    await do_create_account(user_id, username=username, email=email, password_hash=password_hash, language=language)
    await send_verification_code(user_id, email, username=username, language=language)
    return Message(message=REGISTERED)


async def do_create_account(user_id: str, *, username: str, email: str | None, password_hash: str | None,
                            language: Language = "en", status: store.UserStatus = "pending",
                            email_verified: bool = False,
                            is_admin: bool = False) -> None:
    """Writes the account documents; the caller has claimed the username and the email already (`email=None`:
    a sign-up whose address was taken, which can never be verified). The user document goes first: a crash
    before the credentials leaves a pending account the purge removes."""
    now = clock.now_iso()
    await user_docs.create({
        "id": user_id, "pk": user_id, "username": username, "username_lower": rules.normalize_username(username),
        "display_name": None, "bio": None, "avatar": None, "banner": None, "status": status, "is_admin": is_admin,
        "preferences": {"language": language}, "created_at": now, "updated_at": now})
    await credential_docs.create({
        "id": user_id, "pk": user_id, "email": email, "email_lower": rules.normalize_email(email) if email else None,
        "email_verified": email_verified, "password_hash": password_hash, "password_changed_at": now,
        "totp": {"enabled": False, "secret": None, "pending_secret": None, "backup_codes": []},
        "created_at": now, "updated_at": now})


async def _claim_email(email_key: str, user_id: str) -> None:
    try:
        await store.claim("email", email_key, user_id)
        return
    except errors.Conflict:
        pass
    owner_id = await store.lookup("email", email_key)
    owner = await store.get_user(owner_id) if owner_id else None
    if owner is not None and _is_stale_registration(owner):
        await discard_registration(owner)
        try:
            await store.claim("email", email_key, user_id)
            return
        except errors.Conflict:
            owner = None
    raise _EmailInUse(owner)


def _is_stale_registration(user: UserDoc) -> bool:
    if user.get("status") != "pending":
        return False
    created = clock.parse(user["created_at"])
    return clock.now() - created > timedelta(hours=PENDING_REGISTRATION_HOURS)


async def _tell_address_owner(email: str, owner: UserDoc | None, language: str) -> None:
    if not await limits.take(limits.MAILS_PER_ADDRESS, address_key(email)):
        return
    pending = owner is not None and owner.get("status") == "pending"
    lang = ((owner or {}).get("preferences") or {}).get("language") or language
    if pending:
        await mail.enqueue("register_pending", email, lang=lang, params={"hours": PENDING_REGISTRATION_HOURS})
    else:
        await mail.enqueue("register_existing", email, lang=lang)


async def send_verification_code(user_id: str, email: str, *, username: str, language: str) -> None:
    if not await limits.take(limits.MAILS_PER_ADDRESS, address_key(email)):
        return
    code = await codes.issue_code(VERIFY_PURPOSE, user_id, ttl_seconds=VERIFY_CODE_MINUTES * 60)
    await mail.enqueue("verify_email", email, lang=language,
                       params={"username": username, "code": code, "minutes": VERIFY_CODE_MINUTES})


async def check_verify_email(body: VerifyEmailBody) -> EmailVerified:
    user_id = await store.lookup("email", rules.normalize_email(body.email))
    data = await codes.consume_code(VERIFY_PURPOSE, user_id, body.code) if user_id else None
    if user_id is None or data is None:
        raise invalid("body.code", "The code is wrong or has expired.", code="invalid_code")
    credentials = await store.patch_credentials(user_id, {"email_verified": True})
    user = await store.get_user(user_id)
    if user is not None and user.get("status") == "pending":
        if not credentials.get("password_hash"):
            # A passwordless sign-up has no way in yet: it stays pending until its first factor is enrolled.
            from shared.domain.accounts import passwordless

            return await passwordless.start_enrolment(user_id)
        await store.patch_user(user_id, {"status": "active"})
    return EmailVerified(message="Your email address is confirmed. You can log in now.")


async def check_resend_verification(email: str) -> Message:
    user_id = await store.lookup("email", rules.normalize_email(email))
    user = await store.get_user(user_id) if user_id else None
    if user_id is not None and user is not None and user.get("status") == "pending":
        credentials = await store.get_credentials(user_id)
        # A passwordless sign-up that verified but never enrolled gets a code too: it leads to a new enrolment.
        if credentials is not None and (not credentials.get("email_verified") or not credentials.get("password_hash")):
            await send_verification_code(user_id, store.mail_address(credentials), username=user["username"],
                                         language=(user.get("preferences") or {}).get("language", "en"))
    return Message(message=RESENT)


async def discard_registration(user: UserDoc) -> None:
    """Removes a sign-up that was never verified (it cannot have made any content: it never logged in)."""
    user_id = user["id"]
    credentials = await store.get_credentials(user_id)
    if credentials is not None:
        if email_key := credentials.get("email_lower"):
            await store.release("email", email_key, user_id)
        await _delete_quietly(store.CREDENTIALS, user_id)
    await store.release("username", user["username_lower"], user_id)
    await codes.discard_code(VERIFY_PURPOSE, user_id)
    await passkey_store.erase_user_passkeys(user_id)  # a passwordless sign-up may have got one in before a crash
    try:
        await user_docs.delete(user_id, user_id, if_match=user.get("_etag"))
    except (errors.NotFound, errors.PreconditionFailed):
        pass


async def _delete_quietly(container: str, user_id: str) -> None:
    try:
        await wiring.documents().delete(container, user_id, user_id)
    except errors.NotFound:
        pass


async def purge_stale_registrations(limit: int = 500) -> int:
    """Removes sign-ups left unverified for longer than PENDING_REGISTRATION_HOURS (run by a daily timer)."""
    cutoff = clock.later_iso(hours=-PENDING_REGISTRATION_HOURS)
    cutoff = cutoff.replace("+00:00", "Z")
    query = Query(where=[Where("status", "=", "pending"), Where("created_at", "<", cutoff)])
    removed, continuation = 0, None
    while removed < limit:
        page = await user_docs.query(query, limit=100, continuation=continuation)
        for user in page.items:
            await discard_registration(user)
            removed += 1
        continuation = page.continuation
        if not continuation:
            break
    if removed:
        log.info("removed %d unverified sign-ups", removed)
    return removed
