"""The value that ties a client URL to the session that negotiated it.

Negotiate appends `tf_binding=<sid>.<expiry>.<signature>` to the URL the service signed. The service hands the
query to our `connect` handler, which refuses the connection unless the binding verifies for the user the service
vouches for (the JWT's subject), has not expired, and names a session that is still alive. The signature is an
HMAC with a key derived from the app secret, so a client can neither forge a binding nor move one to another
user; the session id alone proves nothing (it is shown in the session list), which is why both are signed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from shared.settings import get_settings

QUERY_PARAMETER = "tf_binding"
_SIGNATURE_BYTES = 16


def _key() -> bytes:
    return hashlib.sha256(b"realtime-binding:" + get_settings().secret_key.encode()).digest()


def _signature(user_id: str, sid: str, expires_at: int) -> str:
    mac = hmac.new(_key(), f"{user_id}\0{sid}\0{expires_at}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:_SIGNATURE_BYTES]).decode().rstrip("=")


def sign(user_id: str, sid: str, expires_at: int) -> str:
    return f"{sid}.{expires_at}.{_signature(user_id, sid, expires_at)}"


def session_of(binding: str | None, user_id: str, *, now: float | None = None) -> str | None:
    """The session id the binding names, if it was signed for this user and has not expired; None otherwise."""
    if not binding or len(binding) > 200:
        return None
    sid, _, rest = binding.partition(".")
    expiry, _, signature = rest.partition(".")
    if not sid or not expiry.isdigit() or not signature:
        return None
    expires_at = int(expiry)
    if expires_at < (time.time() if now is None else now):
        return None
    if not hmac.compare_digest(signature.encode(), _signature(user_id, sid, expires_at).encode()):
        return None
    return sid
