"""Where account data lives (docs/accounts.md has the table), and the small reads and writes on it.

- `users` (pk = id = user id): the profile: username, display name, bio, images, preferences, status, is_admin.
- `credentials` (pk = id = user id): email, password hash, two-factor secret and backup-code hashes. Never
  returned as it is; kept apart so that a profile read can never leak a secret.
- `usernames` / `emails` (pk = id = the normalized value): {user_id}. Created *before* the account documents:
  the store's create-if-absent on one id is the uniqueness check, so two sign-ups cannot both win.
- `blocks` (pk = blocker id, id = blocked user id).

A lookup document left behind by a crash (its owner gone, or owning another value now) is taken over after
STALE_LOOKUP_SECONDS; younger ones may belong to a change still in flight.
"""

from __future__ import annotations

import time
import uuid
from typing import Literal

from shared import clock, errors
from shared.domain.accounts.documents import (  # noqa: F401  (the container names, re-exported)
    BLOCKS,
    CREDENTIALS,
    EMAILS,
    USERNAMES,
    USERS,
    CredentialFields,
    CredentialsDoc,
    LookupDoc,
    UserDoc,
    UserFields,
    UserStatus,
    credential_docs,
    email_docs,
    user_docs,
    username_docs,
)
from shared.domain.stored import Container

STALE_LOOKUP_SECONDS = 300

LookupKind = Literal["username", "email"]


def new_user_id() -> str:
    return uuid.uuid4().hex


async def get_user(user_id: str) -> UserDoc | None:
    return await user_docs.find(user_id, user_id)


async def get_users(user_ids: list[str]) -> dict[str, UserDoc]:
    unique = list(dict.fromkeys(user_ids))
    if not unique:
        return {}
    docs = await user_docs.read_many([(uid, uid) for uid in unique])
    return {doc["id"]: doc for doc in docs}


async def get_credentials(user_id: str) -> CredentialsDoc | None:
    return await credential_docs.find(user_id, user_id)


def mail_address(credentials: CredentialsDoc) -> str:
    """The account's address. Only a sign-up whose address was taken has none, and nothing that mails an account
    can reach it (it is never verified, and no lookup leads to it), so none answers like a missing account."""
    email = credentials["email"]
    if email is None:
        raise errors.NotFound("User not found.", code="user_not_found")
    return email


def _lookup_container(kind: LookupKind) -> Container[LookupDoc]:
    return username_docs if kind == "username" else email_docs


def _usable_key(key: str) -> bool:
    """Whether the value can be a document id at all (what a user typed at login need not be)."""
    return 0 < len(key) <= 255 and not any(ch in key for ch in "/\\?#")


async def lookup(kind: LookupKind, key: str) -> str | None:
    """The user id holding this normalized username or email, if any."""
    if not _usable_key(key):
        return None
    try:
        doc = await _lookup_container(kind).read(key, key)
    except errors.NotFound:
        return None
    return doc["user_id"]


async def _still_owns(kind: LookupKind, key: str, user_id: str) -> bool:
    if kind == "username":
        user = await get_user(user_id)
        return user is not None and user.get("username_lower") == key
    credentials = await get_credentials(user_id)
    return credentials is not None and credentials.get("email_lower") == key


async def claim(kind: LookupKind, key: str, user_id: str) -> None:
    """Makes `key` this user's; Conflict when someone else holds it."""
    container = _lookup_container(kind)
    doc: LookupDoc = {"id": key, "pk": key, "user_id": user_id, "created_at": clock.now_iso()}
    try:
        await container.create(doc)
        return
    except errors.Conflict:
        pass
    try:
        existing = await container.read(key, key)
    except errors.NotFound:  # released in between: try once more
        await container.create(doc)
        return
    if existing["user_id"] == user_id:
        return
    young = time.time() - float(existing.get("_ts", 0)) < STALE_LOOKUP_SECONDS
    if young or await _still_owns(kind, key, existing["user_id"]):
        raise errors.Conflict(f"This {kind} is taken.", code=f"{kind}_taken")
    try:
        await container.replace(doc, if_match=existing.get("_etag"))
    except (errors.PreconditionFailed, errors.NotFound):
        raise errors.Conflict(f"This {kind} is taken.", code=f"{kind}_taken") from None


async def release(kind: LookupKind, key: str, user_id: str) -> None:
    """Deletes the lookup if (and only if) it still points at this user."""
    container = _lookup_container(kind)
    try:
        existing = await container.read(key, key)
        if existing["user_id"] == user_id:
            await container.delete(key, key, if_match=existing.get("_etag"))
    except (errors.NotFound, errors.PreconditionFailed):
        pass


async def find_user_id(identifier: str) -> str | None:
    """A user id from a username or an email address (anything with '@' is taken as an email)."""
    from shared.domain.accounts import rules

    if rules.looks_like_email(identifier):
        return await lookup("email", rules.normalize_email(identifier))
    return await lookup("username", rules.normalize_username(identifier))


async def patch_user(user_id: str, changes: UserFields, *, if_match: str | None = None) -> UserDoc:
    from shared.ports import Patch

    ops = [Patch("set", f"/{name}", value) for name, value in {**changes, "updated_at": clock.now_iso()}.items()]
    return await user_docs.patch(user_id, user_id, ops, if_match=if_match)


async def patch_credentials(user_id: str, changes: CredentialFields, *,
                            if_match: str | None = None) -> CredentialsDoc:
    from shared.ports import Patch

    ops = [Patch("set", f"/{name}", value) for name, value in {**changes, "updated_at": clock.now_iso()}.items()]
    return await credential_docs.patch(user_id, user_id, ops, if_match=if_match)
