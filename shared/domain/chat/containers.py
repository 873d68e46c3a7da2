"""Names of the containers chat owns and the ids inside them (docs/chat.md, docs/data-model.md).

chat_rooms        pk = topic id (topic conversation) or the room id (group chat)     the room, with its counters
room_names        pk = id = "n_" + sha256(scope + casefolded name)                     name reservations (409)
room_members      pk = room id      "member:<uid>", "ban:<uid>" (field `kind`)        membership and ban edges
user_rooms        pk = user id      id = room id (kind "member"), "mute:<room id>"    my rooms; my mutes
room_invitations  pk = invitee id   id = "rinv_<room id>"                             one invitation per user and room
room_log          pk = room id      id = "<time>.<12 hex>"                            the moderation log
messages          pk = conversation id   messages "<conversation id>_m<seq, 10 digits>", the counter "counter",
                                         idempotency markers "idem:<digest>", edit history "<message id>.v<n>"
reactions         pk = message id   id = "<emoji as hex>:<uid>"                       one per user and emoji
read_markers      pk = user id      id = conversation id                              read up to seq; mentions
message_reports   pk = conversation id   id = "<message id>.<reporter id>"            one report per user and message

Room ids say where the room lives, so every read is a point read:
    topic conversation  "<topic id>_r<12 hex>", the built-in one "<topic id>_general"  (pk = topic id)
    group chat          "grp<20 hex>"                                                    (pk = the room id)
"""

from __future__ import annotations

import hashlib
import re
import secrets

from shared.errors import NotFound

ROOMS = "chat_rooms"
ROOM_NAMES = "room_names"
ROOM_MEMBERS = "room_members"
USER_ROOMS = "user_rooms"
ROOM_INVITATIONS = "room_invitations"
ROOM_LOG = "room_log"
MESSAGES = "messages"
REACTIONS = "reactions"
READ_MARKERS = "read_markers"
MESSAGE_REPORTS = "message_reports"

GENERAL = "general"
COUNTER_ID = "counter"
_TOPIC_TAIL = re.compile(r"^(general|r[0-9a-f]{12})$")
_GROUP_ID = re.compile(r"^grp[0-9a-f]{20}$")
_MESSAGE_TAIL = re.compile(r"^m([0-9]{10})$")
MAX_ID_LENGTH = 200


def room_not_found() -> NotFound:
    return NotFound("Chat room not found.", code="room_not_found")


def message_not_found() -> NotFound:
    return NotFound("Message not found.", code="message_not_found")


def new_topic_room_id(topic_id: str) -> str:
    return f"{topic_id}_r{secrets.token_hex(6)}"


def general_room_id(topic_id: str) -> str:
    return f"{topic_id}_{GENERAL}"


def new_group_room_id() -> str:
    return f"grp{secrets.token_hex(10)}"


def room_partition(room_id: str) -> tuple[str, str | None]:
    """(pk, topic id or None) of a room id; NotFound `room_not_found` for anything that is not one."""
    if not isinstance(room_id, str) or len(room_id) > MAX_ID_LENGTH:
        raise room_not_found()
    if _GROUP_ID.match(room_id):
        return room_id, None
    topic_id, _, tail = room_id.rpartition("_")
    if topic_id and _TOPIC_TAIL.match(tail):
        return topic_id, topic_id
    raise room_not_found()


def message_id(conversation_id: str, seq: int) -> str:
    return f"{conversation_id}_m{seq:010d}"


def split_message_id(value: str) -> tuple[str, int]:
    """(conversation id, seq) of a message id; NotFound `message_not_found` for anything else."""
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH + 12:
        raise message_not_found()
    conversation_id, _, tail = value.rpartition("_")
    match = _MESSAGE_TAIL.match(tail)
    if not conversation_id or match is None:
        raise message_not_found()
    return conversation_id, int(match.group(1))


def name_key(scope: str, name: str) -> str:
    return "n_" + hashlib.sha256(f"{scope}\x1f{' '.join(name.casefold().split())}".encode()).hexdigest()


def member_id(user_id: str) -> str:
    return f"member:{user_id}"


def ban_id(user_id: str) -> str:
    return f"ban:{user_id}"


def mute_doc_id(room_id: str) -> str:
    return f"mute:{room_id}"


def invitation_id(room_id: str) -> str:
    return f"rinv_{room_id}"


def emoji_key(emoji: str) -> str:
    return emoji.encode().hex()


def emoji_of(key: str) -> str:
    return bytes.fromhex(key).decode()
