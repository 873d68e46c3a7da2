"""Is an upstream event really from our Web PubSub service? Nothing in it is trusted until this says yes.

With an access key (the dev hub, or a service with local auth on) every event carries `ce-signature`, an
HMAC of the connection id with the key. With local auth off (our Bicep), the service presents an Entra ID token
for the app's own identity instead; we check its signature, audience, tenant and expiry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from shared.domain.realtime.signature import access_keys_from_connection_string, verify_signature
from shared.settings import Settings


def service_host(settings: Settings) -> str:
    """What the service puts in WebHook-Request-Origin: the host name of its endpoint."""
    endpoint = settings.webpubsub_endpoint
    if not endpoint:
        for part in settings.webpubsub_connection_string.split(";"):
            name, _, value = part.partition("=")
            if name.strip().lower() == "endpoint":
                endpoint = value.strip()
    return urlsplit(endpoint).hostname or ""


async def is_genuine(headers: Mapping[str, str], settings: Settings) -> bool:
    keys = access_keys_from_connection_string(settings.webpubsub_connection_string)
    if keys and not settings.webpubsub_endpoint:
        return verify_signature(headers.get("ce-signature"), headers.get("ce-connectionid"), keys)
    authorization = headers.get("authorization") or ""
    if not authorization.lower().startswith("bearer ") or not (settings.azure_tenant_id and settings.azure_client_id):
        return False
    return await asyncio.to_thread(_valid_entra_token, authorization[7:].strip(), settings.azure_tenant_id,
                                   settings.azure_client_id)


def _valid_entra_token(token: str, tenant_id: str, audience: str) -> bool:
    import jwt

    try:
        key = _jwks(tenant_id).get_signing_key_from_jwt(token).key
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=[audience, f"api://{audience}"],
                            options={"require": ["exp", "iss", "aud"]})
    except jwt.PyJWTError:
        return False
    return claims.get("tid") == tenant_id or tenant_id in str(claims.get("iss", ""))


@lru_cache(maxsize=4)
def _jwks(tenant_id: str):
    import jwt

    return jwt.PyJWKClient(f"https://login.microsoftonline.com/{tenant_id}/discovery/v2.0/keys", cache_keys=True)
