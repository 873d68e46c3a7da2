"""The outbox: a side effect that must follow a write is stored with the write, then relayed until it is done.

    created, = await outbox.write(COMMENTS, post_id, [BatchOp("create", doc=comment)], [
        outbox.step("comments.counted", post_id=post_id, ...),
        outbox.send(FANOUT_QUEUE, {"comment_id": comment_id}, message_id=comment_id),
    ], source=comment_id)

`write`: the write's operations and one outbox document go in one transactional batch (same container, same
partition), so both are stored or neither is. Right after, the writer relays it: the effects run in order and the
document is deleted. When that fails (the queue is down, the store throttles, the worker dies) the client's request
still succeeds, because what the client asked for is stored; the document stays, and the `platform_relay_outbox`
timer relays it later. The timer finds outbox documents with one cross-partition query on `kind = "outbox"` per
container in CONTAINERS: a container that holds outbox documents must be listed there.

`pending`: for a write a batch cannot express (a conditional patch, a key-value write), the outbox document is
written first, then the write, then the relay; a failed write discards the document. A worker that dies between
the two leaves effects for a write that may not have happened, so these effects must work from the stored state
(e.g. "re-stamp topic X from what the topic says now"), never from what the request wanted.

Effects run at least once. A queue send carries a deterministic message id ("<outbox id>/<n>" unless one is given),
so Service Bus duplicate detection and the dev queue drop a resend inside their window, and queue handlers are
idempotent anyway. A step (a domain function registered in STEPS) must be idempotent, or be marked `once`: once
a later effect fails, the completion of a `once` step is recorded on the document so the timer does not repeat it
(a crash at the wrong moment still can; the counters such steps bump are recounted by the reconciler).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from shared import clock, wiring
from shared.errors import NotFound, PreconditionFailed
from shared.ports import BatchOp, Patch, Query, Where

log = logging.getLogger("topicsflow.outbox")

KIND = "outbox"
# Every container that may hold outbox documents: the relay timer looks in each (one query per container).
CONTAINERS: tuple[str, ...] = (
    "comments",  # a new comment (pk = post id): post counters, mentions, the followers' fan-out
    "posts",  # a new post (pk = topic id): topic counters, the author's follow, mentions
    "topics",  # a topic's audience changed (pk = topic id): re-stamp its posts' feed audience
    "users",  # an account deleted (pk = user id): the erasure job and its mail
    "model_jobs",  # a job submitted (pk = job id): its queue message
    "models",  # a model deleted (pk = model id): its cleanup job
    "messages",  # a chat message (pk = conversation id): its mentions and the followers' notification
    "outbox",  # side effects whose write is not a document (account mails after a code was issued)
)
# Steps by name -> "module:function", imported when a relay first runs one. Each takes (args, hints).
STEPS: dict[str, str] = {
    "comments.counted": "shared.domain.communities.comment_effects:count_comment",
    "comments.notified": "shared.domain.communities.comment_effects:notify_about_comment",
    "posts.counted": "shared.domain.communities.post_effects:count_post",
    "posts.followed_up": "shared.domain.communities.post_effects:follow_up_post",
    "mail.sent": "shared.domain.accounts.mail:relay_mail",
    "chat.mentioned": "shared.domain.chat.mentions:notify_room_mentions",
    "chat.followers_notified": "shared.domain.chat.followers:notify_followers",
}
LEASE_SECONDS = 60.0  # a relay in progress owns the document this long; the timer leaves it alone meanwhile
RELAY_TIMEOUT_SECONDS = 10.0  # how long a request waits for its own relay before leaving it to the timer
MAX_BACKOFF_SECONDS = 3600.0
TIMER_PAGE = 100

Step = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None]]
relayed: Counter[str] = Counter()  # "now" (by the writer) / "timer" -> documents this worker relayed
relay_failures: Counter[str] = Counter()  # effect ("send:<queue>" / "step:<name>") -> failed attempts


@dataclass(frozen=True)
class Effect:
    kind: str  # "send" or "step"
    spec: dict[str, Any]
    once: bool = False

    def to_doc(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.spec, "once": self.once}


def send(queue: str, body: dict[str, Any], *, message_id: str | None = None) -> Effect:
    """A queue message; without a message id it gets "<outbox id>/<position>", stable across resends."""
    return Effect("send", {"queue": queue, "body": body, "message_id": message_id})


def step(name: str, *, once: bool = False, **args: Any) -> Effect:
    if name not in STEPS:
        raise ValueError(f"unknown outbox step {name!r}: register it in shared/domain/outbox.py STEPS")
    return Effect("step", {"name": name, "args": args}, once=once)


def outbox_id(source: str | None = None) -> str:
    """"outbox.<source>" (one outbox document per written document), or a random one."""
    return f"outbox.{source or secrets.token_hex(12)}"


def entry(pk: str, effects: Sequence[Effect], *, source: str | None = None) -> dict[str, Any]:
    """The outbox document; its lease lets the writer relay it before the timer may."""
    if not effects:
        raise ValueError("an outbox document needs at least one effect")
    return {"id": outbox_id(source), "pk": pk, "kind": KIND, "effects": [e.to_doc() for e in effects],
            "done": [], "attempts": 0, "last_error": None, "created_at": clock.now_iso(),
            "relay_after": clock.later_iso(seconds=LEASE_SECONDS)}


# ---------------------------------------------------------------------------------------------------------
# recording


async def write(container: str, pk: str, ops: Sequence[BatchOp], effects: Sequence[Effect], *,
                source: str | None = None, hints: dict[str, Any] | None = None) -> list[dict[str, Any] | None]:
    """The operations and the outbox document in one transactional batch, then the relay; returns the results of
    `ops`. Raises only what the batch raised (then nothing was written)."""
    if container not in CONTAINERS:
        raise ValueError(f"container {container!r} is not registered in outbox.CONTAINERS")
    results = await wiring.documents().batch(container, pk, [*ops, BatchOp("create", doc=entry(pk, effects,
                                                                                            source=source))])
    stored = results[-1]
    if stored is not None:
        await relay_now(container, stored, hints)
    return results[:-1]


@dataclass
class Pending:
    container: str
    doc: dict[str, Any]
    hints: dict[str, Any] = field(default_factory=dict)


@asynccontextmanager
async def pending(container: str, pk: str, effects: Sequence[Effect], *,
                  source: str | None = None) -> AsyncIterator[Pending]:
    """Records the effects, runs the block (the write), then relays; an exception in the block discards them."""
    if container not in CONTAINERS:
        raise ValueError(f"container {container!r} is not registered in outbox.CONTAINERS")
    doc = await wiring.documents().create(container, entry(pk, effects, source=source))
    box = Pending(container, doc)
    try:
        yield box
    except BaseException:
        await _discard(container, doc)
        raise
    await relay_now(container, box.doc, box.hints)


async def record(container: str, pk: str, effects: Sequence[Effect], *, source: str | None = None) -> None:
    """Effects that follow a write outside the document store (it already happened): stored, then relayed."""
    async with pending(container, pk, effects, source=source):
        pass


async def _discard(container: str, doc: dict[str, Any]) -> None:
    try:
        await wiring.documents().delete(container, doc["pk"], doc["id"])
    except Exception:  # the timer relays it instead; its effects hold on any stored state
        log.warning("could not discard outbox document %s in %s", doc["id"], container, exc_info=True)


# ---------------------------------------------------------------------------------------------------------
# relaying


async def relay_now(container: str, doc: dict[str, Any], hints: dict[str, Any] | None = None) -> bool:
    """The writer's relay, right after its write: never raises (the write is stored; the timer finishes)."""
    try:
        done = await asyncio.wait_for(relay(container, doc, hints), RELAY_TIMEOUT_SECONDS)
    except Exception:
        log.warning("relaying outbox document %s in %s failed; the timer will", doc["id"], container, exc_info=True)
        return False
    if done:
        relayed["now"] += 1
    return done


async def relay(container: str, doc: dict[str, Any], hints: dict[str, Any] | None = None) -> bool:
    """Runs the effects not done yet, in order, and deletes the document. On a failure: the `once` steps that
    completed are recorded, the retry time pushed back, and False returned."""
    done = set(doc.get("done") or [])
    completed_once: list[int] = []
    for position, effect in enumerate(doc["effects"]):
        if position in done:
            continue
        try:
            await _run(effect, doc, position, hints or {})
        except Exception as exc:
            relay_failures[_label(effect)] += 1
            log.warning("outbox effect %s of %s in %s failed (attempt %d)", _label(effect), doc["id"], container,
                        int(doc.get("attempts") or 0) + 1, exc_info=True)
            await _note_failure(container, doc, sorted(done | set(completed_once)), exc)
            return False
        if effect.get("once"):
            completed_once.append(position)
    try:
        await wiring.documents().delete(container, doc["pk"], doc["id"])
    except NotFound:
        pass  # another relay finished it
    return True


def _label(effect: dict[str, Any]) -> str:
    return f"send:{effect.get('queue')}" if effect["kind"] == "send" else f"step:{effect.get('name')}"


async def _run(effect: dict[str, Any], doc: dict[str, Any], position: int, hints: dict[str, Any]) -> None:
    if effect["kind"] == "send":
        await wiring.queue().send(effect["queue"], effect["body"],
                                  message_id=effect.get("message_id") or f"{doc['id']}/{position}")
        return
    await _step(effect["name"])(dict(effect.get("args") or {}), hints)


def _step(name: str) -> Step:
    module, _, function = STEPS[name].partition(":")
    return getattr(importlib.import_module(module), function)


def backoff_seconds(attempts: int) -> float:
    """How long after a failed relay the timer tries again: at once after the writer's own attempt, then
    OUTBOX_RETRY_SECONDS doubling per attempt, at most an hour."""
    from shared.settings import get_settings

    base = get_settings().outbox_retry_seconds
    return 0.0 if attempts <= 0 else min(MAX_BACKOFF_SECONDS, base * 2 ** (attempts - 1))


async def _note_failure(container: str, doc: dict[str, Any], done: list[int], exc: Exception) -> None:
    attempts = int(doc.get("attempts") or 0)
    ops = [Patch("set", "/done", done), Patch("set", "/last_error", type(exc).__name__),
           Patch("set", "/relay_after", clock.later_iso(seconds=backoff_seconds(attempts)))]
    try:
        await wiring.documents().patch(container, doc["pk"], doc["id"], ops)
    except Exception:  # the lease runs out and the timer retries everything not recorded as done
        log.warning("could not record the failure of outbox document %s", doc["id"], exc_info=True)


@dataclass
class RelayReport:
    relayed: int = 0
    failed: int = 0
    skipped: int = 0  # taken by another relay meanwhile


async def relay_due(*, max_per_container: int = TIMER_PAGE) -> RelayReport:
    """The timer's pass: every outbox document whose retry time has come, in every registered container. Each is
    taken with a conditional patch that pushes its retry time back first, so two timers never relay it at once."""
    report = RelayReport()
    documents = wiring.documents()
    now = clock.now_iso()
    for container in CONTAINERS:
        page = await documents.query(container, Query(where=[Where("kind", "=", KIND),
                                                             Where("relay_after", "<=", now)]),
                                     limit=max_per_container)
        for doc in page.items:
            try:
                lease = [Patch("incr", "/attempts", 1),
                         Patch("set", "/relay_after", clock.later_iso(seconds=LEASE_SECONDS))]
                taken = await documents.patch(container, doc["pk"], doc["id"], lease, if_match=doc.get("_etag"))
            except (PreconditionFailed, NotFound):
                report.skipped += 1
                continue
            if await relay(container, taken):
                report.relayed += 1
                relayed["timer"] += 1
            else:
                report.failed += 1
    return report


def counters() -> dict[str, Any]:
    """What this worker relayed and failed to relay, for /api/health."""
    return {"relayed": dict(relayed), "failed_attempts": dict(relay_failures)}


__all__ = ["CONTAINERS", "STEPS", "Effect", "Pending", "RelayReport", "counters", "entry", "pending", "record",
           "relay", "relay_due", "relay_now", "send", "step", "write"]
