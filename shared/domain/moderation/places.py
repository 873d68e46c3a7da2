"""Places: where a reported thing lives and whose moderators look after it. A topic's posts and comments live in
`topic:<id>`; users and profile images in `site`, which only administrators moderate. Chat rooms register
`room` (PLACE_KINDS below: one line) when chat lands.

`access_place` is the one gate that says whether the caller moderates a place (and with which permissions); it never
raises, so callers turn a "no" into the 404 their route answers. Cost: one topic read plus one read_many.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import cast

from shared.domain.identity import Principal
from shared.domain.moderation.containers import SITE, place_key
from shared.domain.moderation.documents import PlaceKind
from shared.errors import NotFound
from shared.ports import Query, Where

MAX_MODERATED_PLACES = 100  # a moderator's queue spans at most this many places (newest first)


@dataclass(frozen=True)
class Place:
    kind: PlaceKind
    id: str | None = None

    @property
    def key(self) -> str:
        return place_key(self.kind, self.id)


SITE_PLACE = Place("site", None)


def parse_place(value: str) -> Place:
    if value == SITE:
        return SITE_PLACE
    kind, _, place_id = value.partition(":")
    if kind not in ("topic", "room") or not place_id:
        raise NotFound("Place not found.", code="place_not_found")
    return Place(cast(PlaceKind, kind), place_id)


@dataclass(frozen=True)
class PlaceAccess:
    place: Place
    is_admin: bool
    is_moderator: bool  # an administrator, the place's owner or one of its moderators
    is_owner: bool = False
    permissions: frozenset[str] = field(default_factory=frozenset)

    def can(self, permission: str | None) -> bool:
        if self.is_admin or self.is_owner:
            return True
        return self.is_moderator and (permission is None or permission in self.permissions)


async def _topic_access(principal: Principal, place: Place) -> PlaceAccess:
    from shared.domain.communities.access import read_topic, standing

    try:
        topic = await read_topic(place.id or "")
    except NotFound:
        return PlaceAccess(place=place, is_admin=principal.is_admin, is_moderator=principal.is_admin)
    access = await standing(topic, principal.user_id, is_admin=principal.is_admin)
    moderates = principal.is_admin or access.role in ("moderator", "owner")
    return PlaceAccess(place=place, is_admin=principal.is_admin, is_moderator=moderates,
                       is_owner=access.role == "owner", permissions=frozenset(access.permissions))


async def _topic_places(principal: Principal) -> list[Place]:
    from shared.domain.communities.documents import member_docs

    page = await member_docs.query(Query(where=[Where("kind", "=", "member"), Where("user_id", "=", principal.user_id),
                                                Where("role", "in", ["moderator", "owner"])]),
                                   limit=MAX_MODERATED_PLACES)
    return [Place("topic", doc["topic_id"]) for doc in page.items]


PlaceGate = Callable[[Principal, Place], Awaitable[PlaceAccess]]
PlaceLister = Callable[[Principal], Awaitable[list[Place]]]
# kind -> (the gate, the places a user moderates). Chat adds "room": ("module:gate", "module:lister").
PLACE_KINDS: dict[str, tuple[PlaceGate | str, PlaceLister | str]] = {"topic": (_topic_access, _topic_places)}


def _resolve(target: Callable | str) -> Callable:
    if isinstance(target, str):
        module, _, name = target.partition(":")
        return getattr(import_module(module), name)
    return target


async def access_place(principal: Principal, place: Place) -> PlaceAccess:
    if place.kind == "site":
        return PlaceAccess(place=place, is_admin=principal.is_admin, is_moderator=principal.is_admin)
    entry = PLACE_KINDS.get(place.kind)
    if entry is None:
        return PlaceAccess(place=place, is_admin=principal.is_admin, is_moderator=principal.is_admin)
    return await _resolve(entry[0])(principal, place)


async def moderated_places(principal: Principal) -> list[Place]:
    """The places whose reports a (non-administrator) user reviews."""
    found: list[Place] = []
    for _gate, lister in PLACE_KINDS.values():
        found.extend(await _resolve(lister)(principal))
    return found
