"""Which realtime groups a user may be in, and putting their connections there (and taking them out).

Client tokens carry no group roles, so a client can never join a group by itself (the old system let anyone
subscribe to any room). It asks with a `join` event; we check the same gates the HTTP API uses, then add the
connection to the group and to the guard of the group's scope (groups.py, grants.py). `user_<id>` is joined at
connect, from the token. The client URL is bound to the session that asked for it and lives minutes
(binding.py, connections.py).
"""

from __future__ import annotations

import time

from shared import wiring
from shared.domain.identity import Principal
from shared.domain.realtime import binding, grants, groups
from shared.domain.realtime.groups import Scope
from shared.domain.realtime.models import ClientAccess, GroupAnswer
from shared.errors import Forbidden, NotFound
from shared.settings import get_settings


async def check_negotiate(principal: Principal) -> ClientAccess:
    minutes = get_settings().realtime_url_minutes
    joined = [groups.user_group(principal.user_id)]
    url = await wiring.realtime().client_url(principal.user_id, groups=joined, minutes=minutes)
    tied = binding.sign(principal.user_id, principal.sid, int(time.time()) + minutes * 60)
    separator = "&" if "?" in url else "?"
    return ClientAccess(url=f"{url}{separator}{binding.QUERY_PARAMETER}={tied}", user_id=principal.user_id,
                        groups=joined, expires_in=minutes * 60)


def group_not_found() -> NotFound:
    return NotFound("No such group.", code="group_not_found")


async def access_group(principal: Principal, group: str) -> list[Scope]:
    """The scopes whose access the group depends on; NotFound unless the caller may read what it carries."""
    if group.startswith("topic_"):
        from shared.domain.communities.access import access_topic

        topic_id = group.removeprefix("topic_")
        await access_topic(principal, topic_id)
        return [Scope("topic", topic_id)]
    if group.startswith("post_"):
        from shared.domain.communities.posts import check_get_post

        post = await check_get_post(principal, group.removeprefix("post_"))
        return [Scope("topic", post.topic_id)]
    if group.startswith("chat_room_"):
        from shared.domain.chat.access import access_room

        # A topic conversation's group is recorded under the topic's scope as well as its own, so losing the
        # topic (topic_access_lost, topic_hidden) takes the room's group away too.
        try:
            return (await access_room(principal, group.removeprefix("chat_room_"))).scopes()
        except Forbidden:  # banned from the room: refused like any group the caller may not read
            raise group_not_found() from None
    raise group_not_found()


async def do_join(principal: Principal, connection_id: str, group: str) -> GroupAnswer:
    if not groups.is_joinable(group):
        raise group_not_found()
    scopes = await access_group(principal, group)

    async def still_allowed() -> bool:
        try:
            return await access_group(principal, group) == scopes
        except NotFound:
            return False

    if not await grants.record_and_add(principal.user_id, connection_id, group, scopes, still_allowed):
        raise group_not_found()
    return GroupAnswer(group=group, joined=True)


async def do_leave(connection_id: str, group: str) -> GroupAnswer:
    if not groups.is_joinable(group):
        raise group_not_found()
    await grants.remove_connection(connection_id, group)
    return GroupAnswer(group=group, joined=False)
