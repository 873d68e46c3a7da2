"""Anonymous identities: one alias per user per topic, unique inside the topic.

Two documents per alias in the `aliases` container (pk = topic id), written in one transactional batch:
"user:<uid>" holds the alias, "name:<lowercase alias>" reserves the name. A name taken by someone else makes
the batch fail with Conflict, so uniqueness holds under concurrency without a read-then-write race.
Only the alias owner ever sees the link between the two; nothing here is returned to other users.
"""

from __future__ import annotations

import re
import secrets

from shared import clock
from shared.domain import events
from shared.domain.communities.access import access_topic
from shared.domain.communities.anonymity_models import (
    AliasPublic,
    AliasUpdate,
)
from shared.domain.communities.containers import alias_name_id, alias_user_id
from shared.domain.communities.documents import AliasDoc, AliasNameDoc, alias_docs, alias_name_docs
from shared.domain.identity import Principal
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from shared.ports import BatchOp

MIN_LENGTH, MAX_LENGTH = 3, 20
MAX_ATTEMPTS = 8
ADJECTIVES = ("Swift", "Quiet", "Bright", "Clever", "Brave", "Calm", "Eager", "Gentle", "Happy", "Jolly", "Kind",
              "Lucky", "Mighty", "Noble", "Proud", "Silent", "Witty", "Bold", "Cosmic", "Misty", "Sunny", "Amber")
NOUNS = ("Panda", "Falcon", "Otter", "Fox", "Owl", "Tiger", "Badger", "Heron", "Lynx", "Raven", "Koala", "Whale",
         "Comet", "Maple", "River", "Cedar", "Pebble", "Willow", "Dolphin", "Sparrow", "Bison", "Wolf")
# Words an alias may not contain (compared on letters only, so "A d m i n" is caught too).
BLOCKED_WORDS = ("admin", "administrator", "moderator", "mod", "owner", "staff", "system", "support", "official",
                 "topicsflow", "root", "deleted", "anonymous")
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9 ]+")


def generated_name() -> str:
    return f"{secrets.choice(ADJECTIVES)}{secrets.choice(NOUNS)}{secrets.randbelow(999) + 1}"


def clean_name(raw: str) -> str:
    """Letters, digits and single spaces; each word capitalised; 3-20 characters; no blocked words."""
    words = _NOT_ALLOWED.sub(" ", raw).split()
    name = " ".join(w[:1].upper() + w[1:] for w in words)[:MAX_LENGTH].strip()
    if len(name) < MIN_LENGTH:
        raise ValidationFailed(details=[{"field": "body.name", "code": "alias_too_short",
                                         "message": f"Use {MIN_LENGTH} to {MAX_LENGTH} letters, digits or spaces."}])
    letters = name.replace(" ", "").casefold()
    tokens = {w.casefold() for w in name.split()}
    if any(word in tokens or (len(word) >= 7 and word in letters) for word in BLOCKED_WORDS):
        raise ValidationFailed(details=[{"field": "body.name", "code": "alias_not_allowed",
                                         "message": "This name is not allowed."}])
    return name


def _with_counter(name: str, n: int) -> str:
    suffix = str(n)
    return f"{name[:MAX_LENGTH - len(suffix)].rstrip()}{suffix}"


async def current_alias(topic_id: str, user_id: str) -> AliasDoc | None:
    try:
        return await alias_docs.read(topic_id, alias_user_id(user_id))
    except NotFound:
        return None


async def _claim(topic_id: str, user_id: str, name: str, previous: AliasDoc | None) -> AliasDoc | None:
    """Writes the alias atomically; None when the name is taken (by someone else) or the previous alias changed."""
    now = clock.now_iso()
    user_doc: AliasDoc = {"id": alias_user_id(user_id), "pk": topic_id, "kind": "alias", "topic_id": topic_id,
                          "user_id": user_id, "anonymous_name": name,
                          "created_at": previous.get("created_at", now) if previous else now, "updated_at": now}
    name_doc: AliasNameDoc = {"id": alias_name_id(name), "pk": topic_id, "kind": "alias_name",
                              "topic_id": topic_id, "user_id": user_id, "anonymous_name": name, "created_at": now}
    ops = [alias_name_docs.op("create", name_doc)]
    if previous is None:
        ops.append(alias_docs.op("create", user_doc))
    else:
        if alias_name_id(previous["anonymous_name"]) != name_doc["id"]:
            ops.append(BatchOp("delete", id=alias_name_id(previous["anonymous_name"])))
        else:  # the same name with other capitals: the reservation stays, only its spelling changes
            ops[0] = alias_name_docs.op("upsert", name_doc)
        ops.append(alias_docs.op("replace", user_doc, if_match=previous.get("_etag")))
    try:
        await alias_docs.batch(topic_id, ops)
    except (Conflict, PreconditionFailed, NotFound):
        return None
    return user_doc


async def alias_for(topic_id: str, user_id: str) -> str:
    """Get or create the user's alias (generated) in the topic."""
    for _ in range(MAX_ATTEMPTS):
        existing = await current_alias(topic_id, user_id)
        if existing is not None:
            return existing["anonymous_name"]
        created = await _claim(topic_id, user_id, generated_name(), None)
        if created is not None:
            return created["anonymous_name"]
    raise Conflict("Could not find a free anonymous name; try again.", code="alias_unavailable")


async def set_alias(topic_id: str, user_id: str, wanted: str | None) -> str:
    """Chosen names are cleaned, then made unique in the topic by appending 2, 3, ... ; no name: a new one."""
    base = clean_name(wanted) if wanted is not None else None
    for attempt in range(MAX_ATTEMPTS * 4):
        previous = await current_alias(topic_id, user_id)
        if base is None:
            name = generated_name()
        else:
            name = base if attempt == 0 else _with_counter(base, attempt + 1)
            if previous is not None and previous["anonymous_name"] == name:
                return name
        claimed = await _claim(topic_id, user_id, name, previous)
        if claimed is not None:
            return name
    raise Conflict("Could not find a free anonymous name; choose another.", code="alias_unavailable")


# ---------------------------------------------------------------------------------------------------------
# services behind the HTTP routes


async def check_get_alias(principal: Principal, topic_id: str) -> AliasPublic:
    await access_topic(principal, topic_id)
    doc = await current_alias(topic_id, principal.user_id)
    return AliasPublic(topic_id=topic_id, anonymous_name=doc["anonymous_name"] if doc else None)


async def check_set_alias(principal: Principal, topic_id: str, body: AliasUpdate) -> AliasPublic:
    access = await access_topic(principal, topic_id)
    if not access.topic.get("settings", {}).get("allow_anonymous", True):
        raise Forbidden("This topic does not allow anonymous posting.", code="anonymity_disabled")
    name = await set_alias(topic_id, principal.user_id, body.name)
    await events.publish_to_user(principal.user_id, "anonymous_identity_updated",
                                 {"topic_id": topic_id, "anonymous_name": name})
    return AliasPublic(topic_id=topic_id, anonymous_name=name)


async def check_delete_alias(principal: Principal, topic_id: str) -> None:
    """Forget the alias: a later anonymous post gets a fresh one. Content already posted keeps its old alias."""
    await access_topic(principal, topic_id)
    doc = await current_alias(topic_id, principal.user_id)
    if doc is None:
        return
    ops = [BatchOp("delete", id=alias_name_id(doc["anonymous_name"])),
           BatchOp("delete", id=doc["id"], if_match=doc.get("_etag"))]
    try:
        await alias_docs.batch(topic_id, ops)
    except (NotFound, PreconditionFailed):
        raise Conflict("The alias changed meanwhile; try again.", code="alias_changed") from None
