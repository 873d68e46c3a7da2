"""Usernames for ids, one read_many per page (never one read per row). The users container belongs to accounts."""

from __future__ import annotations

from collections.abc import Iterable

from shared.domain.accounts.documents import UserDoc, user_docs
from shared.domain.communities.people_models import UserRef
from shared.errors import NotFound

DELETED_USERNAME = "[deleted]"


async def usernames(user_ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({uid for uid in user_ids if uid})
    if not wanted:
        return {}
    docs = await user_docs.read_many([(uid, uid) for uid in wanted])
    found = {doc["id"]: doc.get("username") or DELETED_USERNAME for doc in docs}
    return {uid: found.get(uid, DELETED_USERNAME) for uid in wanted}


def ref(user_id: str | None, names: dict[str, str]) -> UserRef | None:
    return user_ref(user_id, names) if user_id else None


def user_ref(user_id: str, names: dict[str, str]) -> UserRef:
    return UserRef(id=user_id, username=names.get(user_id, DELETED_USERNAME))


async def existing_user(user_id: str) -> UserDoc:
    """The user document, or 404 `user_not_found` (also for accounts not verified yet or being deleted)."""
    try:
        doc = await user_docs.read(user_id, user_id)
    except NotFound:
        raise NotFound("User not found.", code="user_not_found") from None
    if doc.get("deleted") or doc.get("status") in ("pending", "deleting", "deleted", "deactivated"):
        raise NotFound("User not found.", code="user_not_found")
    return doc
