"""TURN credentials by the TURN REST API convention, which coturn's `use-auth-secret` checks.

The vector was computed outside Python:
`printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac 'north-wind-shared-secret' -binary | base64`.
"""

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.hmac import HMAC
from pydantic import ValidationError

from shared.domain.voip.turn import (
    IceServer,
    build_ice_servers,
    ice_servers_for,
    issue_turn_credentials,
    turn_password,
    turn_username,
)
from shared.settings import Settings

SECRET = "north-wind-shared-secret"
NOW = 1_699_996_400  # one hour before the vector's expiry


def independent_password(secret: str, username: str) -> str:
    """The same HMAC-SHA1 through another library than the one the app uses."""
    mac = HMAC(secret.encode(), hashes.SHA1())
    mac.update(username.encode())
    return base64.b64encode(mac.finalize()).decode()


def test_the_password_matches_a_vector_computed_with_openssl():
    assert turn_password(SECRET, "1700000000:alice") == "DrNmkUpVI9rDvpilEEGPXznrgJA="


def test_the_username_is_the_expiry_in_unix_seconds_then_the_user_id():
    assert turn_username("alice", 1_700_000_000) == "1700000000:alice"


def test_issued_credentials_expire_after_the_ttl_and_say_so_in_the_username():
    credentials = issue_turn_credentials(SECRET, "alice", 3600, now=NOW)
    assert credentials.expires_at == 1_700_000_000
    assert credentials.username == "1700000000:alice"
    assert credentials.credential == "DrNmkUpVI9rDvpilEEGPXznrgJA="


def test_fractional_clock_readings_round_down_to_whole_seconds_as_coturn_reads_them():
    assert issue_turn_credentials(SECRET, "alice", 60, now=NOW + 0.9).expires_at == NOW + 60


def test_the_password_is_the_hmac_sha1_of_the_username_keyed_by_the_secret():
    credentials = issue_turn_credentials(SECRET, "user-8f3a", 600, now=NOW)
    assert credentials.credential == independent_password(SECRET, credentials.username)


def test_a_user_id_holding_the_separator_keeps_the_expiry_first():
    credentials = issue_turn_credentials(SECRET, "tenant:42", 600, now=NOW)
    expiry, _, user_id = credentials.username.partition(":")
    assert (int(expiry), user_id) == (NOW + 600, "tenant:42")


def test_another_secret_gives_another_password():
    assert turn_password("other-secret", "1700000000:alice") != turn_password(SECRET, "1700000000:alice")


@pytest.mark.parametrize(("secret", "ttl"), [("", 600), (SECRET, 0), (SECRET, -1)])
def test_credentials_need_a_secret_and_a_positive_lifetime(secret, ttl):
    with pytest.raises(ValueError, match="TURN"):
        issue_turn_credentials(secret, "alice", ttl, now=NOW)


def test_an_ice_server_serialises_as_webrtc_rtc_ice_server_json():
    server = IceServer(urls=["turn:turn.example.org:3478?transport=udp"], username="1700000000:alice",
                       credential="DrNmkUpVI9rDvpilEEGPXznrgJA=")
    assert server.model_dump() == {"urls": ["turn:turn.example.org:3478?transport=udp"],
                                   "username": "1700000000:alice", "credential": "DrNmkUpVI9rDvpilEEGPXznrgJA="}
    stun_only = IceServer(urls=["stun:turn.example.org"])
    assert stun_only.model_dump(exclude_none=True) == {"urls": ["stun:turn.example.org"]}


def test_an_ice_server_needs_at_least_one_url():
    with pytest.raises(ValidationError):
        IceServer(urls=[])


def test_the_list_has_stun_without_credentials_then_every_turn_url_with_one_credential():
    credentials = issue_turn_credentials(SECRET, "alice", 3600, now=NOW)
    servers = build_ice_servers(["stun:t.example.org:3478"],
                                ["turn:t.example.org:3478?transport=udp", "turns:t.example.org:5349?transport=tcp"],
                                credentials)
    assert [s.model_dump(exclude_none=True) for s in servers] == [
        {"urls": ["stun:t.example.org:3478"]},
        {"urls": ["turn:t.example.org:3478?transport=udp", "turns:t.example.org:5349?transport=tcp"],
         "username": "1700000000:alice", "credential": "DrNmkUpVI9rDvpilEEGPXznrgJA="},
    ]


def test_turn_urls_without_credentials_are_refused():
    with pytest.raises(ValueError, match="credentials"):
        build_ice_servers([], ["turn:t.example.org"], None)


def test_the_list_from_settings_signs_with_the_configured_secret_and_ttl():
    settings = Settings(voip_stun_urls=["stun:t.example.org"], voip_turn_urls=["turn:t.example.org"],
                        voip_turn_secret=SECRET, voip_turn_ttl_seconds=3600)
    stun, turn = ice_servers_for("alice", settings, now=NOW)
    assert stun.urls == ["stun:t.example.org"] and stun.username is None
    assert (turn.username, turn.credential) == ("1700000000:alice", "DrNmkUpVI9rDvpilEEGPXznrgJA=")


def test_without_configured_servers_the_list_is_empty():
    assert ice_servers_for("alice", Settings(voip_stun_urls=[], voip_turn_urls=[])) == []


def test_production_refuses_to_sign_turn_credentials_with_the_development_secret():
    with pytest.raises(ValidationError, match="voip_turn_secret still holds a development value"):
        Settings(app_env="production", secret_key="s" * 48, voip_turn_urls=["turn:t.example.org"],
                 webpubsub_connection_string="Endpoint=https://x.webpubsub.azure.com;AccessKey=" + "k" * 44)


def test_production_without_turn_does_not_need_a_turn_secret():
    settings = Settings(app_env="production", secret_key="s" * 48, voip_turn_urls=[],
                        webpubsub_connection_string="Endpoint=https://x.webpubsub.azure.com;AccessKey=" + "k" * 44)
    assert settings.voip_turn_urls == []


def test_turn_urls_without_a_secret_are_a_configuration_error():
    with pytest.raises(ValidationError, match="voip_turn_secret is empty"):
        Settings(voip_turn_urls=["turn:t.example.org"], voip_turn_secret="")
