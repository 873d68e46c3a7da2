"""Typing indicators: the user events `typing_start` / `typing_stop` with exactly one of {topic_id}, {room_id}
or {other_user_id}, relayed to that place's group (or the partner's user group) without the sender's
connections, as `user_typing` (with `expires_in`, set by the server: a client that vanishes stops "typing" by
itself) and `user_stop_typing`.

Only for places the sender may write to (the same checks as sending there: a topic's contribution rule, a
room's poster rule, a DM's block, ban and privacy rules). Rate-limited per connection (typing_events_per_10s).
In a topic, `use_anonymous: true` sends the caller's alias only (never the user id), where the topic allows it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared import wiring
from shared.domain.identity import Principal
from shared.domain.realtime.groups import chat_room_group, guard_of, topic_group, user_group
from shared.errors import RateLimited
from shared.realtime_filters import both, in_group, negate, user_filter
from shared.settings import get_settings

ID = r"^[A-Za-z0-9_-]{1,200}$"
USER_ID = r"^[0-9a-f]{32}$"


class TypingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic_id: str | None = Field(default=None, pattern=ID)
    room_id: str | None = Field(default=None, pattern=ID)
    other_user_id: str | None = Field(default=None, pattern=USER_ID)
    use_anonymous: bool = False

    @model_validator(mode="after")
    def _one_place(self) -> TypingRequest:
        if sum(v is not None for v in (self.topic_id, self.room_id, self.other_user_id)) != 1:
            raise ValueError("give exactly one of topic_id, room_id and other_user_id")
        return self


class TypingAnswer(BaseModel):
    event: str
    relayed: bool
    expires_in: int | None


async def _limit(connection_id: str) -> None:
    decision = await wiring.kv().hit_window(f"rl:typing:conn:{connection_id}",
                                            limit=get_settings().typing_events_per_10s, window_seconds=10)
    if not decision.allowed:
        raise RateLimited("Too many typing events; slow down.", code="typing_rate_limited")


async def _place(principal: Principal, request: TypingRequest) -> tuple[str, dict[str, object]]:
    """(group, fields that say where and who) after the sender's write access there was checked."""
    who: dict[str, object] = {"user_id": principal.user_id, "username": principal.username,
                              "display_name": principal.username, "is_anonymous": False}
    if request.other_user_id is not None:
        from shared.domain.dm.access import sending_gate
        from shared.domain.dm.containers import conversation_id
        from shared.domain.dm.documents import conversation_docs

        conv = conversation_id(principal.user_id, request.other_user_id)
        started = await conversation_docs.find(request.other_user_id, conv) is not None
        await sending_gate(principal, request.other_user_id, has_conversation=started)
        return user_group(request.other_user_id), {**who, "other_user_id": principal.user_id,
                                                   "conversation_id": conv}
    if request.room_id is not None:
        from shared.domain.chat.access import access_room

        access = await access_room(principal, request.room_id)
        access.require_poster()
        return chat_room_group(request.room_id), {**who, "room_id": request.room_id}
    topic_id = request.topic_id or ""
    from shared.domain.communities.access import access_topic_for_contribution
    from shared.domain.communities.posts import alias_if_anonymous

    access = await access_topic_for_contribution(principal, topic_id)
    alias = await alias_if_anonymous(access, principal.user_id, request.use_anonymous)
    if alias is not None:
        who = {"user_id": None, "username": None, "display_name": alias, "is_anonymous": True}
    return topic_group(topic_id), {**who, "topic_id": topic_id}


async def relay(principal: Principal, connection_id: str, data: object, *, start: bool) -> TypingAnswer:
    request = TypingRequest.model_validate(data)
    await _limit(connection_id)
    group, fields = await _place(principal, request)
    event = "user_typing" if start else "user_stop_typing"
    expires = get_settings().typing_expires_seconds if start else None
    payload = {**fields, **({"expires_in": expires} if start else {})}
    guard = guard_of(group)
    not_me = negate(user_filter(principal.user_id))
    await wiring.realtime().send_to_group(group, {"type": event, "data": payload},
                                          filter=both(in_group(guard), not_me) if guard is not None else not_me)
    return TypingAnswer(event="typing_started" if start else "typing_stopped", relayed=True, expires_in=expires)


__all__ = ["TypingAnswer", "TypingRequest", "relay"]
