"""OData filters for the Realtime port, built from values: the only way code should make one.

Web PubSub picks the connections a send or a batch membership change applies to with an OData filter (the
language is described in devhost/hub/odata.py). Ids and group names come from users, and a quote in one of
them would change what a hand-written filter means, so every value goes in through a helper that quotes it:

    both(user_filter(user_id), in_group(f"topic_{topic_id}"))
    # -> "(userId eq 'u1') and ('topic_7' in groups)"

`ConnectionFilter` is a distinct type for the checker: the port's methods take one, and a plain string only
becomes one through these helpers (or an explicit `ConnectionFilter(...)`, which a reviewer can see).
"""

from __future__ import annotations

from typing import NewType

ConnectionFilter = NewType("ConnectionFilter", str)


def literal(value: str) -> str:
    """An OData string literal: single quotes, each quote inside doubled."""
    if not isinstance(value, str):
        raise TypeError(f"filter values are strings, not {type(value).__name__}")
    return "'" + value.replace("'", "''") + "'"


def user_filter(user_id: str) -> ConnectionFilter:
    """Every connection of this user."""
    return ConnectionFilter(f"userId eq {literal(user_id)}")


def connection_filter(connection_id: str) -> ConnectionFilter:
    """This one connection."""
    return ConnectionFilter(f"connectionId eq {literal(connection_id)}")


def in_group(group: str) -> ConnectionFilter:
    """Connections that are in this group now."""
    return ConnectionFilter(f"{literal(group)} in groups")


def both(*filters: ConnectionFilter) -> ConnectionFilter:
    """Connections that every filter picks."""
    return _joined("and", filters)


def either(*filters: ConnectionFilter) -> ConnectionFilter:
    """Connections that at least one filter picks."""
    return _joined("or", filters)


def negate(filter: ConnectionFilter) -> ConnectionFilter:
    """Connections the filter does not pick. Parenthesised, because `not` binds tighter than `eq` and `in`."""
    return ConnectionFilter(f"not ({filter})")


def _joined(operator: str, filters: tuple[ConnectionFilter, ...]) -> ConnectionFilter:
    if not filters:
        raise ValueError(f"'{operator}' needs at least one filter")
    if len(filters) == 1:
        return filters[0]
    return ConnectionFilter(f" {operator} ".join(f"({f})" for f in filters))
