"""Which groups a user's connections joined under each scope, and taking them all back in a few calls.

Joining records the group (and its scope's guard, see groups.py) in two sets:

    rt:joins:<user id>:<scope key>  groups this user's connections joined under the scope
    rt:scope:<scope key>            groups anyone joined under the scope (for when the scope itself goes away)

Revoking a user's access to a scope is one `:removeFromGroups` call per 100 recorded groups, with the filter
"connections of this user" (the guard first among them): a member with 100 post groups open costs 2 calls, not
101, and no scan of the hub. Revoking a scope for everyone (a topic deleted) is the same without the filter.

A join checks access, records, adds the connection, and then checks access again: if the access went away in
between (a kick racing a join), the second check sees it and undoes the add; if the revocation ran after our
record, it removed what we added. Either way no connection keeps a group it lost.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from shared import wiring
from shared.domain.realtime.groups import Scope
from shared.realtime_filters import connection_filter, user_filter

log = logging.getLogger("topicsflow.realtime.grants")

GROUPS_PER_CALL = 100  # keeps one request body small; Azure documents no lower limit
RECORD_TTL_SECONDS = 24 * 3600.0  # longer than any session, renewed by every join


def _joins_key(user_id: str, scope: Scope) -> str:
    return f"rt:joins:{user_id}:{scope.key}"


def _scope_key(scope: Scope) -> str:
    return f"rt:scope:{scope.key}"


async def record_and_add(user_id: str, connection_id: str, group: str, scopes: Sequence[Scope],
                         still_allowed: Callable[[], Awaitable[bool]]) -> bool:
    """Puts the connection in the group and the guards of its scopes; False (and nothing kept) when the access
    had gone by the time the connection was added."""
    kv = wiring.kv()
    groups = [*(scope.guard for scope in scopes), group]
    for scope in scopes:
        await kv.set_add(_joins_key(user_id, scope), *groups, ttl_seconds=RECORD_TTL_SECONDS)
        await kv.set_add(_scope_key(scope), *groups, ttl_seconds=RECORD_TTL_SECONDS)
    await wiring.realtime().add_connections_to_groups(groups, connection_filter(connection_id))
    if await still_allowed():
        return True
    await wiring.realtime().remove_connections_from_groups(groups, connection_filter(connection_id))
    return False


async def remove_connection(connection_id: str, group: str) -> None:
    """A client leaving one group; its guard stays, since other groups of the scope may need it."""
    await wiring.realtime().remove_connection_from_group(group, connection_id)


async def revoke(user_id: str, scope: Scope) -> int:
    """Removes every connection of the user from every group recorded under the scope. Returns the REST calls
    made (for the benchmark); failures are logged, since the write that took the access away already happened
    and the guard filter still keeps events away from anything left behind."""
    kv = wiring.kv()
    key = _joins_key(user_id, scope)
    groups = guard_first(await kv.set_members(key), scope)
    calls = await _remove_in_batches(groups, user_id)
    await kv.delete(key)
    return calls


async def revoke_everyone(scope: Scope) -> int:
    """Every connection out of every group recorded under the scope (the thing itself is gone or hidden)."""
    kv = wiring.kv()
    groups = guard_first(await kv.set_members(_scope_key(scope)), scope)
    calls = await _remove_in_batches(groups, None)
    await kv.delete(_scope_key(scope))
    return calls


async def _remove_in_batches(groups: list[str], user_id: str | None) -> int:
    # The guard goes in the first batch, so the cut-off of events comes first.
    calls = 0
    for start in range(0, len(groups), GROUPS_PER_CALL):
        batch = groups[start:start + GROUPS_PER_CALL]
        try:
            await wiring.realtime().remove_connections_from_groups(
                batch, user_filter(user_id) if user_id is not None else None)
        except Exception:
            log.exception("could not remove connections from %d realtime groups", len(batch))
        calls += 1
    return calls


def guard_first(groups: set[str], scope: Scope) -> list[str]:
    return [scope.guard, *sorted(groups - {scope.guard})]
