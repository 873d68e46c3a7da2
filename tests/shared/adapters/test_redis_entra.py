import time
from dataclasses import dataclass

import jwt

from shared.adapters.kv_redis import EntraIdCredentials


@dataclass
class Token:
    token: str
    expires_on: float


class TokenIssuer:
    """Stands in for azure.identity (no Entra ID here): issues tokens for one object id, counting requests."""

    def __init__(self, lifetime: float):
        self.lifetime = lifetime
        self.scopes: list[str] = []

    async def get_token(self, scope: str) -> Token:
        self.scopes.append(scope)
        claims = {"oid": "2f1c0e9a-app-identity", "n": len(self.scopes)}
        return Token(jwt.encode(claims, "k" * 32, algorithm="HS256"), time.time() + self.lifetime)


async def test_the_username_is_the_identity_object_id_and_the_password_a_redis_token():
    issuer = TokenIssuer(lifetime=3600)
    username, password = await EntraIdCredentials(issuer).get_credentials_async()
    assert username == "2f1c0e9a-app-identity"
    assert jwt.decode(password, options={"verify_signature": False})["oid"] == username
    assert issuer.scopes == ["https://redis.azure.com/.default"]


async def test_a_token_is_reused_until_it_nears_expiry_then_replaced():
    long_lived = TokenIssuer(lifetime=3600)
    credentials = EntraIdCredentials(long_lived)
    first = await credentials.get_credentials_async()
    assert await credentials.get_credentials_async() == first
    assert len(long_lived.scopes) == 1

    short_lived = TokenIssuer(lifetime=60)  # inside the refresh margin: every new connection gets a new token
    credentials = EntraIdCredentials(short_lived)
    a = await credentials.get_credentials_async()
    b = await credentials.get_credentials_async()
    assert a[1] != b[1] and len(short_lived.scopes) == 2
