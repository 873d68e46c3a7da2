"""Listing costs a fixed number of store calls whatever the page size: no N+1 anywhere.

The counting wrapper (tests/support/counting.py) sits around the real documents adapter inside the dev host.
"""

from __future__ import annotations

import pytest

from tests.support.communities import ok, seed_comment, seed_post, signup
from tests.support.counting import count_store_calls


def cost(host, api, url, **kwargs):
    with count_store_calls(host) as calls:
        response = api.get(url, **kwargs)
    assert response.status_code == 200, response.text
    return calls, response.json()["data"]


@pytest.fixture(scope="module")
def busy(host, api, people):
    """A topic with 60 posts, a post with 60 root comments each with a reply, and a reader who voted on, follows
    and was mentioned in many of them."""
    from tests.support.communities import build_world

    world = build_world(host, people)
    reader = signup(host)
    posts = [seed_post(host, world.id, people.member, content=f"@{reader.username}") for _ in range(60)]
    for post in posts[:30]:
        ok(api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}, headers=reader.headers))
        ok(api.post(f"/api/posts/{post['id']}/follow", headers=reader.headers))
    thread = posts[0]
    for i in range(60):
        root = seed_comment(host, thread["id"], people.member, f"root {i}")
        seed_comment(host, thread["id"], people.owner, f"reply {i}", parent=root["id"])
    host.drain()  # the follower notifications run now, not while a test counts store calls
    return world, reader, thread


@pytest.mark.parametrize("sort", ["new", "top", "hot", "active"])
def test_listing_a_topics_posts_costs_the_same_for_five_or_fifty(host, api, busy, sort):
    world, reader, _ = busy
    url = f"/api/posts/topics/{world.id}/posts"
    small, small_page = cost(host, api, url, params={"limit": 5, "sort": sort}, headers=reader.headers)
    big, big_page = cost(host, api, url, params={"limit": 50, "sort": sort}, headers=reader.headers)
    assert len(small_page["items"]) == 5 and len(big_page["items"]) == 50
    assert small.total == big.total, (small.summary(), big.summary())
    # topic + memberships (access), posts + pinned posts, the reader's votes + follows
    assert big.total <= 6, big.summary()


def test_the_feed_costs_the_same_for_five_or_fifty(host, api, busy):
    _, reader, _ = busy
    small, _ = cost(host, api, "/api/posts/feed", params={"limit": 5}, headers=reader.headers)
    big, page = cost(host, api, "/api/posts/feed", params={"limit": 50}, headers=reader.headers)
    assert len(page["items"]) == 50
    assert small.total == big.total, (small.summary(), big.summary())
    assert big.total <= 5, big.summary()  # readable topics, posts, topic titles, votes, follows


def test_listing_comments_costs_the_same_for_five_or_fifty_threads(host, api, busy):
    _, reader, thread = busy
    url = f"/api/comments/posts/{thread['id']}/comments"
    small, _ = cost(host, api, url, params={"limit": 5}, headers=reader.headers)
    big, page = cost(host, api, url, params={"limit": 50}, headers=reader.headers)
    assert len(page["items"]) == 50 and all(len(c["replies"]) == 1 for c in page["items"])
    assert small.total == big.total, (small.summary(), big.summary())
    assert big.total <= 6, big.summary()  # access (2), post, roots, descendants, votes


def test_listing_notifications_costs_the_same_for_five_or_fifty(host, api, busy):
    _, reader, _ = busy
    small, _ = cost(host, api, "/api/notifications", params={"limit": 5}, headers=reader.headers)
    big, page = cost(host, api, "/api/notifications", params={"limit": 50}, headers=reader.headers)
    assert len(page["items"]) == 50
    assert small.total == big.total, (small.summary(), big.summary())
    assert big.total <= 2, big.summary()  # read state + one query


@pytest.fixture(scope="module")
def people(host):
    from tests.support.communities import make_people

    return make_people(host)
