"""Which realtime groups a user may be in, and putting their connections there.

Client tokens carry no group roles, so a client can never join a group by itself (the old system let anyone
subscribe to any room). It asks with a `join` event; we check the same gates the HTTP API uses and add the
connection. `user_<id>` is joined at connect, from the token.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared import wiring
from shared.domain.events import user_group
from shared.domain.identity import Principal
from shared.errors import NotFound

GROUP_PATTERN = r"^(topic|post)_[A-Za-z0-9_-]{1,64}$"
CLIENT_URL_MINUTES = 60


class GroupRequest(BaseModel):
    group: str = Field(pattern=GROUP_PATTERN, description="topic_<id> or post_<id>")


class ClientAccess(BaseModel):
    url: str = Field(description="WebSocket URL with an access token (json.webpubsub.azure.v1 or the reliable one)")
    user_id: str
    groups: list[str]
    expires_in: int


async def check_negotiate(principal: Principal) -> ClientAccess:
    groups = [user_group(principal.user_id)]
    url = await wiring.realtime().client_url(principal.user_id, groups=groups, minutes=CLIENT_URL_MINUTES)
    return ClientAccess(url=url, user_id=principal.user_id, groups=groups, expires_in=CLIENT_URL_MINUTES * 60)


async def principal_for(user_id: str) -> Principal:
    """The caller behind a hub connection: the hub vouches for the user id, the users container for the rest."""
    try:
        user = await wiring.documents().read("users", user_id, user_id)
    except NotFound:
        raise NotFound("Unknown user.", code="user_not_found") from None
    return Principal(user_id=user_id, username=user.get("username", ""), is_admin=bool(user.get("is_admin")),
                     sid="", token_hash="", csrf="")


async def access_group(principal: Principal, group: str) -> None:
    """NotFound unless the caller may read what the group carries."""
    kind, _, target = group.partition("_")
    if kind == "topic":
        from shared.domain.communities.access import access_topic

        await access_topic(principal, target)
    elif kind == "post":
        from shared.domain.communities.posts import check_get_post

        await check_get_post(principal, target)
    else:
        raise NotFound("No such group.", code="group_not_found")


async def do_join(user_id: str, connection_id: str, group: str) -> None:
    await access_group(await principal_for(user_id), group)
    await wiring.realtime().add_connection_to_group(group, connection_id)


async def do_leave(connection_id: str, group: str) -> None:
    await wiring.realtime().remove_connection_from_group(group, connection_id)
