"""Realtime group names, what each group carries, and the access-marker group that guards it.

A *scope* is the thing whose access a group depends on: `topic:<id>` for a topic's group and every post group
of that topic (a post id carries its topic id), `room:<id>` for a chat room's group, `call:<id>` for a call's.
Every scope has a *guard* group (`access_topic_<id>`, ...). A connection is put in a group and in the guard
group of the group's scope together, and every event to the group is sent with the filter "also in the
guard group". Taking a user's connections out of the guard is therefore enough to stop every event of that
scope reaching them, even for a group whose removal is still in flight or was missed: no stale grant leaks.

Clients can never join any group by themselves (their tokens carry no group roles); only the app adds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["topic", "room", "call"]
# What a client may ask to join (the `join` event); user_ groups come with the client URL, guards never.
JOINABLE_GROUP = r"^(topic|post|chat_room)_[A-Za-z0-9_-]{1,100}$"
_JOINABLE = re.compile(JOINABLE_GROUP)


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def guard(self) -> str:
        return f"access_{self.kind}_{self.id}"


def user_group(user_id: str) -> str:
    return f"user_{user_id}"


def topic_group(topic_id: str) -> str:
    return f"topic_{topic_id}"


def post_group(post_id: str) -> str:
    return f"post_{post_id}"


def chat_room_group(room_id: str) -> str:
    return f"chat_room_{room_id}"


def call_group(call_id: str) -> str:
    return f"voip_{call_id}"


def is_joinable(group: str) -> bool:
    return bool(_JOINABLE.match(group))


def scope_of(group: str) -> Scope | None:
    """The scope a group's events belong to; None for groups no access decision guards (user_<id>)."""
    from shared.domain.communities.content_ids import topic_of_post
    from shared.errors import NotFound

    if group.startswith("topic_"):
        return Scope("topic", group.removeprefix("topic_"))
    if group.startswith("post_"):
        try:
            return Scope("topic", topic_of_post(group.removeprefix("post_")))
        except NotFound:  # a malformed post id: no topic, so no connection may receive it
            return Scope("topic", "-")
    if group.startswith("chat_room_"):
        return Scope("room", group.removeprefix("chat_room_"))
    if group.startswith("voip_"):
        return Scope("call", group.removeprefix("voip_"))
    return None


def guard_of(group: str) -> str | None:
    scope = scope_of(group)
    return scope.guard if scope is not None else None
