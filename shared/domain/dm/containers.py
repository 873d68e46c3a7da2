"""Names of the containers direct messages own and the ids inside them (docs/dm.md).

dm_conversations  pk = user id   id = conversation id   that side's summary of the conversation: the partner,
                                                         the last message, unread count, read marker, muted-until,
                                                         hidden (one document per side: a list is one query on the
                                                         caller's partition, never a scan of the messages)
dm_hidden         pk = user id   id = message id        "deleted for me" (restore deletes it)
dm_settings       pk = id = user id                     who may start a conversation, read receipts on or off
dm_reports        pk = reporter  id = message id        one report per reporter and message, with a snapshot

The messages themselves live in chat's `messages` container under the conversation id, so ids, anchors,
edits, reactions and idempotency are chat's. A conversation id names its pair: "dm_<smaller id>_<larger id>"
(a self-conversation "dm_<id>_<id>"), so who belongs to it needs no read.
"""

from __future__ import annotations

import re

from shared.errors import NotFound

CONVERSATIONS = "dm_conversations"
HIDDEN = "dm_hidden"
SETTINGS = "dm_settings"
REPORTS = "dm_reports"

USER_ID = re.compile(r"^[0-9a-f]{32}$")
_CONVERSATION = re.compile(r"^dm_([0-9a-f]{32})_([0-9a-f]{32})$")


def conversation_not_found() -> NotFound:
    return NotFound("Conversation not found.", code="conversation_not_found")


def conversation_id(a: str, b: str) -> str:
    low, high = sorted((a, b))
    return f"dm_{low}_{high}"


def pair_of(conversation: str) -> tuple[str, str] | None:
    match = _CONVERSATION.match(conversation)
    if match is None or match.group(1) > match.group(2):
        return None
    return match.group(1), match.group(2)


def partner_in(conversation: str, user_id: str) -> str | None:
    """The other side of a conversation the user belongs to (themselves for a self-conversation); None when the
    user is not in it or the id is not a conversation's."""
    pair = pair_of(conversation)
    if pair is None or user_id not in pair:
        return None
    return pair[1] if pair[0] == user_id else pair[0]
