"""Logging in (password, then the second factor when it is on), logging out, and the session list.

Every login path costs one argon2 verify, including for identifiers no account uses, and answers the same
`invalid_credentials` for a wrong password and an unknown account. Failed attempts spend from the account's
budget (see limits.py: per device for clients that logged in before, shared for all others); unknown
identifiers get a budget of their own, so throttling behaves identically whether or not the account exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from shared import clock, errors, wiring
from shared.domain import cursors
from shared.domain.accounts import (
    access,
    codes,
    limits,
    passkey_store,
    passwords,
    rules,
    secrets_box,
    store,
    two_factor,
    views,
)
from shared.domain.accounts.documents import CredentialsDoc, UserDoc
from shared.domain.accounts.models import (
    CurrentSession,
    LoginBody,
    LoginResult,
    LoginTwoFactorBody,
    SessionInfo,
    SessionPage,
    WhoAmI,
)
from shared.domain.accounts.sessions import Session

if TYPE_CHECKING:
    from shared.domain.identity import Principal

log = logging.getLogger("topicsflow.accounts")

PENDING_LOGIN_SECONDS = 5 * 60
PENDING_LOGIN_MAX_FAILURES = 5
PENDING_PURPOSE = "pending-login"
INVALID_CREDENTIALS = "The username, email or password is wrong."


@dataclass(frozen=True)
class Client:
    """What the HTTP layer knows about the caller."""

    ip: str
    user_agent: str = ""
    device_token: str | None = None


@dataclass
class LoginOutcome:
    result: LoginResult
    token: str | None = None  # set when a session started
    session: Session | None = None
    token_mode: bool = False
    device_token: str | None = None


def _invalid_credentials() -> errors.Unauthorized:
    return errors.Unauthorized(INVALID_CREDENTIALS, code="invalid_credentials")


def _account_key(identifier: str, user_id: str | None) -> str:
    if user_id is not None:
        return user_id
    normalized = rules.normalize_email(identifier) if rules.looks_like_email(identifier) \
        else rules.normalize_username(identifier)
    return "unknown-" + secrets_box.keyed_hash("identifier", normalized)[:32]


login_account_key = _account_key  # the budget key, shared with the passwordless login


async def check_login(body: LoginBody, client: Client) -> LoginOutcome:
    user_id = await store.find_user_id(body.identifier)
    account_key = _account_key(body.identifier, user_id)
    device = limits.device_nonce(client.device_token, user_id) if user_id else None
    budget, subject = limits.login_failure_budget(account_key, device)
    await limits.ensure_available(budget, subject)

    credentials = await store.get_credentials(user_id) if user_id else None
    stored_hash = credentials.get("password_hash") if credentials else None
    # verify_password does the same hashing work without a stored hash, so unknown accounts take as long.
    verified = await passwords.verify_password(stored_hash, body.password)
    if not verified or user_id is None or credentials is None or stored_hash is None:
        await limits.spend(budget, subject)
        raise _invalid_credentials()
    user = await store.get_user(user_id)
    if user is None or user.get("status") == "deleting":
        raise _invalid_credentials()
    # Past this point the caller knows the password, so telling them about the account's state reveals nothing.
    if user.get("status") == "pending" or not credentials.get("email_verified"):
        raise errors.Forbidden("Confirm your email address first; we can send a new code.",
                               code="email_not_verified")
    if user.get("status") == "banned":
        raise errors.Forbidden("This account is banned.", code="account_banned",
                               details={"reason": (user.get("ban") or {}).get("reason")})
    if passwords.needs_rehash(stored_hash):
        await store.patch_credentials(user_id, {"password_hash": await passwords.hash_password(body.password)})

    if two_factor.is_enabled(credentials):
        pending = await codes.issue_token(PENDING_PURPOSE, {"user_id": user_id, "token_mode": body.token},
                                          ttl_seconds=PENDING_LOGIN_SECONDS)
        factors: list[Literal["totp", "passkey"]] = ["totp"]
        if await passkey_store.count_active(user_id):
            factors.append("passkey")
        return LoginOutcome(LoginResult(two_factor_required=True, pending_token=pending,
                                        pending_expires_in=PENDING_LOGIN_SECONDS, second_factors=factors),
                            token_mode=body.token)
    return await start_session(user, credentials, client, token_mode=body.token)


async def check_login_second_factor(body: LoginTwoFactorBody, client: Client) -> LoginOutcome:
    pending = await codes.peek_token(PENDING_PURPOSE, body.pending_token)
    if pending is None:
        raise errors.Unauthorized("This sign-in attempt has expired; log in again.", code="pending_login_invalid")
    user_id = pending["user_id"]
    await limits.ensure_available(limits.SECOND_FACTOR_FAILURES, user_id)
    credentials = await store.get_credentials(user_id)
    if credentials is None or not await two_factor.verify_second_factor(user_id, credentials, body.code):
        await limits.spend(limits.SECOND_FACTOR_FAILURES, user_id)
        burnt = await codes.count_token_failure(PENDING_PURPOSE, body.pending_token,
                                                max_failures=PENDING_LOGIN_MAX_FAILURES)
        raise errors.Unauthorized("The code is wrong or was used already." +
                                  (" Log in again." if burnt else ""), code="invalid_code",
                                  details={"field": "body.code", "login_restart_required": burnt})
    if await codes.consume_token(PENDING_PURPOSE, body.pending_token) is None:
        raise errors.Unauthorized("This sign-in attempt has expired; log in again.", code="pending_login_invalid")
    user = await store.get_user(user_id)
    if user is None or user.get("status") != "active":
        raise _invalid_credentials()
    return await start_session(user, credentials, client, token_mode=bool(pending.get("token_mode")))


async def start_session(user: UserDoc, credentials: CredentialsDoc, client: Client, *,
                        token_mode: bool) -> LoginOutcome:
    """A brand-new session (ASVS v5 7.2.4: a new token at every login)."""
    token, session = await wiring.sessions().create(user_id=user["id"], username=user["username"],
                                                    is_admin=bool(user.get("is_admin")), ip=client.ip,
                                                    user_agent=client.user_agent)
    await store.patch_credentials(user["id"], {"last_login_at": clock.now_iso()})
    device_token = client.device_token if limits.device_nonce(client.device_token, user["id"]) else \
        limits.issue_device_token(user["id"])
    result = LoginResult(user=await views.me(user, credentials),
                         session=current_session(session, via="token" if token_mode else "cookie"),
                         token=token if token_mode else None, device_token=device_token)
    return LoginOutcome(result, token=token, session=session, token_mode=token_mode, device_token=device_token)


def current_session(session: Session, *, via: Literal["cookie", "token"]) -> CurrentSession:
    return CurrentSession(id=session.sid, expires_at=clock.from_timestamp(session.absolute_expires_at),
                          idle_timeout_seconds=wiring.sessions().idle, via=via,
                          csrf_token=session.csrf if via == "cookie" else None)


async def check_whoami(principal: Principal, *, via_cookie: bool) -> WhoAmI:
    user, credentials = await access.access_own_account(principal)
    session = await access.access_own_session(principal, principal.sid)
    from shared.domain.moderation.warnings import active_warnings

    return WhoAmI(user=await views.me(user, credentials),
                  session=current_session(session, via="cookie" if via_cookie else "token"),
                  active_warnings=await active_warnings(principal.user_id))


async def check_logout(principal: Principal) -> None:
    """Ends this session and closes the realtime connections it opened; the user's other devices stay."""
    from shared.domain.realtime.connections import close_session_connections

    await wiring.sessions().end_by_hash(principal.user_id, principal.token_hash, principal.sid)
    await close_session_connections(principal.sid, reason="signed out")


async def check_logout_all(principal: Principal) -> int:
    return await end_all_access(principal.user_id, reason="signed out everywhere")


async def end_all_access(user_id: str, *, reason: str) -> int:
    """Ends every session and closes every realtime connection of the account (whose client URLs would
    otherwise stay valid until they expire). A realtime failure is logged: the sessions are what matter."""
    from shared.domain.realtime.connections import close_user_connections

    ended = await wiring.sessions().end_all_for_user(user_id)
    await close_user_connections(user_id, reason=reason)
    return ended


async def check_list_sessions(principal: Principal, *, limit: int, cursor: str | None) -> SessionPage:
    scope = f"sessions:{principal.user_id}"
    start = cursors.decode(scope, cursor).get("o") if cursor else 0
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        raise cursors.invalid_cursor()
    sessions = await wiring.sessions().list_for_user(principal.user_id)
    page = sessions[start:start + limit]
    items = [SessionInfo(**s.public(), current=s.token_hash == principal.token_hash) for s in page]
    more = start + limit < len(sessions)
    return SessionPage(items=items, next_cursor=cursors.encode(scope, {"o": start + limit}) if more else None)


async def check_end_session(principal: Principal, session_id: str) -> None:
    from shared.domain.realtime.connections import close_session_connections

    session = await access.access_own_session(principal, session_id)
    await wiring.sessions().end(session)
    await close_session_connections(session.sid, reason="session ended")
