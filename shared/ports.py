"""The ports: what the application needs from the outside world, as small Protocols.

Each adapter in shared/adapters implements exactly one of these, and each port has one contract test suite
(tests/contracts) that every adapter passes. Domain code depends on these Protocols only, never on an SDK.
Store-level failures are the shared.errors classes: NotFound (404), Conflict (409), PreconditionFailed (412).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from shared.realtime_filters import ConnectionFilter

# ---------------------------------------------------------------------------------------------------------
# documents: JSON documents in containers, each document carrying "id" and the partition key "pk".
# The adapters add "_etag" (opaque string) and "_ts" (epoch seconds) and strip every other system field.

Op = Literal["=", "!=", "<", "<=", ">", ">=", "in", "array_contains", "starts_with", "defined", "undefined"]


@dataclass(frozen=True)
class Where:
    """One condition on a (dotted) field path, e.g. Where("settings.require_approval", "=", True)."""

    field: str
    op: Op
    value: Any = None


SortDirection = Literal["asc", "desc"]


@dataclass(frozen=True)
class Query:
    where: Sequence[Where] = ()
    order_by: Sequence[tuple[str, SortDirection]] = ()


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    continuation: str | None  # opaque; None when there is nothing more


PatchKind = Literal["set", "incr", "add", "remove"]


@dataclass(frozen=True)
class Patch:
    """A JSON-patch-like operation; path is "/a/b". "add" on an array path ending in "/-" appends."""

    op: PatchKind
    path: str
    value: Any = None


BatchKind = Literal["create", "upsert", "replace", "delete", "read"]


@dataclass(frozen=True)
class BatchOp:
    op: BatchKind
    doc: dict[str, Any] | None = None  # create, upsert, replace
    id: str | None = None  # delete, read
    if_match: str | None = None


@runtime_checkable
class Documents(Protocol):
    async def create(self, container: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Insert; Conflict when the id already exists in the partition."""
        ...

    async def read(self, container: str, pk: str, id: str) -> dict[str, Any]:
        """NotFound when absent."""
        ...

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        """Point reads of (pk, id) pairs in one call; missing ones are left out."""
        ...

    async def upsert(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        ...

    async def replace(self, container: str, doc: dict[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        """NotFound when absent; PreconditionFailed when if_match is stale."""
        ...

    async def delete(self, container: str, pk: str, id: str, *, if_match: str | None = None) -> None:
        ...

    async def patch(self, container: str, pk: str, id: str, ops: Sequence[Patch], *,
                    if_match: str | None = None, condition: Sequence[Where] = ()) -> dict[str, Any]:
        """Atomic; PreconditionFailed when if_match is stale or the condition does not hold."""
        ...

    async def query(self, container: str, query: Query = Query(), *, pk: str | None = None,
                    limit: int = 100, continuation: str | None = None) -> Page:
        """pk=None queries across partitions."""
        ...

    async def count(self, container: str, where: Sequence[Where] = (), *, pk: str | None = None) -> int:
        ...

    async def batch(self, container: str, pk: str, ops: Sequence[BatchOp]) -> list[dict[str, Any] | None]:
        """All or nothing inside one partition (at most 100 operations)."""
        ...


# ---------------------------------------------------------------------------------------------------------
# blobs


@dataclass(frozen=True)
class BlobInfo:
    container: str
    name: str
    size: int
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    last_modified: datetime | None = None


@dataclass(frozen=True)
class Blob:
    info: BlobInfo
    data: bytes


@dataclass(frozen=True)
class UploadTarget:
    """Where a client PUTs a file: the URL plus headers it must send. max_bytes is also checked afterwards
    (see Blobs.info), because Azure SAS tokens cannot cap size."""

    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime
    max_bytes: int


@runtime_checkable
class Blobs(Protocol):
    async def put(self, container: str, name: str, data: bytes, *, content_type: str,
                  metadata: dict[str, str] | None = None, overwrite: bool = False) -> BlobInfo:
        """Conflict when the blob exists and overwrite is False."""
        ...

    async def get(self, container: str, name: str, *, offset: int = 0, length: int | None = None) -> Blob:
        ...

    async def info(self, container: str, name: str) -> BlobInfo:
        ...

    async def delete(self, container: str, name: str) -> None:
        """NotFound when absent."""
        ...

    async def list(self, container: str, prefix: str = "") -> list[BlobInfo]:
        ...

    async def read_url(self, container: str, name: str, *, expires_in_seconds: int,
                       download_name: str | None = None) -> str:
        ...

    async def upload_url(self, container: str, name: str, *, expires_in_seconds: int, max_bytes: int,
                         content_type: str) -> UploadTarget:
        ...


# ---------------------------------------------------------------------------------------------------------
# task queue (Service Bus semantics: at-least-once, message_id duplicate detection, scheduled delivery)


@runtime_checkable
class TaskQueue(Protocol):
    async def send(self, queue: str, body: dict[str, Any], *, message_id: str | None = None,
                   scheduled_at: datetime | None = None,
                   application_properties: dict[str, str | int | float | bool] | None = None) -> None:
        ...


# ---------------------------------------------------------------------------------------------------------
# realtime (Web PubSub data plane). A `filter` narrows a send or a batch membership change to the connections
# it picks; build it with shared.realtime_filters (user_filter, in_group, both, ...), never by hand.


@runtime_checkable
class Realtime(Protocol):
    async def send_to_all(self, message: dict[str, Any], *, excluded: Sequence[str] = (),
                          filter: ConnectionFilter | None = None) -> None: ...
    async def send_to_group(self, group: str, message: dict[str, Any], *, excluded: Sequence[str] = (),
                            filter: ConnectionFilter | None = None) -> None:
        """Members of the group, less the excluded, that the filter (if any) also picks."""

    async def send_to_user(self, user_id: str, message: dict[str, Any], *,
                           filter: ConnectionFilter | None = None) -> None: ...
    async def send_to_connection(self, connection_id: str, message: dict[str, Any]) -> None: ...
    async def add_user_to_group(self, group: str, user_id: str) -> None: ...
    async def remove_user_from_group(self, group: str, user_id: str) -> None: ...
    async def remove_user_from_all_groups(self, user_id: str) -> None: ...
    async def add_connection_to_group(self, group: str, connection_id: str) -> None: ...
    async def remove_connection_from_group(self, group: str, connection_id: str) -> None: ...
    async def add_connections_to_groups(self, groups: Sequence[str], filter: ConnectionFilter) -> None:
        """One call: every connection of the hub that the filter picks joins every group. Connections only: a
        user's later connections are not added (add_user_to_group does that)."""

    async def remove_connections_from_groups(self, groups: Sequence[str],
                                             filter: ConnectionFilter | None = None) -> None:
        """One call: every connection the filter picks (all, without one) leaves every group; how access to a
        topic ends for a user across its topic and post groups. It acts on connections: a membership made with
        add_user_to_group (which also enrols the user's later connections) needs remove_user_from_group too."""

    async def close_connection(self, connection_id: str, *, reason: str | None = None) -> None: ...
    async def close_user_connections(self, user_id: str, *, reason: str | None = None) -> None: ...
    async def client_url(self, user_id: str, *, roles: Sequence[str] = (), groups: Sequence[str] = (),
                         minutes: int = 60) -> str: ...


# ---------------------------------------------------------------------------------------------------------
# key-value: cache, sessions and rate limits (Redis semantics; keys are prefixed by the adapter)


@dataclass(frozen=True)
class WindowDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: float  # until the oldest hit in the window leaves it


@runtime_checkable
class KeyValue(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One round trip; the values in the order of `keys`, None for the missing ones."""
        ...

    async def set(self, key: str, value: bytes | str, *, ttl_seconds: float | None = None,
                  only_if_absent: bool = False) -> bool: ...
    async def delete(self, *keys: str) -> int: ...
    async def incr(self, key: str, amount: int = 1, *, ttl_seconds: float | None = None) -> int: ...
    async def ttl(self, key: str) -> float | None: ...
    async def expire(self, key: str, ttl_seconds: float) -> bool: ...
    async def set_add(self, key: str, *members: str, ttl_seconds: float | None = None) -> int: ...
    async def set_remove(self, key: str, *members: str) -> int: ...
    async def set_members(self, key: str) -> set[str]: ...
    async def hit_window(self, key: str, *, limit: int, window_seconds: float, cost: int = 1) -> WindowDecision:
        """Sliding-window rate limit: records the hit only when allowed."""
        ...

    async def peek_window(self, key: str, *, limit: int, window_seconds: float) -> WindowDecision: ...
    async def ping(self) -> bool: ...


# ---------------------------------------------------------------------------------------------------------
# mail


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    tags: Sequence[str] = ()


@runtime_checkable
class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...
