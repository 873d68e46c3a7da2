"""The ICE server list one caller gets (GET /api/voip/ice-servers), from settings and turn.py."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from shared.domain.voip.call_models import IceServers
from shared.domain.voip.turn import ice_servers_for
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.domain.identity import Principal


def ice_servers(principal: Principal) -> IceServers:
    settings = get_settings()
    now = time.time()
    servers = ice_servers_for(principal.user_id, settings, now=now)
    if not settings.voip_turn_urls:
        return IceServers(ice_servers=servers, ttl_seconds=0, expires_at=None)
    ttl = settings.voip_turn_ttl_seconds
    return IceServers(ice_servers=servers, ttl_seconds=ttl, expires_at=int(now) + ttl)
