"""Blocking someone must not unmask them. A block silences a user's *named* mentions, replies and comments; content
written under an alias reaches its readers whoever is behind the alias, so nothing the reader observes
(notifications present or absent, their shape, unread counts, answers) tells a blocked user's alias from a
stranger's, in either direction of the block (docs/accounts.md, "Blocks and anonymity")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.communities import create_topic, forget_user_limits, new_comment, new_post, ok, signup


@pytest.fixture(scope="module")
def scene(host):
    """A reader; `blocked`, whom the reader blocked; `blocker`, who blocked the reader; `stranger`, neither."""
    api = host.api
    reader, blocked, blocker, stranger = (signup(host) for _ in range(4))
    ok(api.post(f"/api/users/{blocked.id}/block", headers=reader.headers), 201)
    ok(api.post(f"/api/users/{reader.id}/block", headers=blocker.headers), 201)
    topic = create_topic(host, stranger, allow_anonymous=True)
    for user in (reader, blocked, blocker):
        ok(api.post(f"/api/topics/{topic['id']}/join", headers=user.headers))
    return {"reader": reader, "blocked": blocked, "blocker": blocker, "stranger": stranger, "topic": topic}


def unread(api, user) -> int:
    return ok(api.get("/api/notifications/unread-count", headers=user.headers))["count"]


def what_the_reader_hears(host, scene, author, *, anonymous: bool) -> dict[str, Any]:
    """The author mentions the reader in a post, comments on the reader's post and replies to the reader's comment;
    returns what the reader was told of it, with every name and id taken out."""
    api, reader, topic = host.api, scene["reader"], scene["topic"]
    forget_user_limits(host, reader, author)
    before = unread(api, reader)
    own_post = new_post(api, topic["id"], reader)
    own_comment = new_comment(api, own_post["id"], reader)
    forget_user_limits(host, reader)
    flag = {"use_anonymous": anonymous}
    mention = new_post(api, topic["id"], author, content=f"what do you think, @{reader.username}?", **flag)
    comment = new_comment(api, own_post["id"], author, "a comment on your post", **flag)
    reply = new_comment(api, own_post["id"], author, "a reply to you", parent=own_comment["id"], **flag)
    host.drain()
    mine = ok(api.get("/api/notifications", params={"limit": 50}, headers=reader.headers))["items"]
    ids = {mention["id"], comment["id"], reply["id"]}
    heard = [n for n in mine if n["data"]["post_id"] in ids or n["data"].get("comment_id") in ids]
    return {"notifications": sorted((n["type"], n["actor"]["anonymous"], "user_id" in n["actor"] and
                                     n["actor"]["user_id"] is not None) for n in heard),
            "unread_added": unread(api, reader) - before}


EVERYTHING_ANONYMOUS = [("comment", True, False), ("mention", True, False), ("reply", True, False)]


def test_an_alias_of_someone_the_reader_blocked_is_heard_exactly_like_a_strangers_alias(host, scene):
    blocked = what_the_reader_hears(host, scene, scene["blocked"], anonymous=True)
    stranger = what_the_reader_hears(host, scene, scene["stranger"], anonymous=True)
    assert blocked["notifications"] == stranger["notifications"] == EVERYTHING_ANONYMOUS
    assert blocked["unread_added"] == stranger["unread_added"] == 3


def test_an_alias_of_someone_who_blocked_the_reader_is_heard_exactly_like_a_strangers_alias(host, scene):
    blocker = what_the_reader_hears(host, scene, scene["blocker"], anonymous=True)
    stranger = what_the_reader_hears(host, scene, scene["stranger"], anonymous=True)
    assert blocker["notifications"] == stranger["notifications"] == EVERYTHING_ANONYMOUS
    assert blocker["unread_added"] == stranger["unread_added"]


def test_a_block_still_silences_the_blocked_users_named_content(host, scene):
    blocked = what_the_reader_hears(host, scene, scene["blocked"], anonymous=False)
    stranger = what_the_reader_hears(host, scene, scene["stranger"], anonymous=False)
    assert blocked["notifications"] == [] and blocked["unread_added"] == 0
    assert stranger["notifications"] == [("comment", False, True), ("mention", False, True), ("reply", False, True)]


def test_an_aliased_author_sees_the_same_answers_whether_or_not_the_reader_blocked_them(host, scene):
    api, topic, reader = host.api, scene["topic"], scene["reader"]
    answers = []
    for author in (scene["blocked"], scene["stranger"]):
        forget_user_limits(host, author)
        created = api.post(f"/api/posts/topics/{topic['id']}/posts", headers=author.headers,
                           json={"title": "a question", "content": f"@{reader.username} hello", "use_anonymous": True})
        answers.append((created.status_code, sorted(created.json()["data"])))
    assert answers[0] == answers[1] and answers[0][0] == 201
