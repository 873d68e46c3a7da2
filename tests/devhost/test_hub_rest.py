"""The REST data plane: every Realtime port method through our adapter (the SDK raises on any status other than
the service's), the rest of the API through the SDK itself, and a table of exact status codes."""

import base64
import datetime as dt

import httpx
import jwt
import pytest
from azure.messaging.webpubsubservice.aio import WebPubSubServiceClient

from shared.adapters.realtime_webpubsub import WebPubSubRealtime
from shared.errors import NotFound
from shared.settings import DEV_WEBPUBSUB_KEY, Settings
from tests.devhost.hub_support import HUB, JSON, RELIABLE, connect_raw, start_hub


@pytest.fixture
async def realtime(hub):
    # Built the way the app's wiring builds it: from settings, connection string alone.
    adapter = WebPubSubRealtime.from_settings(Settings(webpubsub_connection_string=hub.connection_string(),
                                                       webpubsub_hub=HUB, webpubsub_endpoint=""))
    yield adapter
    await adapter.close()


@pytest.fixture
async def sdk(hub):
    client = WebPubSubServiceClient.from_connection_string(hub.connection_string(), hub=HUB)
    yield client
    await client.close()


@pytest.fixture
async def clients():
    opened = []
    yield opened
    for client in opened:
        await client.close()


async def connect(realtime, clients, user_id, *, protocol=JSON, groups=(), roles=()):
    client = await connect_raw(await realtime.client_url(user_id, groups=groups, roles=roles), protocol)
    clients.append(client)
    return client


async def test_send_to_all_reaches_every_connection_except_the_excluded_ones(realtime, clients):
    a = await connect(realtime, clients, "u-all-a")
    b = await connect(realtime, clients, "u-all-b")
    await realtime.send_to_all({"type": "hello"}, excluded=[b.connection_id])
    assert await a.next() == {"type": "message", "from": "server", "dataType": "json", "data": {"type": "hello"}}
    await realtime.send_to_connection(b.connection_id, {"type": "only-b"})
    assert (await b.next())["data"] == {"type": "only-b"}


async def test_send_to_group_reaches_members_only_and_arrives_from_server(realtime, clients, hub):
    member = await connect(realtime, clients, "u-grp-a", groups=["topic_1"])
    other = await connect(realtime, clients, "u-grp-b", groups=["topic_2"])
    await realtime.send_to_group("topic_1", {"type": "new_post", "data": {"id": "p1"}})
    assert await member.next() == {"type": "message", "from": "server", "dataType": "json",
                                   "data": {"type": "new_post", "data": {"id": "p1"}}}
    assert await other.nothing_within(0.2)
    logged = hub.state.delivered(group="topic_1", type="new_post")
    assert logged[-1].recipients == ((member.connection_id, "u-grp-a"),)
    assert logged[-1]["group"] == "topic_1" and logged[-1].get("data") == {"type": "new_post", "data": {"id": "p1"}}


async def test_send_to_group_skips_excluded_connections(realtime, clients):
    a = await connect(realtime, clients, "u-ex-a", groups=["topic_ex"])
    b = await connect(realtime, clients, "u-ex-b", groups=["topic_ex"])
    await realtime.send_to_group("topic_ex", {"n": 1}, excluded=[a.connection_id])
    assert (await b.next())["data"] == {"n": 1}
    assert await a.nothing_within(0.2)


async def test_send_to_user_reaches_every_connection_of_that_user(realtime, clients, hub):
    first = await connect(realtime, clients, "u-multi")
    second = await connect(realtime, clients, "u-multi", protocol=RELIABLE)
    await realtime.send_to_user("u-multi", {"type": "notification"})
    assert (await first.next())["data"] == {"type": "notification"}
    assert (await second.next())["sequenceId"] == 1
    assert hub.state.delivered(user="u-multi", type="notification")[-1].target == "user"


async def test_a_user_added_to_a_group_has_current_and_future_connections_in_it(realtime, clients):
    before = await connect(realtime, clients, "u-member")
    await realtime.add_user_to_group("chat_room_7", "u-member")
    after = await connect(realtime, clients, "u-member")
    await realtime.send_to_group("chat_room_7", {"n": 7})
    assert (await before.next())["data"] == {"n": 7}
    assert (await after.next())["data"] == {"n": 7}

    await realtime.remove_user_from_group("chat_room_7", "u-member")
    later = await connect(realtime, clients, "u-member")
    await realtime.send_to_group("chat_room_7", {"n": 8})
    for client in (before, after, later):
        assert await client.nothing_within(0.1)


async def test_removing_a_user_from_all_groups_empties_its_connections_memberships(realtime, clients, sdk):
    client = await connect(realtime, clients, "u-all-groups", groups=["post_1", "topic_9"])
    await realtime.add_user_to_group("voip_3", "u-all-groups")
    assert await sdk.group_exists("voip_3")
    await realtime.remove_user_from_all_groups("u-all-groups")
    for group in ("post_1", "topic_9", "voip_3"):
        assert not await sdk.group_exists(group)
    await realtime.send_to_group("post_1", {"n": 1})
    assert await client.nothing_within(0.1)


async def test_a_connection_can_be_added_to_and_removed_from_a_group(realtime, clients, sdk):
    client = await connect(realtime, clients, "u-conn-group")
    await realtime.add_connection_to_group("chat_room_9", client.connection_id)
    await realtime.send_to_group("chat_room_9", {"n": 1})
    assert (await client.next())["data"] == {"n": 1}
    members = [m async for m in sdk.list_connections(group="chat_room_9")]
    assert [(m.connection_id, m.user_id) for m in members] == [(client.connection_id, "u-conn-group")]
    await realtime.remove_connection_from_group("chat_room_9", client.connection_id)
    assert not await sdk.group_exists("chat_room_9")


async def test_adding_a_connection_that_does_not_exist_is_not_found(realtime):
    with pytest.raises(NotFound) as missing:
        await realtime.add_connection_to_group("chat_room_9", "no-such-connection")
    assert missing.value.code == "connection_not_found"


async def test_closing_a_connection_tells_the_client_why_and_ends_the_session(realtime, clients, sdk):
    client = await connect(realtime, clients, "u-close", protocol=RELIABLE)
    assert await sdk.connection_exists(client.connection_id)
    await realtime.close_connection(client.connection_id, reason="banned")
    assert await client.next() == {"type": "system", "event": "disconnected", "message": "banned"}
    with pytest.raises(Exception) as closed:
        await client.next()
    assert closed.value.rcvd.code == 1008  # the service removed the connection: clients must not resume it
    assert not await sdk.connection_exists(client.connection_id)


async def test_closing_a_users_connections_closes_all_of_them(realtime, clients, sdk):
    a = await connect(realtime, clients, "u-close-all")
    b = await connect(realtime, clients, "u-close-all")
    assert await sdk.user_exists("u-close-all")
    await realtime.close_user_connections("u-close-all", reason="logged out")
    for client in (a, b):
        assert (await client.next())["message"] == "logged out"
    assert not await sdk.user_exists("u-close-all")


async def test_client_url_carries_user_roles_groups_and_expiry(realtime, hub):
    url = await realtime.client_url("u-token", roles=["webpubsub.sendToGroup.x"], groups=["user_u-token"], minutes=5)
    assert url.startswith(f"ws://127.0.0.1:{hub.port}/client/hubs/{HUB}?access_token=")
    claims = jwt.decode(url.split("access_token=")[1], DEV_WEBPUBSUB_KEY, algorithms=["HS256"],
                        audience=f"http://127.0.0.1:{hub.port}/client/hubs/{HUB}")
    assert claims["sub"] == "u-token"
    assert claims["role"] == ["webpubsub.sendToGroup.x"]
    assert claims["webpubsub.group"] == ["user_u-token"]
    assert 4 * 60 < claims["exp"] - dt.datetime.now(dt.UTC).timestamp() <= 5 * 60


# ---- the rest of the data plane, through the SDK ---------------------------------------------------------


async def test_text_and_binary_sends_arrive_with_their_data_types(sdk, realtime, clients):
    pubsub = await connect(realtime, clients, "u-types")
    plain = await connect_raw(await realtime.client_url("u-types"), protocol=None)
    clients.append(plain)
    await sdk.send_to_user("u-types", "plain text", content_type="text/plain")
    await sdk.send_to_user("u-types", b"\x00\x01bin", content_type="application/octet-stream")
    await sdk.send_to_user("u-types", {"a": 1}, content_type="application/json")
    assert await pubsub.next() == {"type": "message", "from": "server", "dataType": "text", "data": "plain text"}
    assert await pubsub.next() == {"type": "message", "from": "server", "dataType": "binary",
                                   "data": base64.b64encode(b"\x00\x01bin").decode()}
    assert (await pubsub.next())["data"] == {"a": 1}
    # A plain WebSocket client gets the raw data only.
    assert await plain.next() == "plain text"
    assert await plain.next() == b"\x00\x01bin"
    assert await plain.next() == '{"a":1}'


async def test_permissions_can_be_granted_checked_and_revoked(sdk, realtime, clients):
    client = await connect(realtime, clients, "u-perm", roles=["webpubsub.sendToGroup.room_a"])
    cid = client.connection_id
    assert await sdk.has_permission("sendToGroup", cid, target_name="room_a")
    assert not await sdk.has_permission("joinLeaveGroup", cid, target_name="room_b")

    await client.send(type="joinGroup", group="room_b", ackId=1)
    assert (await client.next())["error"]["name"] == "Forbidden"
    await sdk.grant_permission("joinLeaveGroup", cid, target_name="room_b")
    assert await sdk.has_permission("joinLeaveGroup", cid, target_name="room_b")
    await client.send(type="joinGroup", group="room_b", ackId=2)
    assert (await client.next())["success"] is True

    await sdk.revoke_permission("joinLeaveGroup", cid, target_name="room_b")
    await sdk.revoke_permission("sendToGroup", cid, target_name="room_a")
    assert not await sdk.has_permission("joinLeaveGroup", cid, target_name="room_b")
    assert not await sdk.has_permission("sendToGroup", cid, target_name="room_a")
    assert not await sdk.has_permission("sendToGroup", "no-such-connection", target_name="room_a")


async def test_group_and_all_connections_can_be_closed_with_exclusions(sdk, realtime, clients):
    keep = await connect(realtime, clients, "u-keep", groups=["closing"])
    drop = await connect(realtime, clients, "u-drop", groups=["closing"])
    await sdk.close_group_connections("closing", excluded=[keep.connection_id], reason="room closed")
    assert (await drop.next())["message"] == "room closed"
    assert await sdk.connection_exists(keep.connection_id)
    await sdk.remove_connection_from_all_groups(keep.connection_id)
    assert not await sdk.group_exists("closing")


async def test_listing_a_groups_connections_pages_through_all_of_them(sdk, realtime, clients):
    members = [await connect(realtime, clients, f"u-page-{i}", groups=["paged"]) for i in range(5)]
    listed = [m.connection_id async for m in sdk.list_connections(group="paged", maxpagesize=2)]
    assert sorted(listed) == sorted(m.connection_id for m in members)
    assert len([m async for m in sdk.list_connections(group="paged", top=3)]) == 3


async def test_close_all_connections_spares_the_excluded():
    other = start_hub()
    try:
        adapter = WebPubSubRealtime.from_connection_string(other.connection_string(), HUB)
        sdk = WebPubSubServiceClient.from_connection_string(other.connection_string(), hub=HUB)
        a = await connect_raw(await adapter.client_url("x"), JSON)
        b = await connect_raw(await adapter.client_url("y"), JSON)
        await sdk.close_all_connections(excluded=[b.connection_id], reason="maintenance")
        assert (await a.next())["message"] == "maintenance"
        assert await sdk.connection_exists(b.connection_id)
        await b.close()
        await adapter.close()
        await sdk.close()
    finally:
        other.stop()


# ---- exact status codes, and the bearer token check ----------------------------------------------------


def signed(url, key=DEV_WEBPUBSUB_KEY, aud=None, expires_in=60):
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in)
    return {"Authorization": "Bearer " + jwt.encode({"aud": aud or url, "exp": exp}, key, algorithm="HS256")}


STATUS_TABLE = [
    ("POST", "/:send", "application/json", 202),
    ("POST", "/groups/g1/:send", "text/plain", 202),
    ("POST", "/users/u1/:send", "application/octet-stream", 202),
    ("POST", "/connections/nobody/:send", "application/json", 202),
    ("PUT", "/users/u1/groups/g1", None, 200),
    ("DELETE", "/users/u1/groups/g1", None, 204),
    ("DELETE", "/users/u1/groups", None, 204),
    ("PUT", "/groups/g1/connections/nobody", None, 404),
    ("DELETE", "/groups/g1/connections/nobody", None, 204),
    ("DELETE", "/connections/nobody/groups", None, 204),
    ("DELETE", "/connections/nobody?reason=bye", None, 204),
    ("POST", "/users/u1/:closeConnections", None, 204),
    ("POST", "/groups/g1/:closeConnections", None, 204),
    ("HEAD", "/groups/g1", None, 404),
    ("HEAD", "/users/nobody", None, 404),
    ("HEAD", "/connections/nobody", None, 404),
    ("HEAD", "/permissions/sendToGroup/connections/nobody?targetName=g1", None, 404),
    ("PUT", "/permissions/sendToGroup/connections/nobody?targetName=g1", None, 404),
    ("DELETE", "/permissions/sendToGroup/connections/nobody?targetName=g1", None, 204),
    ("PUT", "/permissions/everything/connections/nobody", None, 400),
    ("GET", "/groups/g1/connections", None, 200),
    ("POST", "/:generateToken?userId=u1&role=webpubsub.sendToGroup&minutesToExpire=5", None, 200),
    ("POST", "/groups/g1/:send", "application/xml", 400),
    ("POST", "/:send?filter=userId%20eq%20%27a%27", "application/json", 202),
    ("POST", "/groups/g1/:send?filter=%27g1%27%20in%20groups", "application/json", 202),
    ("POST", "/users/u1/:send?filter=userId%20eq", "application/json", 400),
    ("POST", "/:addToGroups", "application/json", 400),  # {"x": 1} names no groups
    ("POST", "/:removeFromGroups", "text/plain", 415),
]


@pytest.mark.parametrize(("method", "path", "content_type", "status"), STATUS_TABLE)
async def test_the_rest_api_answers_with_the_services_status_codes(hub, method, path, content_type, status):
    url = f"{hub.endpoint}/api/hubs/{HUB}{path}{'&' if '?' in path else '?'}api-version=2024-12-01"
    headers = signed(url)
    body = None
    if content_type:
        headers["Content-Type"] = content_type
        body = b'{"x": 1}' if content_type == "application/json" else b"data"
    async with httpx.AsyncClient() as http:
        reply = await http.request(method, url, headers=headers, content=body)
    assert reply.status_code == status, reply.text


async def test_a_token_from_generate_token_connects_as_that_user(hub):
    url = f"{hub.endpoint}/api/hubs/{HUB}/:generateToken?userId=gen&group=gen_room&api-version=2024-12-01"
    async with httpx.AsyncClient() as http:
        reply = await http.post(url, headers=signed(url))
    client = await connect_raw(f"ws://127.0.0.1:{hub.port}/client/hubs/{HUB}?access_token={reply.json()['token']}",
                               JSON)
    assert client.connected["userId"] == "gen"
    assert hub.state.connection(client.connection_id).groups == {"gen_room"}
    await client.close()


@pytest.mark.parametrize(("content_type", "body"), [("application/json", b"{not json"), ("text/plain", b"\xff\xfe")])
async def test_a_send_whose_body_does_not_match_its_content_type_is_a_bad_request(hub, content_type, body):
    url = f"{hub.endpoint}/api/hubs/{HUB}/:send?api-version=2024-12-01"
    async with httpx.AsyncClient() as http:
        reply = await http.post(url, headers={**signed(url), "Content-Type": content_type}, content=body)
    assert reply.status_code == 400


@pytest.mark.parametrize("problem", ["no token", "wrong key", "expired", "other url"])
async def test_rest_calls_without_a_valid_bearer_token_are_unauthorized(hub, problem):
    url = f"{hub.endpoint}/api/hubs/{HUB}/:send?api-version=2024-12-01"
    headers = {
        "no token": {},
        "wrong key": signed(url, key="another-key-0123456789abcdef0123456789"),
        "expired": signed(url, expires_in=-30),
        "other url": signed(url, aud=f"{hub.endpoint}/api/hubs/{HUB}/users/u1/:send?api-version=2024-12-01"),
    }[problem]
    async with httpx.AsyncClient() as http:
        reply = await http.post(url, headers={**headers, "Content-Type": "application/json"}, content=b"{}")
    assert reply.status_code == 401


async def test_the_sdk_with_the_wrong_access_key_is_refused(hub):
    from azure.core.exceptions import ClientAuthenticationError

    wrong = WebPubSubRealtime.from_connection_string(
        hub.connection_string(key="another-key-0123456789abcdef0123456789"), HUB)
    try:
        with pytest.raises(ClientAuthenticationError):
            await wrong.send_to_all({"n": 1})
    finally:
        await wrong.close()


async def test_a_send_nested_100000_levels_deep_is_a_bad_request_and_the_hub_carries_on(hub):
    url = f"{hub.endpoint}/api/hubs/{HUB}/:send?api-version=2024-12-01"
    deep = b"[" * 100_000 + b"]" * 100_000
    async with httpx.AsyncClient() as http:
        refused = await http.post(url, headers={**signed(url), "Content-Type": "application/json"}, content=deep)
        groups_url = f"{hub.endpoint}/api/hubs/{HUB}/:addToGroups?api-version=2024-12-01"
        refused_too = await http.post(groups_url, headers={**signed(groups_url), "Content-Type": "application/json"},
                                      content=deep)
        fine = await http.post(url, headers={**signed(url), "Content-Type": "application/json"}, content=b"{}")
    assert refused.status_code == 400 and refused_too.status_code == 400
    assert fine.status_code == 202
