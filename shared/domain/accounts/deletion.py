"""Deleting one's own account: re-authenticate (password, and the second factor when it is on), then the
account stops working at once (status "deleting", every session ended) and a queued job erases it
(erasure.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import clock
from shared.domain.accounts import access, erasure, mail, reauth, store, two_factor
from shared.domain.accounts.documents import CredentialsDoc, UserDoc
from shared.domain.accounts.login import end_all_access
from shared.domain.accounts.models import DeleteAccountBody, Deletion

if TYPE_CHECKING:
    from shared.domain.identity import Principal


async def check_delete_account(principal: Principal, body: DeleteAccountBody) -> Deletion:
    user, credentials = await access.access_own_account(principal)
    await reauth.require_password(principal.user_id, credentials, body.password)
    if two_factor.is_enabled(credentials):
        await two_factor.require_second_factor(principal.user_id, credentials, body.code)
    await do_schedule_deletion(user, credentials)
    return Deletion(status="scheduled", message="Your account is deleted; its content is being removed now.")


async def do_schedule_deletion(user: UserDoc, credentials: CredentialsDoc) -> None:
    await store.patch_user(user["id"], {"status": "deleting", "deletion_requested_at": clock.now_iso()})
    await end_all_access(user["id"], reason="account deleted")
    await erasure.enqueue_erasure(user["id"])
    await mail.enqueue("account_deleted", store.mail_address(credentials),
                       lang=(user.get("preferences") or {}).get("language", "en"),
                       params={"username": user["username"]})
