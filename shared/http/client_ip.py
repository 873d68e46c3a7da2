"""Which address a request came from, without trusting what the client says about itself.

The platform edge (App Service's front end on Azure, the dev host locally) appends the socket address it saw
to X-Forwarded-For, so the right-most entry is always the edge's own observation. Anything further left was
written by whoever sent the request. Only when `trusted_proxies` proxies of ours sit in front of the edge
(Front Door, a gateway) do we step that many entries to the left.
"""

from __future__ import annotations

from collections.abc import Mapping


def client_ip(headers: Mapping[str, str], trusted_proxies: int) -> str:
    chain = [part.strip() for part in (headers.get("x-forwarded-for") or "").split(",") if part.strip()]
    if not chain:
        return "unknown"
    index = max(0, len(chain) - 1 - max(0, trusted_proxies))
    return _strip_port(chain[index])


def _strip_port(address: str) -> str:
    if address.startswith("["):  # [v6]:port
        return address[1:].split("]", 1)[0]
    if address.count(":") == 1:  # v4:port (App Service appends the client port)
        return address.split(":", 1)[0]
    return address
