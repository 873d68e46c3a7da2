"""GET /api/voip/ice-servers: STUN and TURN for the caller, with TURN credentials by the TURN REST convention that
expire (the relay through a real coturn with them is in test_webrtc_calls.py)."""

import base64
import hashlib
import hmac
import time

from tests.support.users import signup


def test_an_anonymous_caller_gets_no_ice_servers(api):
    answer = api.get("/api/voip/ice-servers")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"


def test_a_user_gets_stun_and_turn_with_credentials_signed_by_the_shared_secret_for_their_own_id(api, host, coturn):
    user = signup(host)
    before = int(time.time())
    data = api.get("/api/voip/ice-servers", headers=user.headers).json()["data"]
    stun, turn = data["ice_servers"]
    assert stun == {"urls": coturn.stun_urls, "username": None, "credential": None}
    assert turn["urls"] == coturn.turn_urls
    expiry, user_id = turn["username"].split(":", 1)
    assert user_id == user.id and int(expiry) == data["expires_at"]
    assert before + data["ttl_seconds"] <= data["expires_at"] <= int(time.time()) + data["ttl_seconds"]
    expected = base64.b64encode(hmac.new(coturn.secret.encode(), turn["username"].encode(), hashlib.sha1).digest())
    assert turn["credential"] == expected.decode()


def test_two_users_never_share_a_turn_credential(api, host):
    first, second = signup(host), signup(host)
    a = api.get("/api/voip/ice-servers", headers=first.headers).json()["data"]["ice_servers"][1]
    b = api.get("/api/voip/ice-servers", headers=second.headers).json()["data"]["ice_servers"][1]
    assert a["username"] != b["username"] and a["credential"] != b["credential"]
