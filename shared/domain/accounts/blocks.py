"""Blocking other users. A block is a document in `blocks` (pk = blocker, id = blocked user), so blocking twice
is the same document and needs no guard.

Other areas ask `is_blocked(blocker, blocked)` before delivering one user's messages or
notifications to another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared import clock, errors
from shared.domain import cursors
from shared.domain.accounts import access, profiles, store, views
from shared.domain.accounts.documents import block_docs
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.models import UserCard, UserCardPage
from shared.ports import Query

if TYPE_CHECKING:
    from shared.domain.identity import Principal


async def check_block(principal: Principal, user_id: str) -> UserCard:
    if user_id == principal.user_id:
        raise invalid("path.user_id", "You cannot block yourself.", reason="self")
    target = await access.access_user_profile(user_id)
    await block_docs.upsert({"id": user_id, "pk": principal.user_id, "blocker_id": principal.user_id,
                             "blocked_id": user_id, "created_at": clock.now_iso()})
    from shared.domain.voip import calls  # a block ends the pair's call at once

    await calls.on_blocked(principal.user_id, user_id)
    from shared.domain.dm import presence  # and hides presence both ways

    await presence.on_blocked(principal.user_id, user_id)
    return await views.card(target)


async def check_unblock(principal: Principal, user_id: str) -> None:
    try:
        await block_docs.delete(principal.user_id, user_id)
    except errors.NotFound:
        raise errors.NotFound("You have not blocked this user.", code="block_not_found") from None


async def check_list_blocked(principal: Principal, *, limit: int, cursor: str | None) -> UserCardPage:
    scope = f"blocks:{principal.user_id}"
    page = await profiles.paged_query(block_docs, Query(order_by=[("created_at", "desc")]), pk=principal.user_id,
                                      limit=limit, cursor=cursor, scope=scope)
    users = await store.get_users([doc["id"] for doc in page.items])
    cards = [await views.card(users[doc["id"]]) for doc in page.items if doc["id"] in users]
    return UserCardPage(items=cards, next_cursor=cursors.next_cursor(scope, page.continuation))


async def is_blocked(blocker_id: str, blocked_id: str) -> bool:
    try:
        await block_docs.read(blocker_id, blocked_id)
        return True
    except errors.NotFound:
        return False

