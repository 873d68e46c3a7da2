"""Counters recounted from their edges: a join or a vote whose counter update was lost (a crash between the two
writes) is counted again by the reconciliation timer, and only once the target has been quiet."""

from shared import clock, wiring
from shared.domain.communities.containers import MEMBERSHIPS, member_id
from shared.domain.communities.reconcile import reconcile_counters
from tests.support.communities import create_topic, new_post, ok, signup


def crashed_join(host, topic_id: str, user_id: str) -> None:
    """The member edge is written; the process dies before member_count is incremented."""
    edge = {"id": member_id(user_id), "pk": topic_id, "kind": "member", "topic_id": topic_id, "user_id": user_id,
            "role": "member", "permissions": [], "joined_at": clock.now_iso(), "added_by": None}
    host.run(lambda: wiring.documents().create(MEMBERSHIPS, edge))


def crashed_upvote(host, post: dict, user_id: str) -> None:
    vote = {"id": user_id, "pk": post["id"], "voter_id": user_id, "value": 1, "kind": "post",
            "topic_id": post["topic_id"], "post_id": post["id"], "updated_at": clock.now_iso()}
    host.run(lambda: wiring.documents().create("votes", vote))


def member_count(api, topic_id: str, user) -> int:
    return ok(api.get(f"/api/topics/{topic_id}", headers=user.headers))["member_count"]


def test_a_lost_member_count_update_is_recounted_once_the_topic_is_quiet(api, host):
    owner, joiners, lost = signup(host), [signup(host) for _ in range(3)], signup(host)
    topic = create_topic(host, owner)
    for user in joiners:
        ok(api.post(f"/api/topics/{topic['id']}/join", headers=user.headers))
    crashed_join(host, topic["id"], lost.id)
    assert member_count(api, topic["id"], owner) == 4  # the owner and three joiners: one join went uncounted

    host.run_timer("reconcile_community_counters")  # the topic was written moments ago: left alone for now
    assert member_count(api, topic["id"], owner) == 4

    result = host.run(lambda: reconcile_counters(quiet_seconds=0))
    assert f"topics/{topic['id']}" in result.corrected
    assert member_count(api, topic["id"], owner) == 5
    assert f"topics/{topic['id']}" not in host.run(lambda: reconcile_counters(quiet_seconds=0)).corrected


def test_a_lost_vote_tally_update_is_recounted(api, host):
    author, voters, lost = signup(host), [signup(host) for _ in range(2)], signup(host)
    topic = create_topic(host, author)
    post = new_post(api, topic["id"], author)
    for voter in voters:
        ok(api.put(f"/api/posts/{post['id']}/vote", json={"value": 1}, headers=voter.headers))
    crashed_upvote(host, post, lost.id)
    assert ok(api.get(f"/api/posts/{post['id']}", headers=author.headers))["score"] == 2

    host.run(lambda: reconcile_counters(quiet_seconds=0))
    fixed = ok(api.get(f"/api/posts/{post['id']}", headers=author.headers))
    assert (fixed["score"], fixed["upvote_count"], fixed["downvote_count"]) == (3, 3, 0)


def test_a_comment_or_post_counted_twice_is_recounted(api, host):
    """The outbox relays a counter update at least once: a worker that died after the update, before recording it,
    counts it again on the next relay. The recount puts both counters back to what the documents say."""
    from shared.ports import Patch

    author = signup(host)
    topic = create_topic(host, author)
    post = new_post(api, topic["id"], author)
    ok(api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "one"}, headers=author.headers), 201)
    host.run(lambda: wiring.documents().patch("posts", topic["id"], post["id"], [Patch("incr", "/comment_count", 1)]))
    host.run(lambda: wiring.documents().patch("topics", topic["id"], topic["id"], [Patch("incr", "/post_count", 1)]))
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 2

    result = host.run(lambda: reconcile_counters(quiet_seconds=0))
    assert {f"posts/{post['id']}", f"topics/{topic['id']}"} <= set(result.corrected)
    assert ok(api.get(f"/api/posts/{post['id']}"))["comment_count"] == 1
    assert ok(api.get(f"/api/topics/{topic['id']}", headers=author.headers))["post_count"] == 1
