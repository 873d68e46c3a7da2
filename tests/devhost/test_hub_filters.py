"""OData filters on the hub's REST data plane: sends to all / group / user that reach exactly the connections the
filter picks, `:addToGroups` and `:removeFromGroups` that move exactly those (in one call, however many groups),
and the 4xx answers for bad filters and bad bodies. Through our adapter, through the SDK, and over raw HTTP."""

import datetime as dt
import json
import time

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.messaging.webpubsubservice.aio import WebPubSubServiceClient

from shared.adapters.realtime_webpubsub import WebPubSubRealtime
from shared.ports import Realtime
from shared.realtime_filters import ConnectionFilter, both, connection_filter, in_group, negate, user_filter
from shared.settings import DEV_WEBPUBSUB_KEY
from tests.devhost.hub_support import HUB, JSON, RELIABLE, connect_raw, eventually


@pytest.fixture
async def sdk(hub):
    client = WebPubSubServiceClient.from_connection_string(hub.connection_string(), hub=HUB)
    yield client
    await client.close()


@pytest.fixture
async def connect(realtime):
    opened = []

    async def open_(user_id, *, groups=(), protocol=JSON):
        client = await connect_raw(await realtime.client_url(user_id, groups=groups), protocol)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        await client.close()


def groups_of(hub, client) -> set[str]:
    return hub.call(lambda: set(hub.state.connection(client.connection_id).groups))


def reached(hub, event_type) -> set[str]:
    """The connection ids the last send of that event type reached."""
    return {connection for connection, _ in hub.state.delivered(type=event_type)[-1].recipients}


def rest_calls_since(hub, start):
    return [call for call in hub.state.rest_calls() if call.at >= start]


def test_the_adapter_still_implements_the_port(realtime):
    assert isinstance(realtime, Realtime)


# ---- sends ------------------------------------------------------------------------------------------------


async def test_a_post_event_reaches_only_post_viewers_who_also_hold_the_topics_access_marker(realtime, connect, hub):
    allowed = await connect("f-allowed", groups=["post_1", "topic_access_1"])
    revoked = await connect("f-revoked", groups=["post_1"])
    elsewhere = await connect("f-elsewhere", groups=["topic_access_1"])
    await realtime.send_to_group("post_1", {"type": "new_comment"}, filter=in_group("topic_access_1"))
    assert reached(hub, "new_comment") == {allowed.connection_id}
    assert (await allowed.next())["data"] == {"type": "new_comment"}
    assert await revoked.nothing_within(0.2)
    assert await elsewhere.nothing_within(0.01)


async def test_a_filtered_send_to_all_also_skips_the_excluded(realtime, connect, hub):
    first = await connect("f-all", groups=["room_f"])
    second = await connect("f-all", groups=["room_f"])
    await connect("f-all-other", groups=["room_f"])
    await realtime.send_to_all({"type": "all_filtered"}, filter=user_filter("f-all"), excluded=[first.connection_id])
    assert reached(hub, "all_filtered") == {second.connection_id}


async def test_a_filtered_send_to_a_user_reaches_the_connections_it_picks(realtime, connect, hub):
    phone = await connect("f-user")
    laptop = await connect("f-user", protocol=RELIABLE)
    await realtime.send_to_user("f-user", {"type": "elsewhere"}, filter=negate(connection_filter(phone.connection_id)))
    assert reached(hub, "elsewhere") == {laptop.connection_id}
    assert (await laptop.next())["data"] == {"type": "elsewhere"}


async def test_the_sdk_sends_with_its_own_filter_argument(sdk, connect, hub):
    a = await connect("f-sdk-a", groups=["sdk_room"])
    b = await connect("f-sdk-b", groups=["sdk_room"])
    await sdk.send_to_group("sdk_room", {"type": "sdk_group"}, filter="userId eq 'f-sdk-b'",
                            content_type="application/json")
    await sdk.send_to_all({"type": "sdk_all"}, filter="userId in ('f-sdk-a', 'nobody')",
                          content_type="application/json")
    await sdk.send_to_user("f-sdk-a", {"type": "sdk_user"}, filter="'sdk_room' in groups",
                           content_type="application/json")
    assert reached(hub, "sdk_group") == {b.connection_id}
    assert reached(hub, "sdk_all") == {a.connection_id}
    assert reached(hub, "sdk_user") == {a.connection_id}


async def test_a_filter_that_picks_nobody_is_still_accepted(realtime, connect, hub):
    await connect("f-nobody", groups=["quiet"])
    await realtime.send_to_group("quiet", {"type": "to_nobody"}, filter=user_filter("someone else"))
    assert reached(hub, "to_nobody") == set()


async def test_a_bad_filter_on_a_send_is_refused_before_anything_is_sent(realtime, connect, hub):
    listener = await connect("f-bad-send", groups=["bad_room"])
    with pytest.raises(HttpResponseError) as refused:
        await realtime.send_to_group("bad_room", {"type": "never"}, filter=ConnectionFilter("userId eq"))
    assert refused.value.status_code == 400
    assert not hub.state.delivered(type="never")
    assert await listener.nothing_within(0.1)


# ---- batch membership -------------------------------------------------------------------------------------


async def test_adding_filtered_connections_to_groups_moves_only_those(realtime, connect, hub):
    phone = await connect("f-add")
    laptop = await connect("f-add", groups=["lobby"])
    bystander = await connect("f-add-other", groups=["lobby"])
    await realtime.add_connections_to_groups(["topic_5", "topic_access_5"], user_filter("f-add"))
    assert groups_of(hub, phone) == {"topic_5", "topic_access_5"}
    assert groups_of(hub, laptop) == {"lobby", "topic_5", "topic_access_5"}
    assert groups_of(hub, bystander) == {"lobby"}


async def test_who_is_added_is_decided_before_anyone_joins(realtime, connect, hub):
    outside = await connect("f-before")
    inside = await connect("f-before", groups=["marked"])
    await realtime.add_connections_to_groups(["marked", "newcomers"], both(user_filter("f-before"),
                                                                           negate(in_group("marked"))))
    assert groups_of(hub, outside) == {"marked", "newcomers"}
    assert groups_of(hub, inside) == {"marked"}


async def test_losing_access_removes_every_connection_of_the_user_from_100_groups_in_one_call(realtime, connect, hub):
    groups = ["topic_8", "topic_access_8", *(f"post_{i}" for i in range(98))]
    leaving = [await connect("f-leaver", groups=groups), await connect("f-leaver", groups=groups, protocol=RELIABLE)]
    staying = await connect("f-stayer", groups=groups)
    start = time.time()
    await realtime.remove_connections_from_groups(groups, user_filter("f-leaver"))
    calls = rest_calls_since(hub, start)
    assert [(c.method, c.operation, c.status) for c in calls] == [("POST", "/:removeFromGroups", 200)]
    for client in leaving:
        assert groups_of(hub, client) == set()
    assert groups_of(hub, staying) == set(groups)


async def test_removing_filtered_connections_leaves_their_other_groups_alone(realtime, connect, hub):
    client = await connect("f-partial", groups=["topic_6", "post_61", "user_f-partial"])
    await realtime.remove_connections_from_groups(["topic_6", "post_61", "never_joined"], user_filter("f-partial"))
    assert groups_of(hub, client) == {"user_f-partial"}


async def test_removing_without_a_filter_empties_the_groups_for_everyone(realtime, connect, hub, sdk):
    a = await connect("f-all-a", groups=["closing_1", "keep_a"])
    b = await connect("f-all-b", groups=["closing_1", "closing_2"])
    await realtime.remove_connections_from_groups(["closing_1", "closing_2"])
    assert not await sdk.group_exists("closing_1")
    assert not await sdk.group_exists("closing_2")
    assert groups_of(hub, a) == {"keep_a"}
    assert groups_of(hub, b) == set()


async def test_post_viewers_without_the_marker_can_be_removed_by_what_they_lack(realtime, connect, hub):
    keeps = await connect("f-marker-ok", groups=["post_71", "topic_access_7"])
    loses = await connect("f-marker-gone", groups=["post_71"])
    await realtime.remove_connections_from_groups(["post_71"], negate(in_group("topic_access_7")))
    assert groups_of(hub, keeps) == {"post_71", "topic_access_7"}
    assert groups_of(hub, loses) == set()


async def test_a_detached_reliable_session_is_moved_too(realtime, connect, hub):
    client = await connect("f-detached", groups=["topic_9"], protocol=RELIABLE)
    assert hub.call(lambda: hub.state.drop(client.connection_id))
    await eventually(lambda: hub.call(lambda: hub.state.connection(client.connection_id).status) == "detached")
    await realtime.remove_connections_from_groups(["topic_9"], user_filter("f-detached"))
    assert groups_of(hub, client) == set()


async def test_the_adapter_refuses_a_missing_or_empty_filter_where_it_would_widen_the_call(realtime):
    with pytest.raises(ValueError, match="needs a filter"):
        await realtime.add_connections_to_groups(["g"], None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty filter"):
        await realtime.add_connections_to_groups(["g"], ConnectionFilter(""))
    with pytest.raises(ValueError, match="empty filter"):
        await realtime.remove_connections_from_groups(["g"], ConnectionFilter(" "))
    with pytest.raises(ValueError, match="empty filter"):
        await realtime.send_to_group("g", {"n": 1}, filter=ConnectionFilter(""))


async def test_the_adapter_takes_a_list_of_group_names_not_one_name(realtime):
    with pytest.raises(TypeError):
        await realtime.remove_connections_from_groups("topic_1", user_filter("x"))  # type: ignore[arg-type]


async def test_a_bad_filter_on_a_batch_call_changes_nothing(realtime, connect, hub):
    client = await connect("f-bad-batch", groups=["stays"])
    with pytest.raises(HttpResponseError) as refused:
        await realtime.remove_connections_from_groups(["stays"], ConnectionFilter("userId eq 'f-bad-batch' or"))
    assert refused.value.status_code == 400
    assert groups_of(hub, client) == {"stays"}


# ---- exact answers over raw HTTP --------------------------------------------------------------------------


def signed(url):
    exp = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)
    return {"Authorization": "Bearer " + jwt.encode({"aud": url, "exp": exp}, DEV_WEBPUBSUB_KEY, algorithm="HS256")}


async def post(hub, path, *, body: bytes, content_type="application/json", query=""):
    url = f"{hub.endpoint}/api/hubs/{HUB}{path}?{query}{'&' if query else ''}api-version=2024-12-01"
    async with httpx.AsyncClient() as http:
        return await http.post(url, headers={**signed(url), "Content-Type": content_type}, content=body)


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


BATCH_TABLE = [
    (body(groups=["g1", "g2"], filter="userId eq 'nobody'"), "application/json", 200),
    (body(groups=["g1"]), "application/json; charset=utf-8", 200),
    (body(groups=["g1"], filter=None), "application/json", 200),
    (body(groups=["g1"], filter=""), "application/json", 200),
    (body(groups=["g1"], filter="userId eq"), "application/json", 400),
    (body(groups=["g1"], filter=7), "application/json", 400),
    (body(filter="userId eq 'a'"), "application/json", 400),
    (body(groups=[], filter="userId eq 'a'"), "application/json", 400),
    (body(groups="g1", filter="userId eq 'a'"), "application/json", 400),
    (body(groups=["g1", 5]), "application/json", 400),
    (body(groups=["   "]), "application/json", 400),
    (body(groups=["g" * 1025]), "application/json", 400),
    (b"[\"g1\"]", "application/json", 400),
    (b"{not json", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (body(groups=["g1"]), "text/plain", 415),
]


@pytest.mark.parametrize("operation", ["/:addToGroups", "/:removeFromGroups"])
@pytest.mark.parametrize(("content", "content_type", "status"), BATCH_TABLE)
async def test_the_batch_operations_answer_as_the_service_does(hub, operation, content, content_type, status):
    reply = await post(hub, operation, body=content, content_type=content_type)
    assert reply.status_code == status, reply.text
    if status != 200:
        assert set(reply.json()) == {"code", "message"}


async def test_a_bad_filter_gets_the_services_error_body_naming_the_parameter(hub):
    reply = await post(hub, "/:send", body=b"{}", query="filter=not%20length(userId)%20gt%205")
    assert reply.status_code == 400
    assert reply.json()["code"] == "InvalidFilter"
    assert reply.json()["message"].endswith("(Parameter 'filter')")
    assert "length(userId)" in reply.json()["message"]


@pytest.mark.parametrize("path", ["/:send", "/groups/g1/:send", "/users/u1/:send"])
async def test_every_filtered_send_refuses_a_bad_filter(hub, path):
    reply = await post(hub, path, body=b"{}", query="filter=userId%20eq%201")
    assert reply.status_code == 400
    assert reply.json()["code"] == "InvalidFilter"


async def test_the_rest_log_records_refused_calls_too(hub):
    start = time.time()
    await post(hub, "/:removeFromGroups", body=b"{}")
    assert [(c.operation, c.status, c.hub) for c in rest_calls_since(hub, start)] == [
        ("/:removeFromGroups", 400, HUB)]


async def test_the_batch_calls_are_signed_by_the_sdks_own_policy(hub):
    wrong = WebPubSubRealtime.from_connection_string(
        hub.connection_string(key="another-key-0123456789abcdef0123456789"), HUB)
    try:
        with pytest.raises(ClientAuthenticationError):
            await wrong.remove_connections_from_groups(["g1"], user_filter("someone"))
    finally:
        await wrong.close()
