"""Posts at the domain level, on the real SQLite adapter: ids, cursors, hot rank, mentions, votes, tags."""

from __future__ import annotations

import asyncio
import math
from datetime import timedelta

import pytest

from shared import clock
from shared.domain import cursors
from shared.domain.communities import content_ids, mentions, ranking, votes
from shared.domain.communities.comment_tree import assemble, child_path, subtree_end
from shared.domain.communities.content_ids import POSTS, VOTES
from shared.domain.communities.post_models import PostCreate, PostUpdate
from shared.errors import BadRequest, NotFound
from shared.ports import Query, Where

# ---------------------------------------------------------------------------------------------------------
# ids


def test_a_post_id_carries_its_topic_and_a_comment_id_its_post():
    post_id = content_ids.new_post_id("topic_with_underscores-1")
    comment_id = content_ids.new_comment_id(post_id)
    assert content_ids.topic_of_post(post_id) == "topic_with_underscores-1"
    assert content_ids.post_of_comment(comment_id) == post_id
    assert content_ids.is_comment_id(comment_id) and not content_ids.is_comment_id(post_id)


@pytest.mark.parametrize("bad", ["", "nounderscore", "topic_xyz", "topic_0123456789abcdeG", "_0123456789abcdef",
                                 "t_" + "0" * 15])
def test_anything_that_is_not_a_post_id_is_simply_not_found(bad):
    with pytest.raises(NotFound) as caught:
        content_ids.topic_of_post(bad)
    assert caught.value.code == "post_not_found"


def test_a_post_id_is_not_mistaken_for_a_comment_id():
    with pytest.raises(NotFound) as caught:
        content_ids.post_of_comment(content_ids.new_post_id("t1"))
    assert caught.value.code == "comment_not_found"


# ---------------------------------------------------------------------------------------------------------
# cursors


def test_a_cursor_round_trips_within_its_own_listing():
    token = cursors.encode("posts:t1:new:all", {"c": "abc", "since": None})
    assert cursors.decode("posts:t1:new:all", token) == {"c": "abc", "since": None}


@pytest.mark.parametrize("mutate", [lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), lambda t: "x" + t,
                                    lambda t: "%%%", lambda t: ""])
def test_a_tampered_cursor_is_refused_before_it_reaches_the_store(mutate):
    token = cursors.encode("posts:t1:new:all", {"c": "abc"})
    with pytest.raises(BadRequest) as caught:
        cursors.decode("posts:t1:new:all", mutate(token))
    assert caught.value.code == "invalid_cursor"


def test_a_cursor_from_another_listing_is_refused():
    token = cursors.encode("posts:t1:new:all", {"c": "abc"})
    with pytest.raises(BadRequest):
        cursors.decode("posts:t2:new:all", token)


# ---------------------------------------------------------------------------------------------------------
# hot rank (Lemmy)


def test_hot_rank_follows_lemmys_formula():
    now = clock.now()
    created = clock.iso(now - timedelta(hours=3))
    assert ranking.hot_rank(10, created, now) == pytest.approx(math.log10(12) / (3 + 2) ** 1.8)
    assert ranking.hot_rank(-50, created, now) == pytest.approx(math.log10(2) / 5 ** 1.8)


def test_hot_rank_grows_with_score_falls_with_age_and_ends_after_a_week():
    now = clock.now()
    fresh, older = clock.iso(now - timedelta(hours=1)), clock.iso(now - timedelta(hours=20))
    assert ranking.hot_rank(5, fresh, now) > ranking.hot_rank(1, fresh, now)
    assert ranking.hot_rank(5, fresh, now) > ranking.hot_rank(5, older, now)
    assert ranking.hot_rank(1000, clock.iso(now - timedelta(days=7)), now) == 0.0
    assert ranking.hot_rank(1000, clock.iso(now - timedelta(days=6, hours=23)), now) > 0


async def test_the_refresh_rewrites_the_ranks_that_time_has_moved_and_stops_visiting_week_old_posts(store):
    now = clock.now()
    for i, hours in enumerate((0, 10, 200)):
        created = clock.iso(now - timedelta(hours=hours))
        await store.create(POSTS, {"id": content_ids.new_post_id("t1"), "pk": "t1", "n": i, "score": 3,
                                   "created_at": created, "hot_rank": ranking.hot_rank(3, created, now)})
    later = now + timedelta(hours=2)
    assert await ranking.refresh_hot_ranks(later) == 2  # the week-old post already had 0 and is not visited
    docs = {d["n"]: d for d in (await store.query(POSTS, Query(), pk="t1")).items}
    for n, hours in ((0, 2), (1, 12)):
        assert docs[n]["hot_rank"] == pytest.approx(math.log10(5) / (hours + 2) ** 1.8, rel=1e-3)
    assert docs[2]["hot_rank"] == 0.0
    assert await ranking.refresh_hot_ranks(later) == 0  # nothing moved since


# ---------------------------------------------------------------------------------------------------------
# mentions


def test_mentions_are_found_once_each_outside_code_and_email_addresses():
    text = ("Hi @Alice and @bob, @alice again; mail carol@example.com; `@dave` in code;\n"
            "```\n@erin\n```\n@frank_2. @x @" + "g" * 25)
    assert mentions.mentioned_names(text) == ["alice", "bob", "frank_2"]


def test_at_most_ten_people_are_mentioned_per_item():
    text = " ".join(f"@user{i:02d}" for i in range(30))
    assert mentions.mentioned_names(text) == [f"user{i:02d}" for i in range(10)]


# ---------------------------------------------------------------------------------------------------------
# comment paths


def test_paths_list_a_thread_depth_first_with_siblings_oldest_first():
    base = clock.now()

    def at(seconds: int) -> str:
        return clock.iso(base + timedelta(seconds=seconds))

    post_id = content_ids.new_post_id("t1")

    def comment(parent, seconds):
        cid = content_ids.new_comment_id(post_id)
        return {"id": cid, "parent_id": parent["id"] if parent else None, "path": child_path(parent, at(seconds), cid)}

    a = comment(None, 0)
    b = comment(None, 1)
    a1 = comment(a, 5)
    a2 = comment(a, 2)
    a1x = comment(a1, 9)
    ordered = sorted([b, a1x, a2, a1, a], key=lambda c: c["path"])
    assert [c["id"] for c in ordered] == [a["id"], a2["id"], a1["id"], a1x["id"], b["id"]]
    assert a1x["path"] < subtree_end(a1["path"]) < b["path"] and subtree_end(a["path"]) < b["path"]
    _tops, children = assemble([a], [x for x in ordered if x["id"] not in (a["id"], b["id"])])
    assert [c["id"] for c in children[a["id"]]] == [a2["id"], a1["id"]]
    assert [c["id"] for c in children[a1["id"]]] == [a1x["id"]]


# ---------------------------------------------------------------------------------------------------------
# votes


async def _post(store, topic_id: str = "t1") -> votes.Target:
    post_id = content_ids.new_post_id(topic_id)
    await store.create(POSTS, {"id": post_id, "pk": topic_id, "score": 0, "upvote_count": 0, "downvote_count": 0})
    return votes.Target(container=POSTS, pk=topic_id, id=post_id, kind="post", topic_id=topic_id, post_id=post_id)


async def test_fifty_voters_at_once_give_a_score_of_exactly_fifty(store):
    target = await _post(store)
    await asyncio.gather(*(votes.cast(target, f"u{i}", value=1) for i in range(50)))
    post = await store.read(POSTS, target.pk, target.id)
    assert (post["score"], post["upvote_count"], post["downvote_count"]) == (50, 50, 0)
    assert await store.count(VOTES, pk=target.id) == 50


async def test_twenty_identical_votes_from_one_user_at_once_count_once(store):
    target = await _post(store)
    outcomes = await asyncio.gather(*(votes.cast(target, "u1", value=-1) for _ in range(20)))
    assert sum(o.changed for o in outcomes) == 1
    post = await store.read(POSTS, target.pk, target.id)
    assert (post["score"], post["upvote_count"], post["downvote_count"]) == (-1, 0, 1)


async def test_switching_and_withdrawing_a_vote_moves_the_counts_by_the_difference(store):
    target = await _post(store)
    await votes.cast(target, "u1", value=1)
    await votes.cast(target, "u2", value=1)
    switched = await votes.cast(target, "u1", value=-1)
    assert (switched.target["score"], switched.target["upvote_count"], switched.target["downvote_count"]) == (0, 1, 1)
    withdrawn = await votes.cast(target, "u1", value=0)
    assert (withdrawn.target["score"], withdrawn.target["downvote_count"]) == (1, 0)


async def test_the_old_toggle_routes_flip_a_vote_on_and_off(store):
    target = await _post(store)
    assert (await votes.cast(target, "u1", toggle=1)).value == 1
    assert (await votes.cast(target, "u1", toggle=-1)).value == -1
    off = await votes.cast(target, "u1", toggle=-1)
    assert off.value == 0 and off.target["score"] == 0
    assert await votes.my_votes([target.id], "u1") == {target.id: 0}
    assert await store.count(VOTES, [Where("value", "!=", 0)], pk=target.id) == 0


# ---------------------------------------------------------------------------------------------------------
# request shapes


def test_tags_arrive_as_a_list_or_a_comma_string_and_are_cleaned():
    assert PostCreate(title="t", tags=" Python,  web dev ,python").tags == ["python", "web dev"]
    assert PostCreate(title="t", tags=["A-b", "cd"]).tags == ["a-b", "cd"]


@pytest.mark.parametrize("tags", [["x"], ["ok", "no!"], [f"t{i}" for i in range(11)], [1]])
def test_bad_tags_are_refused_not_silently_dropped(tags):
    with pytest.raises(ValueError):
        PostCreate(title="t", tags=tags)


def test_an_edit_must_change_something():
    with pytest.raises(ValueError):
        PostUpdate()
