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
from typing import Any, Literal

from shared import clock, errors, wiring
from shared.ports import Patch, Query, Where

PASSKEYS = "passkeys"
PASSKEY_IDS = "passkey_ids"
MAX_PASSKEYS_PER_ACCOUNT = 20  # one page lists them all

PasskeyStatus = Literal["active", "suspended"]


def credential_key(raw_credential_id: bytes) -> str:
    return hashlib.sha256(raw_credential_id).hexdigest()


async def claim_credential(key: str, user_id: str) -> None:
    """Makes the credential this account's; Conflict when any account (this one included) holds it already."""
    await wiring.documents().create(PASSKEY_IDS, {"id": key, "pk": key, "user_id": user_id,
                                                  "created_at": clock.now_iso()})


async def release_credential(key: str, user_id: str) -> None:
    documents = wiring.documents()
    try:
        existing = await documents.read(PASSKEY_IDS, key, key)
        if existing["user_id"] == user_id:
            await documents.delete(PASSKEY_IDS, key, key, if_match=existing["_etag"])
    except (errors.NotFound, errors.PreconditionFailed):
        pass


async def owner_of(key: str) -> str | None:
    try:
        return (await wiring.documents().read(PASSKEY_IDS, key, key))["user_id"]
    except errors.NotFound:
        return None


async def create_passkey(doc: dict[str, Any]) -> dict[str, Any]:
    return await wiring.documents().create(PASSKEYS, doc)


async def get_passkey(user_id: str, key: str) -> dict[str, Any] | None:
    try:
        return await wiring.documents().read(PASSKEYS, user_id, key)
    except errors.NotFound:
        return None


async def list_passkeys(user_id: str) -> list[dict[str, Any]]:
    """All of the account's passkeys, oldest first (at most MAX_PASSKEYS_PER_ACCOUNT, so one query)."""
    page = await wiring.documents().query(PASSKEYS, Query(order_by=[("created_at", "asc")]), pk=user_id,
                                          limit=MAX_PASSKEYS_PER_ACCOUNT + 5)
    return page.items


async def count_active(user_id: str) -> int:
    return await wiring.documents().count(PASSKEYS, [Where("status", "=", "active")], pk=user_id)


async def patch_passkey(user_id: str, key: str, changes: dict[str, Any], *,
                        condition: list[Where] | None = None) -> dict[str, Any]:
    ops = [Patch("set", f"/{name}", value) for name, value in changes.items()]
    return await wiring.documents().patch(PASSKEYS, user_id, key, ops, condition=condition or ())


async def delete_passkey(user_id: str, key: str) -> None:
    try:
        await wiring.documents().delete(PASSKEYS, user_id, key)
    except errors.NotFound:
        pass
    await release_credential(key, user_id)


async def erase_user_passkeys(user_id: str) -> None:
    """The eraser of an account's passkeys (idempotent; registered in functions/auth/__init__.py)."""
    while True:
        page = await wiring.documents().query(PASSKEYS, Query(), pk=user_id, limit=100)
        for doc in page.items:
            await delete_passkey(user_id, doc["id"])
        if not page.items:
            break
