"""hub_routes(): the Starlette routes of the dev hub, for the dev host (or a test app) to mount."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from devhost.hub.client_socket import client_endpoint
from devhost.hub.rest import rest_routes
from devhost.hub.service import HubService
from devhost.hub.state import HubState
from devhost.hub.upstream import SYSTEM_EVENTS, Upstream, UpstreamConfig
from shared.domain.realtime.signature import access_keys_from_connection_string
from shared.settings import Settings

DEFAULT_UPSTREAM_PATH = "/api/realtime/events"


def hub_routes(state: HubState, settings: Settings, *, upstream_url: str | None = "",
               user_event_pattern: str = "*", system_events: Sequence[str] = SYSTEM_EVENTS,
               validate_upstream_origin: bool = True) -> list[BaseRoute]:
    """Client WebSocket endpoints and the REST data plane, sharing `state`.

    The access key comes from `settings.webpubsub_connection_string`; clients and the SDK must use the host and
    port of its Endpoint, since tokens name them. Upstream events go to `upstream_url` ("" means
    `{public_base_url}/api/realtime/events`, None turns them off), filtered like an Azure hub's event-handler
    setting by `user_event_pattern` ("*" or comma-separated names) and `system_events`. The handler must answer
    the CloudEvents OPTIONS check (WebHook-Allowed-Origin) unless `validate_upstream_origin` is False.
    """
    keys = access_keys_from_connection_string(settings.webpubsub_connection_string)
    if not keys:
        raise ValueError("webpubsub_connection_string has no AccessKey; the dev hub cannot check tokens")
    if upstream_url == "":
        upstream_url = settings.public_base_url.rstrip("/") + DEFAULT_UPSTREAM_PATH
    endpoint_host = urlsplit(_endpoint(settings.webpubsub_connection_string)).hostname or "localhost"
    config = UpstreamConfig(url=upstream_url, user_event_pattern=user_event_pattern,
                            system_events=tuple(system_events), origin=endpoint_host,
                            validate_origin=validate_upstream_origin)
    upstream = Upstream(config, keys)
    service = HubService(state, keys, upstream)
    state.on_connection_end = service.connection_ended
    state.on_close(upstream.aclose)

    async def socket(websocket: WebSocket) -> None:
        await client_endpoint(websocket, service)

    return [
        WebSocketRoute("/client/hubs/{hub}", socket, name="webpubsub client"),
        WebSocketRoute("/client/", socket, name="webpubsub client (hub in query)"),
        *rest_routes(service),
    ]


def _endpoint(connection_string: str) -> str:
    for part in connection_string.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "endpoint":
            return value.strip()
    return ""
