"""A write and the side effects that must follow it, when the queue is down between the two: the client's request
succeeds, nothing is lost, nothing happens twice (shared/domain/outbox.py), on both stacks.

The host here delivers queue messages only when a test drains the queue, so a test can count what was sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import stack_env
from tests.support.communities import create_topic, ok, seed_post, signup
from tests.support.devhost import DevHostHandle
from tests.support.faults import queue_down, restore_queue
from tests.support.users import mail_code, register

FANOUT = "comment-notifications"


@pytest.fixture(scope="module")
def host(tmp_path_factory, stand_ins) -> Iterator[DevHostHandle]:
    env = {**stack_env(stand_ins), "OUTBOX_RETRY_SECONDS": "0"}
    handle = DevHostHandle(Path(tmp_path_factory.mktemp("devhost")), env).start()
    handle.run(lambda: handle.devhost.queue_runner.stop())  # delivered by host.drain() only
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def people(host):
    """Just the parts these tests need (a post's author, someone commenting, a follower), in a public topic."""
    return SimpleNamespace(owner=signup(host), member=signup(host), other=signup(host))


def queued(host, queue: str) -> list[dict]:
    """Bodies of the messages waiting in a queue (not yet delivered)."""
    store = host.devhost.queue_runner.store
    return [message.json() for message in store.peek(queue, limit=1000)]


def outbox_documents(host, container: str, pk: str) -> list[dict]:
    from shared import wiring
    from shared.ports import Query, Where

    async def find() -> list[dict]:
        page = await wiring.documents().query(container, Query(where=[Where("kind", "=", "outbox")]), pk=pk)
        return page.items

    return host.run(find)


def relay_timer(host) -> None:
    host.run_timer("platform_relay_outbox")


def notifications_about(api, user, comment_id: str) -> list[dict]:
    items = ok(api.get("/api/notifications", params={"limit": 100}, headers=user.headers))["items"]
    return [n for n in items if n["data"].get("comment_id") == comment_id]


def test_a_comment_made_while_the_queue_is_down_is_answered_201_and_fanned_out_once_after_it_recovers(
        host, api, people):
    post = seed_post(host, create_topic(host, people.owner)["id"], people.owner)  # its author follows it
    ok(api.post(f"/api/posts/{post['id']}/follow", headers=people.other.headers))
    url = f"/api/comments/posts/{post['id']}/comments"
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})

    with queue_down(host) as queue:
        first = api.post(url, json={"content": "said while the queue was down"}, headers=headers)
        assert first.status_code == 201, first.text
        retried = api.post(url, json={"content": "said while the queue was down"}, headers=headers)
        assert retried.status_code == 201 and retried.json() == first.json()
        assert retried.headers["idempotent-replayed"] == "true"
        comment_id = first.json()["data"]["id"]
        assert queue.refused[FANOUT] == 1  # the writer tried once; the retry was answered from the first answer
        relay_timer(host)  # the timer runs during the outage too, and fails again
        assert [b for b in queued(host, FANOUT) if b["comment_id"] == comment_id] == []
        assert len(outbox_documents(host, "comments", post["id"])) == 1

    relay_timer(host)
    assert [b["comment_id"] for b in queued(host, FANOUT) if b["comment_id"] == comment_id] == [comment_id]
    assert outbox_documents(host, "comments", post["id"]) == []
    host.drain()
    relay_timer(host)  # nothing left to relay
    host.drain()
    restore_queue(host, queue)

    tree = ok(api.get(url, headers=people.member.headers))["items"]
    assert [c["id"] for c in tree] == [comment_id]
    assert ok(api.get(f"/api/posts/{post['id']}", headers=people.member.headers))["comment_count"] == 1
    for follower in (people.owner, people.other):
        assert [n["type"] for n in notifications_about(api, follower, comment_id)] == ["comment"]
    assert len(host.events(group=f"user_{people.other.id}", type="new_notification")) == 1


def test_a_reply_made_while_the_queue_is_down_counts_once_on_its_parent_and_its_post(host, api, people):
    post = seed_post(host, create_topic(host, people.owner)["id"], people.owner)
    parent = ok(api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "question"},
                         headers=people.owner.headers), 201)
    host.drain()
    with queue_down(host) as queue:
        reply = ok(api.post(f"/api/comments/{parent['id']}/reply", json={"content": "answer"},
                            headers=people.member.headers), 201)
    relay_timer(host)
    relay_timer(host)
    host.drain()
    restore_queue(host, queue)
    assert ok(api.get(f"/api/comments/{parent['id']}"))["reply_count"] == 1
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 2
    assert [n["type"] for n in notifications_about(api, people.owner, reply["id"])] == ["reply"]


def test_a_training_job_submitted_while_the_queue_is_down_is_accepted_and_runs_after_it_recovers(host, api, people):
    owner = people.member
    model = ok(api.post("/api/models", json={"name": f"m{uuid.uuid4().hex[:8]}", "type": "linear_regression",
                                             "params": {}}, headers=owner.headers), 201)
    rows = [{"a": float(i), "y": 2.0 * i + 1} for i in range(20)]
    with queue_down(host) as queue:
        accepted = api.post(f"/api/models/{model['id']}/train", json={"data": rows, "target": "y"},
                            headers=owner.headers)
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["data"]["job"]["id"]
        assert queue.refused["model-jobs"] == 1
    assert ok(api.get(f"/api/jobs/{job_id}", headers=owner.headers))["state"] == "queued"
    relay_timer(host)
    host.drain()
    restore_queue(host, queue)
    job = ok(api.get(f"/api/jobs/{job_id}", headers=owner.headers))
    assert job["state"] == "succeeded" and job["result_version"] == 1


def test_a_sign_up_while_the_queue_is_down_gets_its_mail_after_it_recovers(host, api):
    email = f"late.{uuid.uuid4().hex[:8]}@example.com"
    with queue_down(host) as queue:
        response = register(host, f"late{uuid.uuid4().hex[:8]}", email, "correct horse battery staple 42")
        assert response.status_code == 201, response.text
        assert queue.refused["mail"] == 1
    relay_timer(host)
    restore_queue(host, queue)
    assert len(mail_code(host, email)) == 6


def test_a_topic_deleted_while_the_queue_is_down_still_takes_its_posts_out_of_the_feeds(host, api, people):
    from shared import wiring

    owner = signup(host)
    topic = ok(api.post("/api/topics", json={"title": f"Doomed {uuid.uuid4().hex[:8]}"}, headers=owner.headers),
               201)
    post = seed_post(host, topic["id"], owner)
    with queue_down(host) as queue:
        ok(api.delete(f"/api/topics/{topic['id']}", headers=owner.headers), 202)
        assert queue.refused["topic-audience"] == 1
    relay_timer(host)
    host.drain()
    restore_queue(host, queue)
    stored = host.run(lambda: wiring.documents().read("posts", topic["id"], post["id"]))
    assert stored["audience"] == f"hidden:{topic['id']}"
