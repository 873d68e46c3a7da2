"""With local auth off, Web PubSub calls our event handler with an Entra ID token for the app's identity. No Entra ID
here: a locally made RSA key stands in for its signing keys, so the checks on signature, audience, tenant and
expiry are exercised for real."""

import time
from types import SimpleNamespace

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.domain.realtime import upstream
from shared.settings import Settings

TENANT, CLIENT = "72f988bf-tenant", "4b1c-app-client-id"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(autouse=True)
def local_signing_keys(monkeypatch):
    signing_key = SimpleNamespace(key=KEY.public_key())
    monkeypatch.setattr(upstream, "_jwks", lambda tenant: SimpleNamespace(
        get_signing_key_from_jwt=lambda token: signing_key))


def identity_settings() -> Settings:
    return Settings(webpubsub_endpoint="https://wps.webpubsub.azure.com", webpubsub_connection_string="",
                    azure_tenant_id=TENANT, azure_client_id=CLIENT)


def token(*, key=KEY, aud=CLIENT, tid=TENANT, expires_in=300) -> str:
    claims = {"aud": aud, "tid": tid, "iss": f"https://login.microsoftonline.com/{tid}/v2.0",
              "exp": int(time.time()) + expires_in, "iat": int(time.time())}
    return jwt.encode(claims, key, algorithm="RS256")


async def genuine(bearer: str | None) -> bool:
    headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
    return await upstream.is_genuine(headers, identity_settings())


async def test_a_token_for_our_identity_from_our_tenant_is_accepted():
    assert await genuine(token())


@pytest.mark.parametrize("bad", [
    {"key": OTHER_KEY}, {"aud": "someone-else"}, {"tid": "another-tenant"}, {"expires_in": -60},
])
async def test_a_token_signed_by_another_key_for_another_audience_or_tenant_or_expired_is_refused(bad):
    assert not await genuine(token(**bad))


async def test_no_token_or_a_signature_header_alone_is_refused_when_local_auth_is_off():
    assert not await genuine(None)
    assert not await upstream.is_genuine({"ce-signature": "sha256=00", "ce-connectionid": "c"}, identity_settings())
