"""What the client endpoint and the REST data plane share: the state, the access keys, the upstream."""

from __future__ import annotations

from dataclasses import dataclass

from devhost.hub.state import Connection, HubState
from devhost.hub.upstream import EventContext, Upstream


@dataclass
class HubService:
    state: HubState
    access_keys: list[str]
    upstream: Upstream

    def context(self, connection: Connection) -> EventContext:
        return EventContext(connection.hub.name, connection.id, connection.user_id, connection.subprotocol,
                            connection.connection_state)

    async def connection_ended(self, connection: Connection, reason: str) -> None:
        """The non-blocking `disconnected` event, sent once a connection has ended for good."""
        if self.upstream.config.wants_system("disconnected"):
            await self.upstream.notify(self.context(connection), "disconnected", {"reason": reason})
