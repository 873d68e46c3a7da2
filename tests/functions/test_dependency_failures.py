"""What clients get when a dependency fails, on both stacks (tests/support/faults.py makes each fail for real):

- the cache (Redis) down: every signed-in route answers 503 `dependency_unavailable` with Retry-After, never as
  if the caller were signed out (401), signed in (200) or the server broken (500); rate-limited anonymous routes
  fail closed the same way; /api/health says so;
- the realtime hub down: writes still succeed, their events are dropped, counted and shown in /api/health;
- the document store throttling: its retry-after is honoured, then the client gets 503 with Retry-After, and a
  multi-document write (a comment) is either stored with everything that follows it or not at all.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from functions import blueprints
from shared.http.endpoint import endpoint_spec
from shared.http.openapi import http_functions
from tests.conftest import stack_env
from tests.support.communities import create_topic, ok, seed_post, signup
from tests.support.devhost import DevHostHandle
from tests.support.faults import cache_down, hub_down, store_throttled
from tests.support.route_values import VALID_PATH
from tests.support.users import forget_ip_limits


@pytest.fixture(scope="module")
def host(tmp_path_factory, stand_ins) -> Iterator[DevHostHandle]:
    env = {**stack_env(stand_ins), "OUTBOX_RETRY_SECONDS": "0"}
    handle = DevHostHandle(Path(tmp_path_factory.mktemp("devhost")), env).start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def people(host):
    """Just the parts these tests need (a post's author, someone commenting, a follower), in a public topic."""
    return SimpleNamespace(owner=signup(host), member=signup(host), other=signup(host), admin=signup(host, admin=True))


def unavailable(response) -> bool:
    body = response.json()
    return (response.status_code == 503 and body["error"]["code"] == "dependency_unavailable"
            and int(response.headers["retry-after"]) >= 1)


def concrete(route: str) -> str:
    """A request path for a route template: every parameter filled in with a value its constraint accepts."""
    def value(found: re.Match[str]) -> str:
        name, _, constraint = found.group(1).lstrip("*").partition(":")
        if constraint.startswith("int"):
            return "1"
        if constraint:
            return VALID_PATH[name]
        return "x"

    return "/api/" + re.sub(r"\{([^}]+)\}", value, route)


def signed_in_routes() -> list[tuple[str, str]]:
    found = []
    for route, methods, fn in http_functions(blueprints()):
        spec = endpoint_spec(fn)
        if spec is not None and spec.auth in ("user", "admin", "optional"):
            found += [(method.upper(), concrete(route)) for method in methods]
    return sorted(set(found))


# ---------------------------------------------------------------------------------------------------------
# the cache


def test_with_the_cache_down_every_signed_in_route_answers_503_with_retry_after(host, api, people):
    caller = people.admin  # reaches the admin routes as well
    routes = signed_in_routes()
    assert len(routes) > 60
    with cache_down(host):
        wrong = {}
        for method, path in routes:
            response = api.request(method, path, headers={**caller.headers, "X-CSRF-Token": "x"}, json={})
            if not unavailable(response):
                wrong[f"{method} {path}"] = (response.status_code, response.text[:200])
        assert wrong == {}
    ok(api.get("/api/auth/me", headers=caller.headers))  # and back to normal once the cache answers again


def test_with_the_cache_down_rate_limited_anonymous_routes_fail_closed(host, api):
    calls = [("/api/auth/login", {"identifier": "someone", "password": "whatever it is"}),
             ("/api/auth/register", {"username": f"u{uuid.uuid4().hex[:8]}", "email": "new@example.com",
                                     "password": "correct horse battery staple 42"}),
             ("/api/auth/forgot-password", {"email": "someone@example.com"}),
             ("/api/auth/resend-verification", {"email": "someone@example.com"})]
    with cache_down(host):
        for path, body in calls:
            response = api.post(path, json=body)
            assert unavailable(response), (path, response.status_code, response.text)
    forget_ip_limits(host)


def test_with_the_cache_down_health_reports_it(host, api):
    with cache_down(host):
        response = api.get("/api/health")
        assert response.status_code == 503
        dependencies = response.json()["data"]["dependencies"]
        assert dependencies["cache"]["status"] == "unavailable"
        assert dependencies["documents"]["status"] == "ok"
    assert api.get("/api/health").status_code == 200  # cache_down forgets the cached report both ways


# ---------------------------------------------------------------------------------------------------------
# the realtime hub


def test_with_the_hub_down_writes_succeed_and_their_dropped_events_are_counted_in_health(host, api, people):
    post = seed_post(host, create_topic(host, people.owner)["id"], people.owner)
    before = api.get("/api/health").json()["data"]["counters"]["dropped_events"].get("new_comment", 0)
    with hub_down(host):
        created = api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "nobody hears this"},
                           headers=people.member.headers)
        assert created.status_code == 201, created.text
        voted = api.put(f"/api/comments/{created.json()['data']['id']}/vote", json={"value": 1},
                        headers=people.other.headers)
        assert voted.status_code == 200, voted.text
    counters = api.get("/api/health").json()["data"]["counters"]
    assert counters["dropped_events"]["new_comment"] == before + 1
    assert counters["dropped_events"]["comment_voted"] >= 1
    comments = ok(api.get(f"/api/comments/posts/{post['id']}/comments"))["items"]
    assert [c["content"] for c in comments] == ["nobody hears this"]


# ---------------------------------------------------------------------------------------------------------
# the document store


def stored_comments(host, post_id: str) -> list[dict]:
    from shared import wiring
    from shared.ports import Query

    async def everything() -> list[dict]:
        return (await wiring.documents().query("comments", Query(), pk=post_id)).items

    return host.run(everything)


def test_a_throttled_comment_is_a_503_with_retry_after_and_leaves_nothing_behind(host, api, people):
    post = seed_post(host, create_topic(host, people.owner)["id"], people.owner)
    url = f"/api/comments/posts/{post['id']}/comments"
    with store_throttled(host, "batch", "comments", retry_after_ms=40, attempts=3) as throttle:
        started = time.monotonic()
        response = api.post(url, json={"content": "too busy"}, headers=people.member.headers)
        elapsed = time.monotonic() - started
    assert unavailable(response), response.text
    assert response.json()["error"]["details"]["reason"] == "throttled"
    if host.env["APP_STACK"] == "azure":  # the SDK retried 3 times, waiting the 40 ms each 429 asked for
        assert throttle.throttled == 4 and elapsed >= 3 * 0.04
    else:
        assert throttle.throttled == 1
    assert stored_comments(host, post["id"]) == []  # neither the comment nor its outbox document
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 0
    ok(api.post(url, json={"content": "too busy"}, headers=people.member.headers), 201)  # the retry goes through
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 1


def test_a_comment_throttled_after_its_first_document_is_completed_by_the_outbox(host, api, people):
    post = seed_post(host, create_topic(host, people.owner)["id"], people.owner)
    with store_throttled(host, "patch", "posts", retry_after_ms=20, attempts=2):
        created = api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "half way"},
                           headers=people.member.headers)
        assert created.status_code == 201, created.text  # the comment is stored: the client must not retry it
        kinds = sorted(doc.get("kind") for doc in stored_comments(host, post["id"]))
        assert kinds == ["comment", "outbox"]  # what is left to do is stored with it
    host.run_timer("platform_relay_outbox")
    assert [doc["kind"] for doc in stored_comments(host, post["id"])] == ["comment"]
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 1
    host.run_timer("platform_relay_outbox")  # nothing is counted twice
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 1
