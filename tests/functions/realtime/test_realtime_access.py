"""Realtime access ends when access ends: through HTTP and real sockets on the dev host's hub, on both stacks.

A client URL works only for the session that negotiated it, and only while that session and its account are
alive; ending sessions closes the sockets they opened; losing access to an invite-only topic takes a user's
sockets out of the topic's group and every post group of it, and events to those groups never reach a socket
whose access is gone.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from shared import wiring
from shared.domain.realtime import binding
from shared.domain.realtime.groups import Scope
from tests.support.communities import build_world, new_comment, new_post, ok, seed_post
from tests.support.realtime import connect, negotiate, refused_at_connect, socket_of
from tests.support.users import login, signup


def _with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def second_session(host, user) -> dict[str, str]:
    data = ok(login(host, user.username, user.password))
    return {"Authorization": f"Bearer {data['token']}"}


# ---------------------------------------------------------------------------------------------------------
# the URL belongs to its session


def test_a_url_from_a_session_that_ended_is_refused_at_connect(host, api):
    user = signup(host)
    headers = second_session(host, user)
    url = negotiate(api, user, headers)["url"]
    ok(api.post("/api/auth/logout", headers=headers), 204)
    assert asyncio.run(refused_at_connect(url)) == 401


def test_a_url_of_an_account_banned_since_is_refused_at_connect(host, api, people):
    user = signup(host)
    url = negotiate(api, user)["url"]
    ok(api.post(f"/api/admin/users/{user.id}/ban", json={"reason": "spam"}, headers=people.admin.headers))
    assert asyncio.run(refused_at_connect(url)) == 401


def test_a_url_without_its_binding_or_with_a_forged_or_stale_one_is_refused(host, api):
    user, other = signup(host), signup(host)
    url = negotiate(api, user)["url"]
    other_binding = dict(parse_qsl(urlsplit(negotiate(api, other)["url"]).query))[binding.QUERY_PARAMETER]
    sid = dict(parse_qsl(urlsplit(url).query))[binding.QUERY_PARAMETER].split(".")[0]
    stale = host.run(lambda: _signed(user.id, sid, expires_at=1))
    for bad in (_with_query(url, tf_binding=None), _with_query(url, tf_binding=other_binding),
                _with_query(url, tf_binding=f"{sid}.9999999999.forged"), _with_query(url, tf_binding=stale)):
        assert asyncio.run(refused_at_connect(bad)) == 401
    assert asyncio.run(_connects(url))  # the untouched URL still works


async def _signed(user_id: str, sid: str, *, expires_at: int) -> str:
    return binding.sign(user_id, sid, expires_at)


async def _connects(url: str) -> bool:
    client = await connect(url)
    await client.close()
    return True


def test_negotiate_hands_out_urls_that_live_minutes(api, host):
    user = signup(host)
    assert 60 <= negotiate(api, user)["expires_in"] <= 15 * 60


# ---------------------------------------------------------------------------------------------------------
# ending sessions closes sockets


def test_logout_closes_the_sockets_of_that_session_and_no_other(host, api):
    user = signup(host)
    laptop = second_session(host, user)

    async def scenario():
        async with socket_of(api, user, laptop) as on_laptop, socket_of(api, user) as on_phone:
            await asyncio.to_thread(api.post, "/api/auth/logout", headers=laptop)
            assert await on_laptop.closed_by_server() is not None
            await asyncio.to_thread(api.post, "/api/notifications/read-all", headers=user.headers)
            assert (await on_phone.event("join", {"group": "topic_nothing-here"}))["success"] is False
            return True

    assert asyncio.run(scenario())


@pytest.mark.parametrize("ending", ["logout-all", "password change", "site ban"])
def test_ending_every_session_closes_every_open_socket(host, api, people, ending):
    user = signup(host)
    other_device = second_session(host, user)

    async def scenario():
        async with socket_of(api, user) as first, socket_of(api, user, other_device) as second:
            if ending == "logout-all":
                response = await asyncio.to_thread(api.post, "/api/auth/logout-all", headers=user.headers)
            elif ending == "password change":
                response = await asyncio.to_thread(
                    api.post, "/api/auth/change-password", headers=user.headers,
                    json={"current_password": user.password, "new_password": f"{user.password}-Renewed!42"})
            else:
                response = await asyncio.to_thread(api.post, f"/api/admin/users/{user.id}/ban",
                                                   json={"reason": "abuse"}, headers=people.admin.headers)
            assert response.status_code < 300, response.text
            return await first.closed_by_server(), await second.closed_by_server()

    first, second = asyncio.run(scenario())
    assert first is not None and second is not None


def test_a_socket_whose_session_timed_out_is_closed_by_the_sweep(host, api):
    user = signup(host)

    async def scenario():
        async with socket_of(api, user) as client:
            await asyncio.to_thread(host.run, lambda: _expire_sessions_of(user.id))
            await asyncio.to_thread(host.run_timer, "close_connections_of_ended_sessions")
            return await client.closed_by_server()

    assert asyncio.run(scenario()) is not None


async def _expire_sessions_of(user_id: str) -> None:
    """What the idle timeout does: the session's records vanish from Redis, with no request to notice."""
    for session in await wiring.sessions().list_for_user(user_id):
        await wiring.kv().delete(f"session:{session.token_hash}")


def test_an_event_on_a_socket_whose_session_is_gone_is_refused_and_the_socket_closed(host, api, people):
    user = signup(host)

    world = build_world(host, people)

    async def scenario():
        async with socket_of(api, user) as client:
            await asyncio.to_thread(host.run, lambda: _expire_sessions_of(user.id))
            await client.raw.send(type="event", event="join_topic", ackId=1, dataType="json",
                                  data={"topic_id": world.id})
            return await client.closed_by_server(), client.connection_id

    closed, connection_id = asyncio.run(scenario())
    assert closed is not None
    assert connection_id not in host.run(lambda: _members(host.devhost.hub, f"topic_{world.id}"))


# ---------------------------------------------------------------------------------------------------------
# losing access to a topic


def _removal(api, world, user, how: str) -> None:
    owner = world.people.owner
    if how == "kick":
        ok(api.post(f"/api/topics/{world.id}/kick", json={"user_id": user.id}, headers=owner.headers))
    elif how == "ban":
        ok(api.post(f"/api/topics/{world.id}/ban", json={"user_id": user.id}, headers=owner.headers))
    else:
        ok(api.post(f"/api/topics/{world.id}/leave", headers=user.headers))


@pytest.mark.parametrize("how", ["kick", "ban", "leave"])
def test_a_removed_member_hears_nothing_more_from_an_invite_only_topic_or_any_of_its_posts(host, api, people, how):
    world = build_world(host, people, private=True)
    removed, staying = people.spares[0], people.member
    posts = [seed_post(host, world.id, people.owner) for _ in range(3)]

    async def follow(client):
        assert (await client.event("join_topic", {"topic_id": world.id}))["success"] is True
        for post in posts:
            assert (await client.event("join_post", {"post_id": post["id"]}))["success"] is True

    async def scenario():
        async with socket_of(api, removed) as gone, socket_of(api, staying) as stays:
            await follow(gone)
            await follow(stays)
            await asyncio.to_thread(_removal, api, world, removed, how)
            fresh = await asyncio.to_thread(new_post, api, world.id, people.owner)
            comment = await asyncio.to_thread(new_comment, api, posts[1]["id"], people.owner)
            heard = await stays.app_event("new_post"), await stays.app_event("new_comment")
            silent = not {"new_post", "new_comment"} & set(await gone.heard_within(0.5))
            rejoin = await gone.event("join_post", {"post_id": posts[0]["id"]})
            return fresh, comment, heard, silent, rejoin, gone.connection_id

    fresh, comment, heard, silent, rejoin, gone_id = asyncio.run(scenario())
    assert heard[0]["data"]["id"] == fresh["id"] and heard[1]["data"]["id"] == comment["id"]
    assert silent
    assert rejoin["success"] is False and rejoin["error"]["code"] in ("post_not_found", "topic_not_found")
    for delivery in host.devhost.hub.delivered(type="new_comment") + host.devhost.hub.delivered(type="new_post"):
        assert gone_id not in {connection for connection, _ in delivery.recipients}


def test_a_socket_left_in_a_post_group_by_a_missed_removal_still_hears_nothing(host, api, people):
    # A stale grant: the connection is in the post's group, but no longer in the topic's guard group.
    world = build_world(host, people, private=True)
    outsider = people.other
    post = seed_post(host, world.id, people.owner)

    async def scenario():
        async with socket_of(api, outsider) as client:
            await asyncio.to_thread(host.run, lambda: wiring.realtime().add_connection_to_group(
                f"post_{post['id']}", client.connection_id))
            await asyncio.to_thread(new_comment, api, post["id"], people.owner)
            return await client.nothing_within(0.5), client.connection_id

    silent, connection_id = asyncio.run(scenario())
    assert silent
    delivered = host.devhost.hub.delivered(group=f"post_{post['id']}", type="new_comment")
    assert delivered and all(connection_id not in {c for c, _ in d.recipients} for d in delivered)


def test_a_deleted_topic_takes_every_socket_out_of_its_groups(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)

    async def scenario():
        async with socket_of(api, people.member) as client:
            assert (await client.event("join_topic", {"topic_id": world.id}))["success"] is True
            assert (await client.event("join_post", {"post_id": post["id"]}))["success"] is True
            await asyncio.to_thread(api.delete, f"/api/topics/{world.id}", headers=people.owner.headers)
            await client.app_event("topic_deleted")
            return client.connection_id

    connection_id = asyncio.run(scenario())
    hub = host.devhost.hub
    for group in (f"topic_{world.id}", f"post_{post['id']}", Scope("topic", world.id).guard):
        members = host.run(lambda group=group: _members(hub, group))
        assert connection_id not in members


async def _members(hub, group: str) -> set[str]:
    return {connection.id for connection in hub.hub("topicsflow").group_connections(group)}


def test_removing_a_member_with_a_hundred_open_post_groups_costs_two_rest_calls(host, api, people):
    from shared.domain.realtime.revocation import topic_access_lost

    world = build_world(host, people, private=True)
    member = people.spares[1]
    groups = [f"post_{world.id}_{i:016x}" for i in range(100)]

    async def scenario():
        async with socket_of(api, member) as client:
            await asyncio.to_thread(host.run, lambda: _record_joins(member.id, client.connection_id, world.id,
                                                                    groups))
            before = len(host.devhost.hub.rest_calls())
            calls = await asyncio.to_thread(host.run, lambda: topic_access_lost(member.id, world.id))
            return calls, host.devhost.hub.rest_calls()[before:]

    calls, made = asyncio.run(scenario())
    assert calls == 2
    assert [call.operation for call in made] == ["/:removeFromGroups", "/:removeFromGroups"]


async def _record_joins(user_id: str, connection_id: str, topic_id: str, groups: list[str]) -> None:
    from shared.domain.realtime import grants

    async def allowed() -> bool:
        return True

    for group in groups:
        await grants.record_and_add(user_id, connection_id, group, [Scope("topic", topic_id)], allowed)
