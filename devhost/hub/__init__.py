"""The dev host's Web PubSub-compatible hub: client WebSockets, the REST data plane, upstream CloudEvents.

    state = HubState()
    routes = [*hub_routes(state, settings), ...]   # WebSocket /client/hubs/{hub}, REST /api/hubs/{hub}/...
    # and in the app's lifespan, after serving: await state.close()

Tests read what was sent with state.delivered(group=..., user=..., type=...), and which REST calls the hub
answered with state.rest_calls(operation=...).

Coverage and gaps against Azure: docs/realtime.md.
"""

from devhost.hub.routes import hub_routes
from devhost.hub.state import Connection, Delivery, Hub, HubState, RestCall

__all__ = ["Connection", "Delivery", "Hub", "HubState", "RestCall", "hub_routes"]
