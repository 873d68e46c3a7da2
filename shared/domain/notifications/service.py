"""Creating, listing, reading and expiring notifications.

Storage (docs/data-model.md):
- `notifications`, pk = user id. The id says what caused the notification ("mention_<item id>",
  "reply_<comment id>", "comment_<comment id>"), so a cause notifies a user at most once however often it is
  processed (a retried queue message, an edit that keeps the mention): the second create is a Conflict.
  Each document carries `ttl` (seconds; Cosmos DB deletes it) and `expires_at`; the SQLite store keeps expired
  ones until the purge timer, so every read also filters on `expires_at`.
- `notification_state`, pk = id = user id: `read_before`. "Read all" moves this watermark instead of writing
  every notification, so it costs one write however many are unread.
"""

from __future__ import annotations

from datetime import timedelta

from shared import clock, wiring
from shared.domain import cursors, events
from shared.domain.notifications.documents import (
    NOTIFICATION_STATE,
    NOTIFICATIONS,
    NotificationData,
    NotificationDoc,
    notification_docs,
    notification_state_docs,
)
from shared.domain.notifications.models import (
    Actor,
    NotificationPage,
    NotificationPublic,
    NotificationType,
    ReadAllResult,
    UnreadCount,
)
from shared.domain.purging import delete_partition
from shared.errors import Conflict, NotFound, PreconditionFailed
from shared.ports import Patch, Query, Where

TTL_SECONDS = 90 * 86_400
PURGE_PAGE = 200


def notification_not_found() -> NotFound:
    return NotFound("Notification not found.", code="notification_not_found")


def _data(data: NotificationData) -> dict[str, str]:
    shown: dict[str, str] = {}
    if "topic_id" in data:
        shown["topic_id"] = data["topic_id"]
    if "post_id" in data:
        shown["post_id"] = data["post_id"]
    if "comment_id" in data:
        shown["comment_id"] = data["comment_id"]
    if "room_id" in data:
        shown["room_id"] = data["room_id"]
    if "message_id" in data:
        shown["message_id"] = data["message_id"]
    return shown


def present(doc: NotificationDoc, read_before: str | None) -> NotificationPublic:
    read = bool(doc.get("read")) or (read_before is not None and doc["created_at"] <= read_before)
    actor = doc.get("actor")
    return NotificationPublic(id=doc["id"], type=doc["type"], title=doc["title"], message=doc["message"],
                              data=_data(doc.get("data") or {}), actor=Actor(**actor) if actor else None, read=read,
                              created_at=doc["created_at"], expires_at=doc["expires_at"])


async def notify(user_id: str, notification_id: str, type: NotificationType, *, title: str, message: str,
                 data: NotificationData, actor: Actor | None) -> NotificationDoc | None:
    """Creates the notification unless this cause already notified this user; publishes `new_notification`
    to the user's group after the write. Returns the document, or None when it already existed."""
    moment = clock.now()
    doc: NotificationDoc = {
        "id": notification_id, "pk": user_id, "user_id": user_id, "type": type, "title": title, "message": message,
        "data": data, "read": False,
        "actor": {"display_name": actor.display_name, "anonymous": actor.anonymous, "user_id": actor.user_id,
                  "username": actor.username} if actor else None,
           "created_at": clock.iso(moment), "expires_at": clock.iso(moment + timedelta(seconds=TTL_SECONDS)),
           "ttl": TTL_SECONDS}
    try:
        created = await notification_docs.create(doc)
    except Conflict:
        return None
    await events.publish_to_user(user_id, "new_notification", present(created, None).model_dump(mode="json"))
    return created


async def _read_before(user_id: str) -> str | None:
    try:
        state = await notification_state_docs.read(user_id, user_id)
    except NotFound:
        return None
    return state.get("read_before")


def _unread_where(now: str, read_before: str | None) -> list[Where]:
    where = [Where("expires_at", ">", now), Where("read", "=", False)]
    if read_before is not None:
        where.append(Where("created_at", ">", read_before))
    return where


async def list_notifications(user_id: str, *, limit: int, cursor: str | None, unread_only: bool) -> NotificationPage:
    scope = f"notifications:{user_id}:{int(unread_only)}"
    if cursor:
        # The time and watermark the first page used: filter values must not change between pages.
        position = cursors.decode(scope, cursor)
        now, read_before, continuation = position.get("now"), position.get("rb"), position.get("c")
        if not isinstance(now, str) or not isinstance(continuation, str):
            raise cursors.invalid_cursor()
    else:
        now, read_before, continuation = clock.now_iso(), await _read_before(user_id), None
    where = _unread_where(now, read_before) if unread_only else [Where("expires_at", ">", now)]
    page = await notification_docs.query(Query(where=where, order_by=[("created_at", "desc")]), pk=user_id,
                                         limit=limit, continuation=continuation)
    next_cursor = None
    if page.continuation:
        next_cursor = cursors.encode(scope, {"now": now, "rb": read_before, "c": page.continuation})
    return NotificationPage(items=[present(doc, read_before) for doc in page.items], next_cursor=next_cursor)


async def unread_count(user_id: str) -> UnreadCount:
    read_before = await _read_before(user_id)
    count = await notification_docs.count(_unread_where(clock.now_iso(), read_before), pk=user_id)
    return UnreadCount(count=count)


async def mark_read(user_id: str, notification_id: str) -> NotificationPublic:
    try:
        doc = await notification_docs.patch(user_id, notification_id, [Patch("set", "/read", True)],
                                            condition=[Where("expires_at", ">", clock.now_iso())])
    except (NotFound, PreconditionFailed):  # a failed condition: expired, only awaiting the purge
        raise notification_not_found() from None
    return present(doc, None)


async def mark_all_read(user_id: str) -> ReadAllResult:
    moment = clock.now_iso()
    await notification_state_docs.upsert({"id": user_id, "pk": user_id, "read_before": moment})
    return ReadAllResult(read_before=moment)


async def delete_notification(user_id: str, notification_id: str) -> None:
    try:
        await wiring.documents().delete(NOTIFICATIONS, user_id, notification_id)
    except NotFound:
        raise notification_not_found() from None


async def purge_expired() -> int:
    """Deletes notifications past their expiry (Cosmos DB does it by `ttl`; the SQLite store needs this)."""
    docs = wiring.documents()
    now = clock.now_iso()
    purged = 0
    while True:
        page = await docs.query(NOTIFICATIONS, Query(where=[Where("expires_at", "<=", now)]), limit=PURGE_PAGE)
        for doc in page.items:
            try:
                await docs.delete(NOTIFICATIONS, doc["pk"], doc["id"])
                purged += 1
            except NotFound:
                continue
        if len(page.items) < PURGE_PAGE:
            return purged


async def erase_user(user_id: str) -> None:
    """Account erasure: the user's notifications and read state go."""
    await delete_partition(NOTIFICATIONS, user_id)
    try:
        await wiring.documents().delete(NOTIFICATION_STATE, user_id, user_id)
    except NotFound:
        pass
