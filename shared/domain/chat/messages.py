"""Messages of any conversation: send, history by anchor, read one, edit, delete, search.

A conversation's messages share its partition of `messages` (pk = conversation id). Each takes the next `seq`
from the conversation's counter (one atomic patch), and its id is "<conversation id>_m<seq, 10 digits>", so ids
sort by time, a message id names its conversation (GET /api/messages/{id} is a point read), and an anchor needs
no read: history pages are `seq < anchor` / `seq > anchor` queries with ORDER BY seq and one extra row to say
whether more exist either way (never OFFSET). Access is decided by the caller's area and passed in as a
`ConversationGate` (gate.py), so this module knows nothing about rooms.

An idempotent send (Idempotency-Key) writes an "idem:<digest>" marker in one transactional batch with the
message: a retry that outlived the HTTP layer's claim finds the marker and answers the message it made.
Anonymous messages keep the author's id in the store only; every answer and event carries the alias alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from urllib.parse import urlsplit

from shared import clock
from shared.domain import cursors, events, outbox
from shared.domain.chat import attachments
from shared.domain.chat.attachment_models import AttachmentPublic
from shared.domain.chat.containers import (
    COUNTER_ID,
    MESSAGES,
    emoji_of,
    message_id,
    message_not_found,
    split_message_id,
)
from shared.domain.chat.documents import (
    IdempotencyMarkerDoc,
    MessageDoc,
    RevisionDoc,
    counter_docs,
    marker_docs,
    message_docs,
    revision_docs,
)
from shared.domain.chat.gate import ConversationGate
from shared.domain.chat.message_models import (
    MessageCreate,
    MessageHistoryQuery,
    MessagePage,
    MessagePublic,
    MessageReactionCount,
    MessageSearchPage,
    MessageSearchQuery,
    MessageUpdate,
)
from shared.domain.communities.people_models import UserRef
from shared.domain.identity import Principal
from shared.domain.stored import without_system_fields
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import Op, Patch, Query, SortDirection, Where
from shared.settings import get_settings

PURGE_AFTER_DAYS = 30
SEARCH_SCAN_LIMIT = 500  # messages one search request reads at most; the cursor goes on from there
SEARCH_BATCH = 100


def invalid(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": f"body.{field}", "message": message}])


# ---------------------------------------------------------------------------------------------------------
# presenting


def present(doc: MessageDoc) -> MessagePublic:
    anonymous = bool(doc.get("anonymous"))
    author = None if anonymous or not doc.get("author_id") else UserRef(id=doc["author_id"] or "",
                                                                        username=doc.get("author_username") or "")
    visible = doc.get("state", "visible") == "visible"
    reactions = [MessageReactionCount(emoji=emoji_of(key), count=count)
                 for key, count in sorted((doc.get("reactions") or {}).items()) if count > 0]
    return MessagePublic(
        id=doc["id"], conversation_id=doc["conversation_id"], seq=doc["seq"], author=author, is_anonymous=anonymous,
        display_name=(doc.get("anonymous_name") if anonymous else doc.get("author_username")) or "[deleted]",
        content=doc.get("content") if visible else None, gif_url=doc.get("gif_url") if visible else None,
        attachments=[AttachmentPublic(**a) for a in doc.get("attachments") or []] if visible else [],
        reply_to=doc.get("reply_to"), state=doc.get("state", "visible"), created_at=doc["created_at"],
        edited_at=doc.get("edited_at"), edit_count=int(doc.get("edit_count", 0)), reactions=reactions)


def event_payload(doc: MessageDoc) -> dict[str, object]:
    """What every client of the conversation receives: the public message, alias only when anonymous."""
    return present(doc).model_dump(mode="json")


# ---------------------------------------------------------------------------------------------------------
# send


def check_gif_url(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    if urlsplit(url).scheme != "https" or host not in {h.lower() for h in get_settings().chat_gif_hosts}:
        raise invalid("gif_url", "GIFs come from the GIF provider's hosts only.", "gif_host_not_allowed")
    return url


async def next_seq(conversation_id: str) -> int:
    now = clock.now_iso()
    for _ in range(5):
        try:
            doc = await counter_docs.patch(conversation_id, COUNTER_ID,
                                           [Patch("incr", "/seq", 1), Patch("set", "/last_activity", now)])
            return int(doc["seq"])
        except NotFound:
            try:
                await counter_docs.create({"id": COUNTER_ID, "pk": conversation_id, "kind": "counter", "seq": 0,
                                           "last_activity": now})
            except Conflict:
                pass
    raise Conflict("The conversation's counter could not be moved; try again.", code="concurrent_update")


def _marker_id(request_key: str) -> str:
    return "idem:" + hashlib.sha256(request_key.encode()).hexdigest()[:40]


async def _made_before(conversation_id: str, marker_id: str, principal: Principal) -> MessagePublic | None:
    marker = await marker_docs.find(conversation_id, marker_id)
    if marker is None:
        return None
    if marker.get("author_id") != principal.user_id:
        raise Conflict("A message with this key exists.", code="message_exists")
    made = await message_docs.find(conversation_id, marker["message_id"])
    return present(made) if made is not None else None


async def do_send(gate: ConversationGate, principal: Principal, body: MessageCreate, *,
                  request_key: str | None = None) -> MessagePublic:
    gate.require_poster()
    conv = gate.conversation_id
    marker_id = _marker_id(request_key) if request_key else None
    if marker_id is not None:
        made = await _made_before(conv, marker_id, principal)
        if made is not None:
            return made
    gif_url = check_gif_url(body.gif_url) if body.gif_url else None
    if body.reply_to is not None:
        await message_in(conv, body.reply_to)
    alias = await gate.anonymous_name(body.use_anonymous)
    files = [await attachments.claim(principal.user_id, a) for a in dict.fromkeys(body.attachments or [])]
    seq = await next_seq(conv)
    now = clock.now_iso()
    doc: MessageDoc = {
        "id": message_id(conv, seq), "pk": conv, "kind": "message", "conversation_id": conv, "seq": seq,
        "author_id": principal.user_id, "author_username": principal.username, "anonymous": alias is not None,
        "anonymous_name": alias, "content": body.content.strip() if body.content else None, "gif_url": gif_url,
        "reply_to": body.reply_to, "mentions": [], "reactions": {}, "state": "visible", "edit_count": 0,
        "created_at": now, "edited_at": None}
    if files:
        doc["attachments"] = [{"id": f.id, "filename": f.filename, "mime_type": f.mime_type, "size": f.size}
                              for f in files]
    ops = [message_docs.op("create", doc)]
    if marker_id is not None:
        marker: IdempotencyMarkerDoc = {"id": marker_id, "pk": conv, "kind": "idempotency", "message_id": doc["id"],
                                        "author_id": principal.user_id, "created_at": now}
        ops.append(marker_docs.op("create", marker))
    effects, hints = await gate.effects(doc)
    try:
        if effects:
            await outbox.write(MESSAGES, conv, ops, effects, source=doc["id"], hints=hints)
        else:
            await message_docs.batch(conv, ops)
    except Conflict:
        made = await _made_before(conv, marker_id, principal) if marker_id is not None else None
        if made is None:
            raise
        return made
    if files:
        await attachments.bind(conv, doc["id"], files)
    await gate.on_sent(doc)
    await events.publish(gate.realtime_group, gate.new_message_event, event_payload(doc))
    return present(doc)


# ---------------------------------------------------------------------------------------------------------
# read


async def message_in(conversation_id: str, mid: str) -> MessageDoc:
    conv, _ = split_message_id(mid)
    if conv != conversation_id:
        raise message_not_found()
    found = await message_docs.find(conversation_id, mid)
    if found is None or found.get("kind") != "message":
        raise message_not_found()
    return found


async def do_get(gate: ConversationGate, mid: str) -> MessagePublic:
    return present(await message_in(gate.conversation_id, mid))


async def _slice(conv: str, op: Op, seq: int | None, direction: SortDirection, limit: int) -> list[MessageDoc]:
    where = [Where("kind", "=", "message")]
    if seq is not None:
        where.append(Where("seq", op, seq))
    page = await message_docs.query(Query(where=where, order_by=[("seq", direction)]), pk=conv, limit=limit)
    return page.items


def _anchor(conv: str, mid: str) -> int:
    anchor_conv, seq = split_message_id(mid)
    if anchor_conv != conv:
        raise message_not_found()
    return seq


async def do_history(gate: ConversationGate, query: MessageHistoryQuery) -> MessagePage:
    conv, limit = gate.conversation_id, query.limit
    if query.around is not None:
        seq = _anchor(conv, query.around)
        older_n = limit // 2
        older = await _slice(conv, "<", seq, "desc", older_n + 1) if older_n else []
        newer = await _slice(conv, ">=", seq, "asc", limit - older_n + 1)
        has_older = len(older) > older_n or (older_n == 0 and bool(await _slice(conv, "<", seq, "desc", 1)))
        items = [*reversed(older[:older_n]), *newer[:limit - older_n]]
        return _page(items, has_older=has_older, has_newer=len(newer) > limit - older_n)
    if query.after is not None and query.before is None:
        seq = _anchor(conv, query.after)
        newer = await _slice(conv, ">", seq, "asc", limit + 1)
        has_older = bool(await _slice(conv, "<=", seq, "desc", 1))
        return _page(newer[:limit], has_older=has_older, has_newer=len(newer) > limit)
    seq = _anchor(conv, query.before) if query.before is not None else None
    older = await _slice(conv, "<", seq, "desc", limit + 1) if seq is not None else \
        await _slice(conv, "<", None, "desc", limit + 1)
    has_newer = bool(await _slice(conv, ">=", seq, "asc", 1)) if seq is not None else False
    return _page(list(reversed(older[:limit])), has_older=len(older) > limit, has_newer=has_newer)


def _page(items: Sequence[MessageDoc], *, has_older: bool, has_newer: bool) -> MessagePage:
    return MessagePage(items=[present(doc) for doc in items], has_older=has_older, has_newer=has_newer)


async def do_search(gate: ConversationGate, query: MessageSearchQuery) -> MessageSearchPage:
    """A plain, case-insensitive substring match (no pattern language reaches the store), newest first, scanning
    at most SEARCH_SCAN_LIMIT messages per request; the cursor goes on from where the scan stopped."""
    conv = gate.conversation_id
    needle = query.q.casefold()
    scope = cursors.scope("chat_search", conv, needle)
    below: int | None = None
    if query.cursor:
        position = cursors.decode(scope, query.cursor).get("below")
        if not isinstance(position, int):
            raise cursors.invalid_cursor()
        below = position
    found: list[MessageDoc] = []
    scanned = 0
    exhausted = False
    while len(found) < query.limit and scanned < SEARCH_SCAN_LIMIT:
        batch = await _slice(conv, "<", below, "desc", SEARCH_BATCH)
        if not batch:
            exhausted = True
            break
        for doc in batch:
            scanned += 1
            below = doc["seq"]
            if doc.get("state") == "visible" and needle in (doc.get("content") or "").casefold():
                found.append(doc)
                if len(found) == query.limit:
                    break
        if len(batch) < SEARCH_BATCH and below == batch[-1]["seq"]:
            exhausted = True
            break
    more = not exhausted and below is not None and below > 1
    return MessageSearchPage(items=[present(doc) for doc in found], query=query.q,
                             next_cursor=cursors.encode(scope, {"below": below}) if more else None)


# ---------------------------------------------------------------------------------------------------------
# edit and delete


async def do_edit(gate: ConversationGate, principal: Principal, mid: str, body: MessageUpdate) -> MessagePublic:
    gate.require_poster()
    for _ in range(5):
        doc = await message_in(gate.conversation_id, mid)
        if doc.get("author_id") != principal.user_id:
            raise Forbidden("Only the author may edit a message.", code="not_author")
        if doc.get("state") != "visible":
            raise Conflict("This message was deleted.", code="message_deleted")
        window = get_settings().chat_edit_window_seconds
        if (clock.now() - clock.parse(doc["created_at"])).total_seconds() > window:
            raise Forbidden("The time to edit this message has passed.", code="edit_window_passed",
                            details={"window_seconds": window})
        now = clock.now_iso()
        version = int(doc.get("edit_count", 0)) + 1
        revision: RevisionDoc = {"id": f"{mid}.v{version}", "pk": gate.conversation_id, "kind": "revision",
                                 "message_id": mid, "version": version, "content": doc.get("content"),
                                 "replaced_at": now}
        updated: MessageDoc = {**doc, "content": body.content.strip(), "edit_count": version, "edited_at": now}
        updated = without_system_fields(updated)
        try:
            await message_docs.batch(gate.conversation_id, [
                message_docs.op("replace", updated, if_match=doc.get("_etag")), revision_docs.op("create", revision)])
        except (PreconditionFailed, Conflict):
            continue
        await events.publish(gate.realtime_group, "message_updated", event_payload(updated))
        return present(updated)
    raise Conflict("The message kept changing; try again.", code="concurrent_update")


async def do_delete(gate: ConversationGate, principal: Principal, mid: str, reason: str | None) -> MessagePublic:
    """The author unsends (state "deleted"); a moderator removes someone else's message with a reason (state
    "removed", written to the moderation log). Either way the content is gone from every answer at once and the
    document is purged after PURGE_AFTER_DAYS."""
    doc = await message_in(gate.conversation_id, mid)
    own = doc.get("author_id") == principal.user_id
    if not own and not gate.may_moderate():
        raise Forbidden("Only the author or a moderator may delete this message.", code="not_author")
    if doc.get("state") != "visible":
        return present(doc)
    if not own and not reason:
        raise ValidationFailed("Say why you remove this message.", code="reason_required",
                               details=[{"field": "query.reason", "message": "required for a moderator's removal"}])
    now = clock.now_iso()
    ops = [Patch("set", "/state", "deleted" if own else "removed"), Patch("set", "/deleted_at", now),
           Patch("set", "/permanent_delete_at", clock.later_iso(days=PURGE_AFTER_DAYS))]
    if not own:
        ops.append(Patch("set", "/removal", {"by": principal.user_id, "reason": reason or "", "at": now}))
    updated = await message_docs.patch(gate.conversation_id, mid, ops)
    if not own:
        await gate.on_removed(updated, reason or "", principal.user_id)
    await events.publish(gate.realtime_group, "message_deleted", {
        "id": mid, "message_id": mid, "conversation_id": gate.conversation_id, "state": updated["state"]})
    return present(updated)


__all__ = [
    "do_delete",
    "do_edit",
    "do_get",
    "do_history",
    "do_search",
    "do_send",
    "event_payload",
    "message_in",
    "next_seq",
    "present",
]
