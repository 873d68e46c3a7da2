"""Notifications at the domain level, on the real SQLite adapter: exactly once, expiry, read state, paging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared import clock, wiring
from shared.adapters.documents_sqlite import SqliteDocuments
from shared.domain.notifications import service
from shared.domain.notifications.models import Actor
from shared.domain.notifications.service import NOTIFICATIONS
from shared.errors import BadRequest, NotFound
from shared.ports import Patch
from tests.domain.communities.conftest import RecordedRealtime


@pytest.fixture
async def store(tmp_path):
    wiring.reset()
    docs = SqliteDocuments(tmp_path / "documents.sqlite3")
    realtime = RecordedRealtime()
    wiring.override("documents", docs)
    wiring.override("realtime", realtime)
    yield docs
    await docs.close()
    wiring.reset()


ACTOR = Actor(display_name="bob", anonymous=False, user_id="u_bob", username="bob")


async def notify(n: str, user: str = "u_alice"):
    return await service.notify(user, f"mention_{n}", "mention", title="bob mentioned you", message=n,
                                data={"post_id": n}, actor=ACTOR)


async def test_one_cause_notifies_once_and_publishes_once(store):
    assert await notify("p1") is not None
    assert await notify("p1") is None
    assert (await service.unread_count("u_alice")).count == 1
    sent = [args for method, args in wiring.realtime().calls if method == "send_to_group"]
    assert len(sent) == 1 and sent[0][0] == "user_u_alice" and sent[0][1]["type"] == "new_notification"


async def test_expired_notifications_are_invisible_before_the_purge_and_gone_after_it(store):
    await notify("old")
    await notify("new")
    await store.patch(NOTIFICATIONS, "u_alice", "mention_old",
                      [Patch("set", "/expires_at", clock.iso(clock.now() - timedelta(seconds=1)))])
    page = await service.list_notifications("u_alice", limit=10, cursor=None, unread_only=False)
    assert [n.id for n in page.items] == ["mention_new"]
    assert (await service.unread_count("u_alice")).count == 1
    with pytest.raises(NotFound):
        await service.mark_read("u_alice", "mention_old")
    assert await service.purge_expired() == 1
    assert await store.count(NOTIFICATIONS, pk="u_alice") == 1


async def test_every_notification_carries_a_time_to_live(store):
    doc = await notify("p1")
    assert doc["ttl"] == service.TTL_SECONDS
    assert clock.parse(doc["expires_at"]) - clock.parse(doc["created_at"]) == timedelta(seconds=service.TTL_SECONDS)


async def test_read_all_is_one_write_and_later_notifications_stay_unread(store, monkeypatch):
    for i in range(5):
        await notify(f"p{i}")
    await service.mark_all_read("u_alice")
    assert (await service.unread_count("u_alice")).count == 0
    # Later means a later millisecond (times are stored to the millisecond; a fast machine can share one).
    after = clock.now() + timedelta(milliseconds=5)
    monkeypatch.setattr(clock, "now", lambda: after)
    await notify("later")
    unread = await service.list_notifications("u_alice", limit=10, cursor=None, unread_only=True)
    assert [n.id for n in unread.items] == ["mention_later"]
    everything = await service.list_notifications("u_alice", limit=10, cursor=None, unread_only=False)
    assert [n.read for n in everything.items] == [False] + [True] * 5


async def test_pages_walk_every_notification_once_newest_first(store, monkeypatch):
    start = clock.now()
    for i in range(7):  # one millisecond apart: times are stored to the millisecond
        monkeypatch.setattr(clock, "now", lambda i=i: start + timedelta(milliseconds=i))
        await notify(f"p{i}")
    seen, cursor = [], None
    while True:
        page = await service.list_notifications("u_alice", limit=3, cursor=cursor, unread_only=False)
        seen += [n.id for n in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == [f"mention_p{i}" for i in reversed(range(7))]


async def test_a_cursor_belongs_to_its_owner(store):
    for i in range(3):
        await notify(f"p{i}")
    page = await service.list_notifications("u_alice", limit=1, cursor=None, unread_only=False)
    with pytest.raises(BadRequest):
        await service.list_notifications("u_bob", limit=1, cursor=page.next_cursor, unread_only=False)


async def test_users_only_reach_their_own_notifications(store):
    await notify("p1")
    with pytest.raises(NotFound):
        await service.mark_read("u_bob", "mention_p1")
    with pytest.raises(NotFound):
        await service.delete_notification("u_bob", "mention_p1")
    await service.delete_notification("u_alice", "mention_p1")
    assert await store.count(NOTIFICATIONS) == 0
