"""Deleting one's own account: re-authenticate (password, and the second factor when it is on), then the
account stops working at once (status "deleting", every session ended) and a queued job erases it
(erasure.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared import clock, errors
from shared.domain import outbox
from shared.domain.accounts import access, erasure, mail, reauth, store, two_factor
from shared.domain.accounts.documents import CredentialsDoc, UserDoc
from shared.domain.accounts.login import end_all_access
from shared.domain.accounts.models import DeleteAccountBody, Deletion
from shared.ports import BatchOp

if TYPE_CHECKING:
    from shared.domain.identity import Principal

MAX_ATTEMPTS = 5


async def check_delete_account(principal: Principal, body: DeleteAccountBody) -> Deletion:
    user, credentials = await access.access_own_account(principal)
    await reauth.require_password(principal.user_id, credentials, body.password)
    if two_factor.is_enabled(credentials):
        await two_factor.require_second_factor(principal.user_id, credentials, body.code)
    await do_schedule_deletion(user, credentials)
    return Deletion(status="scheduled", message="Your account is deleted; its content is being removed now.")


async def do_schedule_deletion(user: UserDoc, credentials: CredentialsDoc) -> None:
    """The status change and the outbox document that queues the erasure and the farewell mail go in one batch,
    so a deleted account is always erased, even when the queue was down at that moment."""
    now = clock.now_iso()
    farewell, _ = mail.mail_effect("account_deleted", store.mail_address(credentials),
                                   lang=(user.get("preferences") or {}).get("language", "en"),
                                   params={"username": user["username"]})
    for _ in range(MAX_ATTEMPTS):
        changed: dict[str, Any] = {k: v for k, v in user.items() if not k.startswith("_")}
        changed.update(status="deleting", deletion_requested_at=now, updated_at=now)
        try:
            await outbox.write(store.USERS, user["id"], [BatchOp("replace", doc=changed, if_match=user.get("_etag"))],
                               [erasure.erasure_effect(user["id"]), farewell])
            break
        except errors.PreconditionFailed:  # a profile edit came first: delete what the account is now
            fresh = await store.get_user(user["id"])
            if fresh is None:
                raise errors.NotFound("Account not found.", code="user_not_found") from None
            user = fresh
    else:
        raise errors.Conflict("The account keeps changing; try again.", code="concurrent_update")
    await end_all_access(user["id"], reason="account deleted")
