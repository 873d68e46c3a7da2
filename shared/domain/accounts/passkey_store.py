"""Where passkeys live (docs/accounts.md has the table), and the small reads and writes on them.

- `passkey_ids` (pk = id = the credential key): `{user_id}`. Created *before* the passkey itself; the store accepts
  one create of an id, so a credential id belongs to exactly one account whatever races.
- `passkeys` (pk = user id, id = the credential key): the public key, sign counter, backup flags, name and status.
  An account's passkeys are one partition: listing and counting them is a partition query.

The credential key is the SHA-256 of the raw credential id (hex): credential ids may be up to 1023 bytes, longer than
a document id may be, and the key is also the passkey's public id in the API.
"""

from __future__ import annotations

import hashlib

from shared import clock, errors
from shared.domain.accounts.documents import PasskeyDoc, PasskeyFields, PasskeyStatus, passkey_docs, passkey_id_docs
from shared.domain.purging import delete_partition
from shared.ports import Patch, Query, Where

PASSKEYS = "passkeys"
PASSKEY_IDS = "passkey_ids"
MAX_PASSKEYS_PER_ACCOUNT = 20  # one page lists them all

__all__ = ["PasskeyStatus"]


def credential_key(raw_credential_id: bytes) -> str:
    return hashlib.sha256(raw_credential_id).hexdigest()


async def claim_credential(key: str, user_id: str) -> None:
    """Makes the credential this account's; Conflict when any account (this one included) holds it already."""
    await passkey_id_docs.create({"id": key, "pk": key, "user_id": user_id, "created_at": clock.now_iso()})


async def release_credential(key: str, user_id: str) -> None:
    try:
        existing = await passkey_id_docs.read(key, key)
        if existing["user_id"] == user_id:
            await passkey_id_docs.delete(key, key, if_match=existing.get("_etag"))
    except (errors.NotFound, errors.PreconditionFailed):
        pass


async def owner_of(key: str) -> str | None:
    try:
        return (await passkey_id_docs.read(key, key))["user_id"]
    except errors.NotFound:
        return None


async def create_passkey(doc: PasskeyDoc) -> PasskeyDoc:
    return await passkey_docs.create(doc)


async def get_passkey(user_id: str, key: str) -> PasskeyDoc | None:
    return await passkey_docs.find(user_id, key)


async def list_passkeys(user_id: str) -> list[PasskeyDoc]:
    """All of the account's passkeys, oldest first (at most MAX_PASSKEYS_PER_ACCOUNT, so one query)."""
    page = await passkey_docs.query(Query(order_by=[("created_at", "asc")]), pk=user_id,
                                    limit=MAX_PASSKEYS_PER_ACCOUNT + 5)
    return page.items


async def count_active(user_id: str) -> int:
    return await passkey_docs.count([Where("status", "=", "active")], pk=user_id)


async def patch_passkey(user_id: str, key: str, changes: PasskeyFields, *,
                        condition: list[Where] | None = None) -> PasskeyDoc:
    ops = [Patch("set", f"/{name}", value) for name, value in changes.items()]
    return await passkey_docs.patch(user_id, key, ops, condition=condition or ())


async def delete_passkey(user_id: str, key: str) -> None:
    try:
        await passkey_docs.delete(user_id, key)
    except errors.NotFound:
        pass
    await release_credential(key, user_id)


async def erase_user_passkeys(user_id: str) -> None:
    """The eraser of an account's passkeys (idempotent; registered in functions/auth/__init__.py): the credential
    lookups first (each names its owner), then the partition."""
    for doc in await list_passkeys(user_id):
        await release_credential(doc["id"], user_id)
    await delete_partition(passkey_docs.name, user_id)
