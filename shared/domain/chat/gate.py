"""What the message code needs to know about a conversation, decided elsewhere: the access gate as a protocol.

messages.py, reactions.py and read_state.py work on any conversation (a room now, direct messages later); the
caller's area checks access first and hands them a `ConversationGate` that says what the caller may do there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from shared.domain.chat.documents import MessageDoc
    from shared.domain.outbox import Effect


class ConversationGate(Protocol):
    @property
    def conversation_id(self) -> str: ...

    @property
    def viewer_id(self) -> str | None: ...

    @property
    def realtime_group(self) -> str:
        """Where the conversation's events go (e.g. chat_room_<id>)."""
        ...

    @property
    def new_message_event(self) -> str:
        """The event type of a new message (new_chat_room_message for rooms)."""
        ...

    def may_moderate(self) -> bool:
        """May remove other people's messages (with a reason)."""
        ...

    def require_poster(self) -> None:
        """Raises unless the caller may send, react or edit here."""
        ...

    async def anonymous_name(self, use_anonymous: bool) -> str | None:
        """The alias to post under, None to post under the username; raises when anonymity is not allowed."""
        ...

    async def effects(self, message: MessageDoc) -> tuple[list[Effect], dict[str, Any]]:
        """What must follow the send (outbox steps written in the message's own batch), and hints for them."""
        ...

    async def on_sent(self, message: MessageDoc) -> None:
        """After a message was stored (the conversation's activity)."""
        ...

    async def on_removed(self, message: MessageDoc, reason: str, by: str) -> None:
        """After a moderator removed a message (the moderation log)."""
        ...
