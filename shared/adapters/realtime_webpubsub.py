"""Realtime port on Azure Web PubSub's async server SDK, for the dev hub and for Azure alike.

Only the connection string changes between the two: `Endpoint=http://localhost:7071;AccessKey=...` points at the
dev host's hub, a real one at Azure. With `webpubsub_endpoint` set instead, the client authenticates with
Microsoft Entra ID (DefaultAzureCredential: the function app's managed identity). The SDK is imported on first
use only, to keep it out of the function app's cold start.

SDK 1.3.0 has no methods for the filtered batch operations (`:addToGroups`, `:removeFromGroups`, api-version
2024-01-01 and later), so they go through the generated client's `send_request`: the request still passes the
client's pipeline, whose policy signs it with the access key or the Entra ID token like any other call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from shared.errors import NotFound
from shared.realtime_filters import ConnectionFilter
from shared.settings import Settings

# The stable 2024-01-01 spec and the 2024-12-01 examples answer 200, the 2024-12-01 spec generated from TypeSpec
# says 204: both mean done.
BATCH_DONE = (200, 204)


def _checked(filter: ConnectionFilter | None) -> ConnectionFilter | None:
    """The filter to send. An empty one is refused: the service reads it as no filter, so a bug that lost the
    filter's text would silently widen a send or a removal to every connection."""
    if filter is not None and not filter.strip():
        raise ValueError("an empty filter would pick every connection; pass None to mean that")
    return filter


class WebPubSubRealtime:
    def __init__(self, client: Any, *, credential: Any = None):
        self._client = client
        self._credential = credential

    @classmethod
    def from_settings(cls, settings: Settings) -> WebPubSubRealtime:
        from azure.messaging.webpubsubservice.aio import WebPubSubServiceClient

        if settings.webpubsub_endpoint:
            from azure.identity.aio import DefaultAzureCredential

            credential = DefaultAzureCredential()
            client = WebPubSubServiceClient(endpoint=settings.webpubsub_endpoint, hub=settings.webpubsub_hub,
                                            credential=credential)
            return cls(client, credential=credential)
        if not settings.webpubsub_connection_string:
            raise ValueError("set webpubsub_connection_string (dev host or Azure) or webpubsub_endpoint")
        return cls(WebPubSubServiceClient.from_connection_string(settings.webpubsub_connection_string,
                                                                 hub=settings.webpubsub_hub))

    @classmethod
    def from_connection_string(cls, connection_string: str, hub: str) -> WebPubSubRealtime:
        from azure.messaging.webpubsubservice.aio import WebPubSubServiceClient

        return cls(WebPubSubServiceClient.from_connection_string(connection_string, hub=hub))

    async def close(self) -> None:
        await self._client.close()
        if self._credential is not None:
            await self._credential.close()

    # ---- sends (dicts go as application/json) ---------------------------------------------------------------

    async def send_to_all(self, message: dict[str, Any], *, excluded: Sequence[str] = (),
                          filter: ConnectionFilter | None = None) -> None:
        await self._client.send_to_all(message, excluded=list(excluded) or None, filter=_checked(filter),
                                       content_type="application/json")

    async def send_to_group(self, group: str, message: dict[str, Any], *, excluded: Sequence[str] = (),
                            filter: ConnectionFilter | None = None) -> None:
        await self._client.send_to_group(group, message, excluded=list(excluded) or None, filter=_checked(filter),
                                         content_type="application/json")

    async def send_to_user(self, user_id: str, message: dict[str, Any], *,
                           filter: ConnectionFilter | None = None) -> None:
        await self._client.send_to_user(user_id, message, filter=_checked(filter), content_type="application/json")

    async def send_to_connection(self, connection_id: str, message: dict[str, Any]) -> None:
        await self._client.send_to_connection(connection_id, message, content_type="application/json")

    # ---- membership ---------------------------------------------------------------------------------------

    async def add_user_to_group(self, group: str, user_id: str) -> None:
        await self._client.add_user_to_group(group, user_id)

    async def remove_user_from_group(self, group: str, user_id: str) -> None:
        await self._client.remove_user_from_group(group, user_id)

    async def remove_user_from_all_groups(self, user_id: str) -> None:
        await self._client.remove_user_from_all_groups(user_id)

    async def add_connection_to_group(self, group: str, connection_id: str) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            await self._client.add_connection_to_group(group, connection_id)
        except ResourceNotFoundError as exc:
            raise NotFound("The realtime connection does not exist.", code="connection_not_found") from exc

    async def remove_connection_from_group(self, group: str, connection_id: str) -> None:
        await self._client.remove_connection_from_group(group, connection_id)

    async def add_connections_to_groups(self, groups: Sequence[str], filter: ConnectionFilter) -> None:
        if filter is None:  # the service reads a missing filter as "every connection of the hub"
            raise ValueError("adding connections to groups needs a filter")
        await self._batch(":addToGroups", groups, _checked(filter))

    async def remove_connections_from_groups(self, groups: Sequence[str],
                                             filter: ConnectionFilter | None = None) -> None:
        await self._batch(":removeFromGroups", groups, _checked(filter))

    async def _batch(self, operation: str, groups: Sequence[str], filter: str | None) -> None:
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
        from azure.core.rest import HttpRequest

        if isinstance(groups, str):  # a lone group name would be sent letter by letter
            raise TypeError("groups is a sequence of group names, not one name")
        body: dict[str, Any] = {"groups": list(groups)}
        if filter is not None:
            body["filter"] = filter
        config = self._client._config
        request = HttpRequest("POST", f"{{endpoint}}/api/hubs/{quote(config.hub, safe='')}/{operation}",
                              params={"api-version": config.api_version}, json=body)
        response = await self._client.send_request(request)
        if response.status_code in BATCH_DONE:
            return
        await response.read()
        error = {401: ClientAuthenticationError, 404: ResourceNotFoundError}.get(response.status_code,
                                                                                 HttpResponseError)
        raise error(response=response)

    # ---- closing ------------------------------------------------------------------------------------------

    async def close_connection(self, connection_id: str, *, reason: str | None = None) -> None:
        await self._client.close_connection(connection_id, reason=reason)

    async def close_user_connections(self, user_id: str, *, reason: str | None = None) -> None:
        await self._client.close_user_connections(user_id, reason=reason)

    # ---- client URLs --------------------------------------------------------------------------------------

    async def client_url(self, user_id: str, *, roles: Sequence[str] = (), groups: Sequence[str] = (),
                         minutes: int = 60) -> str:
        token = await self._client.get_client_access_token(user_id=user_id, roles=list(roles),
                                                           groups=list(groups), minutes_to_expire=minutes)
        return token["url"]
