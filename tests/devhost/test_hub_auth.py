"""Client connections are refused unless their JWT is signed with the access key, meant for this hub's URL and
still valid; the refusal is an HTTP 401 on the handshake, as the service answers."""

import datetime as dt

import jwt
import pytest
from websockets.exceptions import InvalidStatus

from shared.adapters.realtime_webpubsub import WebPubSubRealtime
from shared.settings import DEV_WEBPUBSUB_KEY
from tests.devhost.hub_support import HUB, JSON, connect_raw

OTHER_KEY = "another-key-0123456789abcdef0123456789"


def token(hub, *, key=DEV_WEBPUBSUB_KEY, aud=None, expires_in=600, **claims):
    now = dt.datetime.now(dt.UTC)
    payload = {"aud": aud or f"{hub.endpoint}/client/hubs/{HUB}", "iat": now,
               "exp": now + dt.timedelta(seconds=expires_in), **claims}
    return jwt.encode(payload, key, algorithm="HS256")


def url_with(hub, access_token, hub_name=HUB):
    return f"ws://127.0.0.1:{hub.port}/client/hubs/{hub_name}?access_token={access_token}"


async def refused_status(url, **kwargs):
    with pytest.raises(InvalidStatus) as refused:
        await connect_raw(url, JSON, **kwargs)
    return refused.value.response.status_code


async def test_a_token_minted_by_the_sdk_from_the_connection_string_connects(hub):
    adapter = WebPubSubRealtime.from_connection_string(hub.connection_string(), HUB)
    try:
        client = await connect_raw(await adapter.client_url("erin"), JSON)
        assert client.connected["userId"] == "erin"
        assert client.ws.subprotocol == JSON
        await client.close()
    finally:
        await adapter.close()


async def test_a_token_signed_with_another_key_is_refused(hub):
    adapter = WebPubSubRealtime.from_connection_string(hub.connection_string(key=OTHER_KEY), HUB)
    try:
        assert await refused_status(await adapter.client_url("mallory")) == 401
    finally:
        await adapter.close()


async def test_an_expired_token_is_refused(hub):
    assert await refused_status(url_with(hub, token(hub, sub="late", expires_in=-5))) == 401


async def test_a_token_without_an_expiry_is_refused(hub):
    no_exp = jwt.encode({"aud": f"{hub.endpoint}/client/hubs/{HUB}", "sub": "x"}, DEV_WEBPUBSUB_KEY,
                        algorithm="HS256")
    assert await refused_status(url_with(hub, no_exp)) == 401


@pytest.mark.parametrize("audience", [
    "http://127.0.0.1:1/client/hubs/chat",  # another host
    "http://127.0.0.1:{port}/client/hubs/other",  # another hub
    "http://127.0.0.1:{port}/api/hubs/chat",  # not the client URL
])
async def test_a_token_for_another_audience_is_refused(hub, audience):
    assert await refused_status(url_with(hub, token(hub, aud=audience.format(port=hub.port)))) == 401


async def test_a_token_for_another_hub_cannot_be_used_on_this_one(hub):
    assert await refused_status(url_with(hub, token(hub), hub_name="other")) == 401


async def test_a_missing_or_garbled_token_is_refused(hub):
    assert await refused_status(f"ws://127.0.0.1:{hub.port}/client/hubs/{HUB}") == 401
    assert await refused_status(url_with(hub, "not.a.jwt")) == 401


async def test_the_token_may_come_in_an_authorization_header(hub):
    client = await connect_raw(f"ws://127.0.0.1:{hub.port}/client/hubs/{HUB}", JSON,
                               additional_headers={"Authorization": f"Bearer {token(hub, sub='hdr')}"})
    assert client.connected["userId"] == "hdr"
    await client.close()


async def test_the_hub_may_be_named_in_the_query_instead_of_the_path(hub):
    client = await connect_raw(f"ws://127.0.0.1:{hub.port}/client/?hub={HUB}&access_token={token(hub, sub='q')}",
                               JSON)
    assert client.connected["userId"] == "q"
    await client.close()


async def test_an_invalid_hub_name_is_a_bad_request(hub):
    assert await refused_status(url_with(hub, token(hub), hub_name="1-bad")) == 400
