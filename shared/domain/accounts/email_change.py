"""Changing the account's email address: password first, then a code sent to the new address.

Whether the new address belongs to another account is not revealed to the requester: the answer is the same,
and the address gets a note instead of a code (so the change can never be confirmed). On confirmation the new
address is claimed (its lookup document) before the old one is released, and the old address is told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import errors
from shared.domain.accounts import access, codes, limits, mail, reauth, registration, rules, store, views
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.models import ChangeEmailBody, ConfirmEmailChangeBody, Me, Message

if TYPE_CHECKING:
    from shared.domain.identity import Principal

CODE_MINUTES = 30
PURPOSE = "email-change"
ANSWER = "We sent a confirmation code to the new address. Enter it to finish the change."


async def check_request_email_change(principal: Principal, body: ChangeEmailBody) -> Message:
    user, credentials = await access.access_own_account(principal)
    await reauth.require_password(principal.user_id, credentials, body.password)
    new_email = str(body.new_email)
    new_key = rules.normalize_email(new_email)
    if new_key == credentials["email_lower"]:
        raise invalid("body.new_email", "This is already your email address.", reason="unchanged")
    if not await limits.take(limits.MAILS_PER_ADDRESS, registration.address_key(new_email)):
        return Message(message=ANSWER)
    lang = (user.get("preferences") or {}).get("language", "en")
    if await store.lookup("email", new_key) is not None:
        await codes.discard_code(PURPOSE, principal.user_id)
        await mail.enqueue("email_change_taken", new_email, lang=lang)
        return Message(message=ANSWER)
    code = await codes.issue_code(PURPOSE, principal.user_id, ttl_seconds=CODE_MINUTES * 60,
                                  data={"new_email": new_email})
    await mail.enqueue("email_change_code", new_email, lang=lang,
                       params={"username": user["username"], "code": code, "minutes": CODE_MINUTES})
    return Message(message=ANSWER)


async def check_confirm_email_change(principal: Principal, body: ConfirmEmailChangeBody) -> Me:
    user, credentials = await access.access_own_account(principal)
    data = await codes.consume_code(PURPOSE, principal.user_id, body.code)
    if data is None:
        raise invalid("body.code", "The code is wrong or has expired.", code="invalid_code")
    new_email = data["new_email"]
    new_key, old_key = rules.normalize_email(new_email), credentials["email_lower"]
    try:
        await store.claim("email", new_key, principal.user_id)
    except errors.Conflict:
        raise errors.Conflict("This address was taken in the meantime.", code="email_taken") from None
    updated = await store.patch_credentials(principal.user_id, {"email": new_email, "email_lower": new_key,
                                                                "email_verified": True})
    if old_key:
        await store.release("email", old_key, principal.user_id)
    lang = (user.get("preferences") or {}).get("language", "en")
    await mail.enqueue("email_changed", store.mail_address(credentials), lang=lang,
                       params={"username": user["username"], "new_email": new_email})
    return await views.me(user, updated)
