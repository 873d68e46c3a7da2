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
from typing import Any, Literal

from shared import clock, errors, wiring

USERS = "users"
CREDENTIALS = "credentials"
USERNAMES = "usernames"
EMAILS = "emails"
BLOCKS = "blocks"
STALE_LOOKUP_SECONDS = 300

LookupKind = Literal["username", "email"]
UserStatus = Literal["pending", "active", "banned", "deleting"]


def new_user_id() -> str:
    return uuid.uuid4().hex


async def get_user(user_id: str) -> dict[str, Any] | None:
    try:
        return await wiring.documents().read(USERS, user_id, user_id)
    except errors.NotFound:
        return None


async def get_users(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    unique = list(dict.fromkeys(user_ids))
    if not unique:
        return {}
    docs = await wiring.documents().read_many(USERS, [(uid, uid) for uid in unique])
    return {doc["id"]: doc for doc in docs}


async def get_credentials(user_id: str) -> dict[str, Any] | None:
    try:
        return await wiring.documents().read(CREDENTIALS, user_id, user_id)
    except errors.NotFound:
        return None


def _lookup_container(kind: LookupKind) -> str:
    return USERNAMES if kind == "username" else EMAILS


def _usable_key(key: str) -> bool:
    """Whether the value can be a document id at all (what a user typed at login need not be)."""
    return 0 < len(key) <= 255 and not any(ch in key for ch in "/\\?#")


async def lookup(kind: LookupKind, key: str) -> str | None:
    """The user id holding this normalized username or email, if any."""
    if not _usable_key(key):
        return None
    container = _lookup_container(kind)
    try:
        doc = await wiring.documents().read(container, key, key)
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
    documents = wiring.documents()
    container = _lookup_container(kind)
    doc = {"id": key, "pk": key, "user_id": user_id, "created_at": clock.now_iso()}
    try:
        await documents.create(container, doc)
        return
    except errors.Conflict:
        pass
    try:
        existing = await documents.read(container, key, key)
    except errors.NotFound:  # released in between: try once more
        await documents.create(container, doc)
        return
    if existing["user_id"] == user_id:
        return
    young = time.time() - float(existing.get("_ts", 0)) < STALE_LOOKUP_SECONDS
    if young or await _still_owns(kind, key, existing["user_id"]):
        raise errors.Conflict(f"This {kind} is taken.", code=f"{kind}_taken")
    try:
        await documents.replace(container, doc, if_match=existing["_etag"])
    except (errors.PreconditionFailed, errors.NotFound):
        raise errors.Conflict(f"This {kind} is taken.", code=f"{kind}_taken") from None


async def release(kind: LookupKind, key: str, user_id: str) -> None:
    """Deletes the lookup if (and only if) it still points at this user."""
    documents = wiring.documents()
    container = _lookup_container(kind)
    try:
        existing = await documents.read(container, key, key)
        if existing["user_id"] == user_id:
            await documents.delete(container, key, key, if_match=existing["_etag"])
    except (errors.NotFound, errors.PreconditionFailed):
        pass


async def find_user_id(identifier: str) -> str | None:
    """A user id from a username or an email address (anything with '@' is taken as an email)."""
    from shared.domain.accounts import rules

    if rules.looks_like_email(identifier):
        return await lookup("email", rules.normalize_email(identifier))
    return await lookup("username", rules.normalize_username(identifier))


async def patch_user(user_id: str, changes: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
    from shared.ports import Patch

    ops = [Patch("set", f"/{name}", value) for name, value in {**changes, "updated_at": clock.now_iso()}.items()]
    return await wiring.documents().patch(USERS, user_id, user_id, ops, if_match=if_match)


async def patch_credentials(user_id: str, changes: dict[str, Any], *,
                            if_match: str | None = None) -> dict[str, Any]:
    from shared.ports import Patch

    ops = [Patch("set", f"/{name}", value) for name, value in {**changes, "updated_at": clock.now_iso()}.items()]
    return await wiring.documents().patch(CREDENTIALS, user_id, user_id, ops, if_match=if_match)
