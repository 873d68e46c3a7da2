"""Who may see or touch an account, a session or a profile: the one place these decisions are made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import errors, wiring
from shared.domain.accounts import store
from shared.domain.accounts.documents import CredentialsDoc, UserDoc

if TYPE_CHECKING:
    from shared.domain.accounts.sessions import Session
    from shared.domain.identity import Principal

VISIBLE_STATUSES = frozenset({"active"})


async def access_own_account(principal: Principal) -> tuple[UserDoc, CredentialsDoc]:
    """The caller's user and credentials documents. A session whose account is gone or disabled is refused
    (sessions are ended on ban and deletion; this covers the moment in between)."""
    user = await store.get_user(principal.user_id)
    credentials = await store.get_credentials(principal.user_id)
    if user is None or credentials is None or user.get("status") != "active":
        raise errors.Unauthorized("This session is no longer valid.", code="session_invalid")
    return user, credentials


async def access_user_profile(user_id: str) -> UserDoc:
    """A profile anyone may look at: only accounts that finished sign-up and are not banned or being deleted.
    The rest answer 404 exactly like ids that never existed."""
    user = await store.get_user(user_id)
    if user is None or user.get("status") not in VISIBLE_STATUSES:
        raise errors.NotFound("User not found.", code="user_not_found")
    return user


async def access_user_by_username(username: str) -> UserDoc:
    from shared.domain.accounts import rules

    user_id = await store.lookup("username", rules.normalize_username(username))
    if user_id is None:
        raise errors.NotFound("User not found.", code="user_not_found")
    user = await access_user_profile(user_id)
    if user.get("username_lower") != rules.normalize_username(username):
        raise errors.NotFound("User not found.", code="user_not_found")
    return user


async def access_own_session(principal: Principal, session_id: str) -> Session:
    """One of the caller's own sessions; anyone else's answers 404 (a session id is not proof of anything,
    but whether it exists is none of the caller's business)."""
    for session in await wiring.sessions().list_for_user(principal.user_id):
        if session.sid == session_id:
            return session
    raise errors.NotFound("Session not found.", code="session_not_found")


def access_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise errors.Forbidden("Administrators only.", code="admin_required")
