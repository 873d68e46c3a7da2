"""Idempotency-Key on create routes, through the HTTP API on both stacks: a retry gets the first answer, and
however many copies race, one write happens."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.support.communities import build_world, forget_user_limits, ok, seed_post


def comments_of(api, post_id: str, user) -> list[dict]:
    return ok(api.get(f"/api/comments/posts/{post_id}/comments", params={"limit": 100},
                      headers=user.headers))["items"]


def test_a_retried_create_gets_the_first_answer_and_writes_once(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})
    url = f"/api/comments/posts/{post['id']}/comments"
    first = api.post(url, json={"content": "only once"}, headers=headers)
    again = api.post(url, json={"content": "only once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert [c["content"] for c in comments_of(api, post["id"], people.member)] == ["only once"]


def test_the_same_key_with_another_body_or_route_is_refused(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    key = f"k-{uuid.uuid4().hex}"
    headers = people.member.auth(**{"Idempotency-Key": key})
    ok(api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "first"}, headers=headers), 201)
    other_body = api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "second"}, headers=headers)
    other_route = api.post(f"/api/posts/topics/{world.id}/posts", json={"title": "A post", "content": "x"},
                           headers=headers)
    for refused in (other_body, other_route):
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "idempotency_key_reused"
    assert len(comments_of(api, post["id"], people.member)) == 1


def test_keys_belong_to_their_caller(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    key = {"Idempotency-Key": f"k-{uuid.uuid4().hex}"}
    url = f"/api/comments/posts/{post['id']}/comments"
    mine = ok(api.post(url, json={"content": "same words"}, headers=people.member.auth(**key)), 201)
    theirs = ok(api.post(url, json={"content": "same words"}, headers=people.moderator.auth(**key)), 201)
    assert mine["id"] != theirs["id"]


def test_a_failed_first_attempt_leaves_the_key_free(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})
    url = f"/api/comments/posts/{post['id']}/comments"
    ok(api.post(f"/api/posts/{post['id']}/lock", headers=people.owner.headers))
    assert api.post(url, json={"content": "too early"}, headers=headers).status_code == 403
    ok(api.post(f"/api/posts/{post['id']}/unlock", headers=people.owner.headers))
    assert api.post(url, json={"content": "too early"}, headers=headers).status_code == 201


def test_a_malformed_key_is_a_clear_400(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    for bad in ("", "x" * 256, "naïve"):
        response = api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "hi"},
                            headers={**people.member.headers, "Idempotency-Key": bad.encode("utf-8")})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_idempotency_key"


def test_twenty_parallel_creates_with_one_key_write_one_comment(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    forget_user_limits(host, people.member)
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})
    url = f"{host.url}/api/comments/posts/{post['id']}/comments"

    def send(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            return client.post(url, json={"content": "racing"}, headers=headers)

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))
    assert {a.status_code for a in answers} <= {201, 409}
    created = {a.json()["data"]["id"] for a in answers if a.status_code == 201}
    assert len(created) == 1
    assert [c["content"] for c in comments_of(api, post["id"], people.member)] == ["racing"]
    refused = [a for a in answers if a.status_code == 409]
    assert all(a.json()["error"]["code"] == "idempotency_request_in_progress" and a.headers["retry-after"]
               for a in refused)


def forget_the_stored_answer(host, user, key: str) -> None:
    """What 24 hours (or a worker dying after the write, before the answer was kept) do to a key's record."""
    from shared import wiring
    from shared.http.idempotency import _digest

    async def forget() -> None:
        await wiring.kv().delete(f"idem:{_digest(f'user:{user.id}'.encode(), key.encode())}")

    host.run(forget)


def test_a_retry_after_the_stored_answer_is_gone_still_finds_the_comment_it_made(host, api, people):
    world = build_world(host, people)
    post = seed_post(host, world.id, people.owner)
    key = f"k-{uuid.uuid4().hex}"
    url = f"/api/comments/posts/{post['id']}/comments"
    first = ok(api.post(url, json={"content": "once"}, headers=people.member.auth(**{"Idempotency-Key": key})), 201)
    forget_the_stored_answer(host, people.member, key)
    again = api.post(url, json={"content": "once"}, headers=people.member.auth(**{"Idempotency-Key": key}))
    assert again.status_code == 201 and again.json()["data"]["id"] == first["id"]
    assert [c["id"] for c in comments_of(api, post["id"], people.member)] == [first["id"]]
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 1


def test_a_retry_after_the_stored_answer_is_gone_still_finds_the_post_it_made(host, api, people):
    world = build_world(host, people)
    key = f"k-{uuid.uuid4().hex}"
    url = f"/api/posts/topics/{world.id}/posts"
    body = {"title": "Exactly one", "content": "whatever happens"}
    first = ok(api.post(url, json=body, headers=people.member.auth(**{"Idempotency-Key": key})), 201)
    forget_the_stored_answer(host, people.member, key)
    again = api.post(url, json=body, headers=people.member.auth(**{"Idempotency-Key": key}))
    assert again.status_code == 201 and again.json()["data"]["id"] == first["id"]
    listed = ok(api.get(url, params={"limit": 50}, headers=people.member.headers))["items"]
    assert [p["id"] for p in listed if p["title"] == "Exactly one"] == [first["id"]]
    assert ok(api.get(f"/api/topics/{world.id}", headers=people.member.headers))["post_count"] == 1


def test_every_kind_of_create_replays_its_first_answer(host, api, people):
    """One route per area: a topic, a model, a training job; the second call makes nothing new."""
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})
    topic_body = {"title": f"Once {uuid.uuid4().hex[:8]}"}
    topic = api.post("/api/topics", json=topic_body, headers=headers)
    assert api.post("/api/topics", json=topic_body, headers=headers).json() == topic.json()
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})
    model_body = {"name": f"m{uuid.uuid4().hex[:8]}", "type": "linear_regression", "params": {}}
    model = api.post("/api/models", json=model_body, headers=headers)
    replayed = api.post("/api/models", json=model_body, headers=headers)
    assert model.status_code == replayed.status_code == 201 and replayed.json() == model.json()
    assert replayed.headers["location"] == model.headers["location"] and replayed.headers["etag"]
    headers = people.member.auth(**{"Idempotency-Key": f"k-{uuid.uuid4().hex}"})
    train = {"data": [{"a": float(i), "y": float(i)} for i in range(10)], "target": "y"}
    model_id = model.json()["data"]["id"]
    job = api.post(f"/api/models/{model_id}/train", json=train, headers=headers)
    again = api.post(f"/api/models/{model_id}/train", json=train, headers=headers)
    assert job.status_code == again.status_code == 202 and again.json() == job.json()
    jobs = ok(api.get(f"/api/models/{model_id}/jobs", headers=people.member.headers))["items"]
    assert len(jobs) == 1
