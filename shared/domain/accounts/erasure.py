"""Erasing an account, as a queued job, with a registry so each area removes or anonymises its own content.

    from shared.domain.accounts.erasers import register_eraser  # also importable from here

    async def erase_topic_memberships(user_id: str) -> None: ...
    register_eraser("topics.memberships", erase_topic_memberships)
    register_eraser("models", "shared.domain.models.erasure:erase_user_models")  # imported when the job runs

The registry lives in erasers.py, which imports nothing heavy: `function_app` registers the erasers by dotted
path while it loads, without loading this module or theirs. Erasers run in registration order, each must be
idempotent (the job is delivered at least once and retried when any eraser raises) and must not depend on the
user document still existing. After all of them succeed, the account's own data goes: blocks both ways, profile
images, sessions, pending codes, lookup documents, credentials and, last, the user document.
"""

from __future__ import annotations

import logging

from shared import errors, wiring
from shared.domain import outbox
from shared.domain.accounts import codes, store
from shared.domain.accounts.documents import block_docs
from shared.domain.accounts.erasers import (  # noqa: F401  (the registry, re-exported)
    Eraser,
    _erasers,
    register_eraser,
    registered_erasers,
)
from shared.domain.purging import delete_partition
from shared.ports import Query, Where

log = logging.getLogger("topicsflow.erasure")

ERASURE_QUEUE = "account-erasure"


def erasure_effect(user_id: str) -> outbox.Effect:
    """The erasure job as an outbox effect, to record with the write that marks the account deleting."""
    return outbox.send(ERASURE_QUEUE, {"user_id": user_id}, message_id=f"erase-{user_id}")


async def enqueue_erasure(user_id: str) -> None:
    """The erasure job on its own (account deletion records it with the status change instead)."""
    await outbox.record(store.USERS, user_id, [erasure_effect(user_id)], source=f"erase-{user_id}")


async def do_erase_account(user_id: str) -> list[str]:
    """Runs every registered eraser, then removes the account itself. Returns the erasers that ran."""
    ran = []
    failures = []
    for name, fn in registered_erasers().items():
        try:
            await fn(user_id)
            ran.append(name)
        except Exception:
            log.exception("eraser %s failed for an account; the job will be retried", name)
            failures.append(name)
    if failures:
        raise RuntimeError(f"erasers failed: {', '.join(failures)}")
    await _erase_own_data(user_id)
    return ran


async def _erase_own_data(user_id: str) -> None:
    from shared.domain.accounts import profiles, registration

    await _delete_blocks(user_id)
    await profiles.delete_all_images(user_id)
    await wiring.sessions().end_all_for_user(user_id)
    for purpose in (registration.VERIFY_PURPOSE, "email-change"):
        await codes.discard_code(purpose, user_id)
    user = await store.get_user(user_id)
    credentials = await store.get_credentials(user_id)
    if credentials is not None:
        if email_key := credentials.get("email_lower"):
            await store.release("email", email_key, user_id)
        await _delete(store.CREDENTIALS, user_id, user_id)
    if user is not None:
        await store.release("username", user["username_lower"], user_id)
        await _delete(store.USERS, user_id, user_id)


async def _delete_blocks(user_id: str) -> None:
    await delete_partition(store.BLOCKS, user_id)  # blocks this user made: one partition
    while True:  # blocks of this user by others: across partitions
        page = await block_docs.query(Query(where=[Where("blocked_id", "=", user_id)]), limit=100)
        for doc in page.items:
            await _delete(store.BLOCKS, doc["pk"], doc["id"])
        if not page.items:
            break


async def _delete(container: str, pk: str, id: str) -> None:
    try:
        await wiring.documents().delete(container, pk, id)
    except errors.NotFound:
        pass
