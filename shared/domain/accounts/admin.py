"""Administrators and site bans.

Nothing reachable over HTTP makes anyone an administrator: `python -m shared.cli.admin` (run by an operator with
the app's settings) creates or promotes one. Admins may ban and unban users; a ban ends every session at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import clock, errors, wiring
from shared.domain.accounts import access, passwords, registration, rules, store
from shared.domain.accounts.documents import UserDoc
from shared.domain.accounts.models import BanBody, BanResult

if TYPE_CHECKING:
    from shared.domain.identity import Principal


async def do_create_admin(username: str, email: str, password: str) -> str:
    """A ready-to-use (verified, active) administrator account; returns its id."""
    for problem in (rules.username_problem(username), rules.email_problem(email),
                    passwords.password_problem(password, user_inputs=[username, email])):
        if problem:
            raise errors.ValidationFailed(problem)
    user_id = store.new_user_id()
    await store.claim("username", rules.normalize_username(username), user_id)
    try:
        await store.claim("email", rules.normalize_email(email), user_id)
    except errors.Conflict:
        await store.release("username", rules.normalize_username(username), user_id)
        raise
    await registration.do_create_account(user_id, username=username, email=email,
                                         password_hash=await passwords.hash_password(password), status="active",
                                         email_verified=True, is_admin=True)
    return user_id


async def do_set_admin(identifier: str, is_admin: bool) -> UserDoc:
    """Promotes (or demotes) the account with this username, email or id; live sessions follow at once."""
    user_id = await store.find_user_id(identifier) or identifier
    user = await store.get_user(user_id)
    if user is None or user.get("status") == "deleting":
        raise errors.NotFound("No such account.", code="user_not_found")
    updated = await store.patch_user(user_id, {"is_admin": is_admin})
    await wiring.sessions().refresh_identity(user_id, username=updated["username"], is_admin=is_admin)
    return updated


async def do_ban_user(user_id: str, *, reason: str, by: str | None = None) -> int:
    """Bans the account and ends all its sessions; returns how many were ended."""
    from shared.domain.accounts.login import end_all_access

    await store.patch_user(user_id, {"status": "banned",
                                     "ban": {"reason": reason, "by": by, "at": clock.now_iso()}})
    return await end_all_access(user_id, reason="banned")


async def do_unban_user(user_id: str) -> None:
    await store.patch_user(user_id, {"status": "active", "ban": None})


async def _ban_target(principal: Principal, user_id: str) -> UserDoc:
    access.access_admin(principal)
    user = await store.get_user(user_id)
    if user is None or user.get("status") not in ("active", "banned"):
        raise errors.NotFound("User not found.", code="user_not_found")
    if user_id == principal.user_id or user.get("is_admin"):
        raise errors.Forbidden("Administrators cannot be banned; demote them first.", code="cannot_ban_admin")
    return user


async def check_ban_user(principal: Principal, user_id: str, body: BanBody, *,
                         report_id: str | None = None) -> BanResult:
    await _ban_target(principal, user_id)
    ended = await do_ban_user(user_id, reason=body.reason, by=principal.user_id)
    await _audit(principal, "site.ban", user_id, body.reason, report_id=report_id)
    return BanResult(user_id=user_id, banned=True, sessions_ended=ended)


async def check_unban_user(principal: Principal, user_id: str) -> BanResult:
    await _ban_target(principal, user_id)
    await do_unban_user(user_id)
    await _audit(principal, "site.unban", user_id, None)
    return BanResult(user_id=user_id, banned=False)


async def _audit(principal: Principal, action: str, user_id: str, reason: str | None, *,
                 report_id: str | None = None) -> None:
    from shared.domain.moderation import audit_log
    from shared.domain.moderation.places import SITE_PLACE

    await audit_log.record(principal, action, place=SITE_PLACE, target_kind="user", target_id=user_id,
                           target_user_id=user_id, reason=reason, report_id=report_id)
