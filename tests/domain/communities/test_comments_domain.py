"""Posts, comments, mentions and notifications working together at the domain level, on the real SQLite adapter
(and the real key-value store, queue store and local blobs, in a temporary folder)."""

from __future__ import annotations

import pytest

from shared import wiring
from shared.domain.communities import (
    comment_notifications,
    comments,
    content_erasure,
    post_moderation,
    posts,
)
from shared.domain.communities.comment_models import CommentCreate, CommentListQuery, RepliesQuery
from shared.domain.communities.content_ids import COMMENTS, POSTS, VOTES
from shared.domain.communities.membership import add_member
from shared.domain.communities.post_models import DeleteQuery, PostCreate, PostUpdate
from shared.domain.communities.topic_models import TopicCreate
from shared.domain.communities.topics import do_create_topic
from shared.domain.identity import Principal
from shared.domain.notifications import service as notifications
from shared.domain.notifications.service import NOTIFICATIONS
from shared.errors import Forbidden, ValidationFailed
from shared.settings import get_settings


@pytest.fixture
async def env(store, tmp_path, monkeypatch):
    """The SQLite store plus real key-value, queue and blob adapters in the test's folder."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "")
    get_settings.cache_clear()
    yield store
    get_settings.cache_clear()


async def person(store, name: str) -> Principal:
    uid = f"u_{name}"
    await store.create("users", {"id": uid, "pk": uid, "username": name, "username_lower": name.lower(),
                                 "status": "active"})
    await store.create("usernames", {"id": name.lower(), "pk": name.lower(), "user_id": uid})
    return Principal(user_id=uid, username=name, is_admin=False, sid="s", token_hash="h", csrf="c")


async def topic_with(store, owner: Principal, *members: Principal, private: bool = False) -> dict:
    topic = await do_create_topic(owner.user_id, TopicCreate(title=f"Topic of {owner.username}", description="d",
                                                             require_approval=private))
    for member in members:
        await add_member(topic, member.user_id)
    return await store.read("topics", topic["id"], topic["id"])


async def test_a_thread_page_never_shows_a_reply_without_its_parent_and_skips_none(env, monkeypatch):
    monkeypatch.setattr(comments, "REPLY_BUDGET", 4)
    alice = await person(env, "alice")
    topic = await topic_with(env, alice)
    post = await posts.check_create_post(alice, topic["id"], PostCreate(title="Thread"))
    root = await comments.check_create_comment(alice, post.id, CommentCreate(content="root"))
    made = {root.id}
    parents = [root.id]
    for depth in range(1, 4):  # a bushy tree: 3 replies under each of the previous level's first two
        nxt = []
        for parent in parents[:2]:
            for _ in range(3):
                reply = await comments.check_reply(alice, parent, f"d{depth}", False)
                made.add(reply.id)
                nxt.append(reply.id)
        parents = nxt
    seen: set[str] = set()

    def walk(items, parent_id):
        cursors = []
        for item in items:
            assert item.parent_id == parent_id  # every comment shown sits under its parent
            assert item.id not in seen
            seen.add(item.id)
            if item.replies_cursor:
                cursors.append(item.id)
            assert item.more_replies == item.reply_count - len(item.replies)
            cursors += walk(item.replies, item.id)
        return cursors

    page = await comments.check_list_comments(None, post.id, CommentListQuery())
    pending = walk(page.items, None)
    assert pending, "the budget of 4 must have cut the tree"
    while pending:
        comment_id = pending.pop()
        item = await comments.check_get_comment(None, comment_id)
        cursor = None
        found = []
        # fetch the missing replies of this comment page by page, one at a time
        while True:
            replies = await comments.check_list_replies(None, comment_id, RepliesQuery(limit=1, cursor=cursor))
            found += replies.items
            pending += walk([r for r in replies.items if r.id not in seen], comment_id)
            if not replies.next_cursor:
                break
            cursor = replies.next_cursor
        assert len(found) == item.reply_count
    assert seen == made


async def test_a_mention_notifies_once_even_when_the_item_is_edited_and_the_fanout_repeats(env):
    alice, bob, carol = await person(env, "alice"), await person(env, "bob"), await person(env, "carol")
    topic = await topic_with(env, alice, bob, carol)
    post = await posts.check_create_post(alice, topic["id"], PostCreate(title="Hi", content="ping @bob"))
    await posts.check_update_post(alice, post.id, PostUpdate(content="ping @bob and @carol"))
    await posts.check_update_post(alice, post.id, PostUpdate(content="ping @BOB and @carol!"))
    bob_page = await notifications.list_notifications(bob.user_id, limit=10, cursor=None, unread_only=False)
    assert [n.type for n in bob_page.items] == ["mention"]
    assert (await notifications.unread_count(carol.user_id)).count == 1
    comment = await comments.check_create_comment(bob, post.id, CommentCreate(content="thanks"))
    for _ in range(2):  # the queue delivers at least once
        await comment_notifications.do_notify_followers(comment.id, [])
    alice_page = await notifications.list_notifications(alice.user_id, limit=10, cursor=None, unread_only=False)
    assert [n.type for n in alice_page.items] == ["comment"]  # the author follows their post
    assert alice_page.items[0].actor.username == "bob"


async def test_an_anonymous_reply_notifies_the_parent_author_under_the_alias_only(env):
    alice, bob = await person(env, "alice"), await person(env, "bob")
    topic = await topic_with(env, alice, bob)
    post = await posts.check_create_post(alice, topic["id"], PostCreate(title="Hi"))
    parent = await comments.check_create_comment(alice, post.id, CommentCreate(content="question"))
    reply = await comments.check_reply(bob, parent.id, "answer, @alice", True)
    await comment_notifications.do_notify_followers(reply.id, [alice.user_id])
    page = await notifications.list_notifications(alice.user_id, limit=10, cursor=None, unread_only=False)
    assert [n.type for n in page.items] == ["mention"]
    actor = page.items[0].actor
    assert actor.anonymous and actor.user_id is None and actor.username is None
    assert "bob" not in page.model_dump_json()


async def test_private_topics_notify_members_only(env):
    alice, bob, mallory = await person(env, "alice"), await person(env, "bob"), await person(env, "mallory")
    topic = await topic_with(env, alice, bob, private=True)
    await posts.check_create_post(alice, topic["id"], PostCreate(title="Hi", content="@bob @mallory"))
    assert (await notifications.unread_count(bob.user_id)).count == 1
    assert (await notifications.unread_count(mallory.user_id)).count == 0


async def test_replies_nest_ten_deep_and_no_deeper(env):
    alice = await person(env, "alice")
    topic = await topic_with(env, alice)
    post = await posts.check_create_post(alice, topic["id"], PostCreate(title="Deep"))
    comment = await comments.check_create_comment(alice, post.id, CommentCreate(content="0"))
    for depth in range(1, 11):
        comment = await comments.check_reply(alice, comment.id, str(depth), False)
        assert comment.depth == depth
    with pytest.raises(ValidationFailed) as caught:
        await comments.check_reply(alice, comment.id, "11", False)
    assert caught.value.code == "max_depth_reached"


async def test_a_locked_post_refuses_comments_from_members_but_not_from_its_moderators(env):
    alice, bob = await person(env, "alice"), await person(env, "bob")
    topic = await topic_with(env, alice, bob)
    post = await posts.check_create_post(bob, topic["id"], PostCreate(title="Hot take"))
    await post_moderation.check_set_flag(alice, post.id, "locked", True)
    with pytest.raises(Forbidden) as caught:
        await comments.check_create_comment(bob, post.id, CommentCreate(content="but"))
    assert caught.value.code == "post_locked"
    await comments.check_create_comment(alice, post.id, CommentCreate(content="locked, see rules"))


async def test_erasing_an_account_withdraws_its_votes_and_strips_its_content(env):
    alice, bob = await person(env, "alice"), await person(env, "bob")
    topic = await topic_with(env, alice, bob)
    post = await posts.check_create_post(alice, topic["id"], PostCreate(title="Keep"))
    mine = await posts.check_create_post(bob, topic["id"], PostCreate(title="Bob's", content="secret"))
    await posts.check_vote_post(bob, post.id, value=1)
    comment = await comments.check_create_comment(bob, post.id, CommentCreate(content="bob was here"))
    await comments.check_vote_comment(bob, comment.id, value=-1)
    await content_erasure.erase_user(bob.user_id)
    await content_erasure.erase_user(bob.user_id)  # idempotent
    stored_post = await env.read(POSTS, topic["id"], post.id)
    assert (stored_post["score"], stored_post["upvote_count"], stored_post["comment_count"]) == (0, 0, 0)
    stored_comment = await env.read(COMMENTS, post.id, comment.id)
    assert stored_comment["content"] is None and stored_comment["author_id"] is None
    assert stored_comment["score"] == 0
    assert (await env.read(POSTS, topic["id"], mine.id))["title"] is None
    assert await env.count(VOTES, []) == 0
    assert (await env.read("topics", topic["id"], topic["id"]))["post_count"] == 1
    assert await env.count(NOTIFICATIONS, pk=bob.user_id) == 0


async def test_a_hard_delete_removes_the_post_with_everything_under_it(env):
    alice, bob = await person(env, "alice"), await person(env, "bob")
    topic = await topic_with(env, alice, bob)
    post = await posts.check_create_post(bob, topic["id"], PostCreate(title="Spam"))
    comment = await comments.check_create_comment(alice, post.id, CommentCreate(content="report it"))
    await comments.check_vote_comment(bob, comment.id, value=1)
    await posts.check_vote_post(alice, post.id, value=-1)
    admin = Principal(user_id="u_root", username="root", is_admin=True, sid="s", token_hash="h", csrf="c")
    await post_moderation.check_delete_post(admin, post.id, DeleteQuery(mode="hard"))
    for container in (POSTS, COMMENTS, VOTES, "follows", "revisions"):
        assert await wiring.documents().count(container) == 0, container
    assert (await env.read("topics", topic["id"], topic["id"]))["post_count"] == 0

