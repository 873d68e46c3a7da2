"""Who is calling: the domain's own notion of identity.

The HTTP layer builds a Principal from a session (shared/http/auth.py), the realtime handler from the hub's
verified user id and the session the client URL was bound to; domain code only ever sees this class.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    is_admin: bool
    sid: str  # the session's public id ("" for callers without one, such as timers acting for a user)
    token_hash: str
    csrf: str
