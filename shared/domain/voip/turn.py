"""Time-limited TURN credentials, and the ICE server list a browser passes to `new RTCPeerConnection`.

We follow the "TURN REST API" convention that coturn checks with `use-auth-secret` / `static-auth-secret`: the
app and the TURN server share one secret, the username is `"<expiry unix seconds>:<user id>"` and the password is
base64(HMAC-SHA1(secret, username)). The TURN server recomputes the password from the username alone, so no
per-user TURN account exists anywhere, no long-lived TURN password reaches a browser, and a credential stops
working by itself at its expiry (coturn refuses an expired timestamp).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.domain.voip.models import IceServer

if TYPE_CHECKING:
    from shared.settings import Settings

# coturn's default `rest-api-separator`; the timestamp is everything before the first one, so a user id may hold more.
USERNAME_SEPARATOR = ":"


@dataclass(frozen=True)
class TurnCredentials:
    username: str
    credential: str
    expires_at: int  # unix seconds, the same number the username starts with


def turn_username(user_id: str, expires_at: int) -> str:
    return f"{expires_at}{USERNAME_SEPARATOR}{user_id}"


def turn_password(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def issue_turn_credentials(secret: str, user_id: str, ttl_seconds: int, *, now: float | None = None) -> TurnCredentials:
    if not secret:
        raise ValueError("a TURN secret is required to issue TURN credentials")
    if ttl_seconds <= 0:
        raise ValueError("a TURN credential needs a positive lifetime")
    expires_at = int(time.time() if now is None else now) + ttl_seconds
    username = turn_username(user_id, expires_at)
    return TurnCredentials(username=username, credential=turn_password(secret, username), expires_at=expires_at)


def build_ice_servers(stun_urls: Sequence[str], turn_urls: Sequence[str],
                      credentials: TurnCredentials | None) -> list[IceServer]:
    """STUN needs no credentials; every TURN URL shares the one credential, as they are one server's listeners."""
    servers = [IceServer(urls=list(stun_urls))] if stun_urls else []
    if turn_urls:
        if credentials is None:
            raise ValueError("TURN URLs need credentials")
        servers.append(IceServer(urls=list(turn_urls), username=credentials.username,
                                 credential=credentials.credential))
    return servers


def ice_servers_for(user_id: str, settings: Settings, *, now: float | None = None) -> list[IceServer]:
    """The ICE servers for one user's next call, with TURN credentials that expire after `voip_turn_ttl_seconds`."""
    credentials = None
    if settings.voip_turn_urls:
        credentials = issue_turn_credentials(settings.voip_turn_secret, user_id, settings.voip_turn_ttl_seconds,
                                             now=now)
    return build_ice_servers(settings.voip_stun_urls, settings.voip_turn_urls, credentials)
