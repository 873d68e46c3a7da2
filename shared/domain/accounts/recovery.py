"""Changing a password (signed in, current password required) and resetting a forgotten one (by mail).

Forgot-password answers the same whether or not the address has an account; either way the address gets a mail
(a reset link, or a note that no account uses it), so even the work done is alike. A reset token is 256 random
bits, stored as its hash, works once, expires after RESET_TOKEN_MINUTES, and only the newest one works.
A change ends every other session; a reset ends them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from shared import clock, wiring
from shared.domain.accounts import access, codes, limits, mail, passwords, reauth, registration, rules, store
from shared.domain.accounts.documents import CredentialFields, UserDoc
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.login import end_all_access
from shared.domain.accounts.models import ChangePasswordBody, Message, ResetPasswordBody
from shared.domain.realtime.connections import close_user_connections
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.domain.identity import Principal

RESET_TOKEN_MINUTES = 30
RESET_PURPOSE = "password-reset"
FORGOT_ANSWER = "If an account uses this address, a reset link is on its way. Check your inbox."


def _language(user: UserDoc | None) -> str:
    return ((user or {}).get("preferences") or {}).get("language", "en")


async def _set_password(user_id: str, password: str, *, email_verified: bool | None = None) -> None:
    changes: CredentialFields = {"password_hash": await passwords.hash_password(password),
                                 "password_changed_at": clock.now_iso()}
    if email_verified is not None:  # a reset link reached the inbox: the address works
        changes["email_verified"] = email_verified
    await store.patch_credentials(user_id, changes)


async def check_change_password(principal: Principal, body: ChangePasswordBody) -> Message:
    user, credentials = await access.access_own_account(principal)
    await reauth.require_password(principal.user_id, credentials, body.current_password,
                                  field="body.current_password")
    problem = passwords.password_problem(body.new_password,
                                         user_inputs=[user["username"], store.mail_address(credentials)])
    if problem:
        raise invalid("body.new_password", problem, reason="weak_password")
    await _set_password(principal.user_id, body.new_password)
    ended = await wiring.sessions().end_all_for_user(principal.user_id, keep_token_hash=principal.token_hash)
    # Every connection closes, this device's too: its client negotiates again with the session that stays.
    await close_user_connections(principal.user_id, reason="password changed")
    await mail.enqueue("password_changed", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"]})
    return Message(message=f"Password changed; {ended} other session(s) were signed out.")


async def check_forgot_password(email: str) -> Message:
    if not await limits.take(limits.MAILS_PER_ADDRESS, registration.address_key(email)):
        return Message(message=FORGOT_ANSWER)
    user_id = await store.lookup("email", rules.normalize_email(email))
    user = await store.get_user(user_id) if user_id else None
    credentials = await store.get_credentials(user_id) if user_id else None
    if user is None or credentials is None or user.get("status") == "deleting":
        await mail.enqueue("password_reset_unknown", email)
        return Message(message=FORGOT_ANSWER)
    if not credentials.get("password_hash"):
        # The mailbox alone must not give a passwordless account a password: that would be a way in weaker than
        # its passkey or authenticator app. Its recovery takes a backup code as well (passwordless.py).
        await mail.enqueue("password_reset_passwordless", store.mail_address(credentials), lang=_language(user),
                           params={"username": user["username"]})
        return Message(message=FORGOT_ANSWER)
    token = await codes.issue_token(RESET_PURPOSE, {"user_id": user_id}, ttl_seconds=RESET_TOKEN_MINUTES * 60,
                                    one_per=user_id)
    link = f"{get_settings().public_base_url.rstrip('/')}/reset-password?token={quote(token)}"
    await mail.enqueue("password_reset", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"], "token": token, "link": link,
                               "minutes": RESET_TOKEN_MINUTES})
    return Message(message=FORGOT_ANSWER)


async def check_reset_password(body: ResetPasswordBody) -> Message:
    pending = await codes.peek_token(RESET_PURPOSE, body.token)
    user_id = (pending or {}).get("user_id")
    user = await store.get_user(user_id) if user_id else None
    credentials = await store.get_credentials(user_id) if user_id else None
    if not user_id or user is None or credentials is None or user.get("status") == "deleting" \
            or not credentials.get("password_hash"):
        raise invalid("body.token", "This reset link is invalid or has expired; ask for a new one.",
                      code="invalid_token")
    # Check the new password before using the token up, so a refused password does not cost the link.
    problem = passwords.password_problem(body.new_password,
                                         user_inputs=[user["username"], store.mail_address(credentials)])
    if problem:
        raise invalid("body.new_password", problem, reason="weak_password")
    if await codes.consume_token(RESET_PURPOSE, body.token) is None:
        raise invalid("body.token", "This reset link is invalid or has expired; ask for a new one.",
                      code="invalid_token")
    # Reading the mail proves the address, so a pending sign-up becomes a verified one.
    await _set_password(user_id, body.new_password, email_verified=True)
    if user.get("status") == "pending":
        await store.patch_user(user_id, {"status": "active"})
    await end_all_access(user_id, reason="password reset")
    await mail.enqueue("password_changed", store.mail_address(credentials), lang=_language(user),
                       params={"username": user["username"]})
    return Message(message="Your password was reset. Log in with the new one.")

