"""Topics, membership, access and anonymity at the domain level, on both real documents adapters: SQLite and
Cosmos (the local stand-in, started once per session; when it cannot start these tests fail, never skip)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from shared import clock, wiring
from shared.domain.communities import access, anonymity, membership, membership_models, purging, topic_models, topics
from shared.domain.communities.containers import ALIASES, MEMBERSHIPS, TOPIC_TITLES, TOPICS, ban_id, mute_id
from shared.domain.identity import Principal
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.ports import Patch, Query, Where
from tests.contracts.documents_fixtures import DOCUMENT_BACKENDS, cosmos_standin, documents_store_for  # noqa: F401
from tests.domain.communities.conftest import RecordedRealtime


@pytest.fixture(params=DOCUMENT_BACKENDS)
async def store(request, tmp_path):
    wiring.reset()
    async with documents_store_for(request.param, request, tmp_path) as docs:
        wiring.override("documents", docs)
        wiring.override("realtime", RecordedRealtime())
        yield docs
    wiring.reset()


def principal(user_id: str, *, admin: bool = False) -> Principal:
    return Principal(user_id=user_id, username=user_id, is_admin=admin, sid="s", token_hash="h", csrf="c")


def create_body(title: str, **extra) -> topic_models.TopicCreate:
    return topic_models.TopicCreate(title=title, description="A place to talk", **extra)


# ---------------------------------------------------------------------------------------------------------
# titles


async def test_a_title_is_unique_case_insensitively_even_when_twenty_owners_race_for_it(store, make_user):
    owner = await make_user("owner")
    titles = [("Python Lovers" if i % 2 else "python   LOVERS") for i in range(20)]
    results = await asyncio.gather(*(topics.do_create_topic(owner, create_body(t)) for t in titles),
                                   return_exceptions=True)
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1
    assert len(refused) == 19 and {r.code for r in refused} == {"topic_title_taken"}
    assert await store.count(TOPICS) == 1
    assert await store.count(TOPIC_TITLES) == 1


async def test_a_title_reserved_by_a_creator_that_crashed_is_taken_over_after_a_while(store, make_user, monkeypatch):
    owner = await make_user("owner")
    key = topic_models.title_key("Ghost Town")
    await store.create(TOPIC_TITLES, {"id": key, "pk": key, "topic_id": "never-written", "title": "Ghost Town"})
    with pytest.raises(Conflict):
        await topics.do_create_topic(owner, create_body("Ghost Town"))
    monkeypatch.setattr(topics, "ORPHAN_TITLE_SECONDS", -1)
    topic = await topics.do_create_topic(owner, create_body("Ghost Town"))
    assert (await store.read(TOPIC_TITLES, key, key))["topic_id"] == topic["id"]


async def test_renaming_frees_the_old_title_and_takes_the_new_one(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Old Name"))
    await topics.check_update_topic(principal(owner), topic["id"], topic_models.TopicUpdate(title="New Name"))
    other = await topics.do_create_topic(owner, create_body("old name"))
    assert other["title"] == "old name"
    with pytest.raises(Conflict):
        await topics.do_create_topic(owner, create_body("NEW NAME"))


async def test_invite_only_is_fixed_at_creation(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Fixed", require_approval=True))
    assert topic["visibility"] == "private" and topic["audience"] == topic["id"]
    update = topic_models.TopicUpdate(settings=topic_models.TopicSettingsUpdate(require_approval=False))
    with pytest.raises(ValidationFailed):
        await topics.check_update_topic(principal(owner), topic["id"], update)


# ---------------------------------------------------------------------------------------------------------
# membership counts


async def test_fifty_parallel_joins_count_fifty_members(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Crowded"))
    users = [await make_user(f"user{i}") for i in range(50)]
    results = await asyncio.gather(*(membership.check_join(principal(u), topic["id"]) for u in users))
    assert {r.status for r in results} == {"joined"}
    saved = await store.read(TOPICS, topic["id"], topic["id"])
    assert saved["member_count"] == 51  # the owner is the first member
    assert await store.count(MEMBERSHIPS, [Where("kind", "=", "member")], pk=topic["id"]) == 51


async def test_one_user_joining_twenty_times_at_once_counts_once(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Eager"))
    fan = await make_user("fan")
    results = await asyncio.gather(*(membership.check_join(principal(fan), topic["id"]) for _ in range(20)))
    assert sorted(r.status for r in results).count("joined") == 1
    assert (await store.read(TOPICS, topic["id"], topic["id"]))["member_count"] == 2


async def test_leaving_twice_at_once_counts_once(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Doors"))
    fan = await make_user("fan")
    await membership.check_join(principal(fan), topic["id"])
    await asyncio.gather(*(membership.remove_member(topic["id"], fan) for _ in range(10)))
    assert (await store.read(TOPICS, topic["id"], topic["id"]))["member_count"] == 1


# ---------------------------------------------------------------------------------------------------------
# access


async def test_an_invite_only_topic_is_not_found_for_outsiders_but_seen_by_members_and_admins(store, make_user):
    owner, outsider, admin = await make_user("owner"), await make_user("outsider"), await make_user("admin")
    topic = await topics.do_create_topic(owner, create_body("Secret Club", require_approval=True))
    with pytest.raises(NotFound) as missing:
        await access.access_topic(principal(outsider), topic["id"])
    assert missing.value.code == "topic_not_found"
    with pytest.raises(NotFound):
        await access.access_topic(None, topic["id"])
    assert (await access.access_topic(principal(owner), topic["id"])).role == "owner"
    assert (await access.access_topic(principal(admin, admin=True), topic["id"])).can("ban_users")
    readable = await access.readable_topic_ids(principal(owner))
    assert readable.private_ids == [topic["id"]]
    assert (await access.readable_topic_ids(principal(outsider))).private_ids == []


async def test_an_expired_ban_no_longer_counts_and_a_current_mute_blocks_contributions(store, make_user):
    owner, fan = await make_user("owner"), await make_user("fan")
    topic = await topics.do_create_topic(owner, create_body("Rules"))
    tid = topic["id"]
    past = clock.iso(clock.now() - timedelta(minutes=1))
    await store.create(MEMBERSHIPS, {"id": ban_id(fan), "pk": tid, "kind": "ban", "topic_id": tid, "user_id": fan,
                                     "created_at": past, "expires_at": past})
    assert not (await access.access_topic_for_contribution(principal(fan), tid)).banned
    await store.create(MEMBERSHIPS, {"id": mute_id(fan), "pk": tid, "kind": "mute", "topic_id": tid,
                                     "user_id": fan, "created_at": past, "expires_at": None})
    with pytest.raises(Forbidden) as refused:
        await access.access_topic_for_contribution(principal(fan), tid)
    assert refused.value.code == "muted_in_topic"


async def test_a_moderator_holds_exactly_the_permissions_granted(store, make_user):
    owner, mod = await make_user("owner"), await make_user("mod")
    topic = await topics.do_create_topic(owner, create_body("Granular"))
    await membership.check_join(principal(mod), topic["id"])
    await membership.check_add_moderator(principal(owner), topic["id"],
                                         membership_models.ModeratorAdd(user_id=mod, permissions=["mute_users"]))
    seen = await access.access_topic(principal(mod), topic["id"])
    assert seen.role == "moderator"
    assert seen.can("mute_users") and not seen.can("ban_users") and not seen.can("manage_posts")


async def test_a_pending_deletion_hides_the_topic_and_the_purge_removes_everything(store, make_user):
    owner, fan = await make_user("owner"), await make_user("fan")
    topic = await topics.do_create_topic(owner, create_body("Short Lived"))
    tid = topic["id"]
    await membership.check_join(principal(fan), tid)
    await anonymity.alias_for(tid, fan)
    purged_by_others: list[str] = []

    async def posts_purger(topic_id: str) -> None:
        purged_by_others.append(topic_id)

    purging.register_topic_purger("test-posts", posts_purger)
    try:
        await topics.check_delete_topic(principal(owner), tid)
        with pytest.raises(NotFound):
            await access.access_topic(principal(owner), tid)
        await topics.check_approve_deletion(principal("admin", admin=True), tid)
        assert await purging.purge_due_topics() == []  # the grace period has not ended
        await store.patch(TOPICS, tid, tid, [
            Patch("set", "/deletion/permanent_delete_at", clock.iso(clock.now() - timedelta(seconds=1)))])
        assert await purging.purge_due_topics() == [tid]
    finally:
        purging._purgers.pop("test-posts", None)
    assert purged_by_others == [tid]
    assert await store.count(TOPICS) == 0
    assert await store.count(MEMBERSHIPS, pk=tid) == 0
    assert await store.count(ALIASES, pk=tid) == 0
    assert await access.readable_topic_ids(principal(fan)) == access.ReadableTopics()
    again = await topics.do_create_topic(owner, create_body("short lived"))  # the title is free again
    assert again["id"] != tid


# ---------------------------------------------------------------------------------------------------------
# anonymity


async def test_one_alias_per_user_per_topic_even_when_asked_for_thirty_times_at_once(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Masks"))
    names = await asyncio.gather(*(anonymity.alias_for(topic["id"], owner) for _ in range(30)))
    assert len(set(names)) == 1
    page = await store.query(ALIASES, Query(where=[Where("kind", "=", "alias")]), pk=topic["id"])
    assert len(page.items) == 1


async def test_chosen_aliases_are_cleaned_and_made_unique_in_the_topic(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Masquerade"))
    users = [await make_user(f"user{i}") for i in range(5)]
    chosen = await asyncio.gather(*(anonymity.set_alias(topic["id"], u, "  night   owl!! ") for u in users))
    assert sorted(chosen) == ["Night Owl", "Night Owl2", "Night Owl3", "Night Owl4", "Night Owl5"]
    # changing it frees the old name for someone else
    holder = users[chosen.index("Night Owl")]
    await anonymity.set_alias(topic["id"], holder, "day hawk")
    assert await anonymity.set_alias(topic["id"], await make_user("late"), "Night Owl") == "Night Owl"


@pytest.mark.parametrize("raw", ["ab", "!!", "Admin", "the moderator", "TopicsFlow Team"])
def test_alias_names_that_are_too_short_or_impersonate_staff_are_refused(raw):
    with pytest.raises(ValidationFailed):
        anonymity.clean_name(raw)


def test_alias_names_are_capitalised_word_by_word_and_cut_to_twenty_characters():
    assert anonymity.clean_name("quiet <b>river</b> runs deep and long") == "Quiet B River B Runs"


# ---------------------------------------------------------------------------------------------------------
# pure rules


def test_tags_are_lowercased_deduplicated_and_checked():
    assert topic_models.clean_tags(["Python", "python", "web_dev"]) == ["python", "web_dev"]
    with pytest.raises(ValueError):
        topic_models.clean_tags(["x"])
    with pytest.raises(ValueError):
        topic_models.clean_tags([f"tag{i}" for i in range(11)])


def test_hot_rank_prefers_busy_recent_topics_and_is_zero_after_a_quiet_week():
    now = clock.now()
    fresh = {"last_activity": clock.iso(now), "post_count": 10, "member_count": 5}
    older = {**fresh, "last_activity": clock.iso(now - timedelta(hours=5))}
    quiet = {**fresh, "last_activity": clock.iso(now - timedelta(days=8))}
    assert topics.hot_rank(fresh, now) > topics.hot_rank(older, now) > 0
    assert topics.hot_rank(quiet, now) == 0


def test_the_search_words_of_a_topic_are_its_lowercase_words():
    assert topic_models.search_words("Hello, World!", "hello again") == ["hello", "world", "again"]


async def test_the_hot_rank_timer_zeroes_topics_that_went_quiet(store, make_user):
    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Fading"))
    await store.patch(TOPICS, topic["id"], topic["id"], [
        Patch("set", "/last_activity", clock.iso(clock.now() - timedelta(days=9)))])
    assert (await store.read(TOPICS, topic["id"], topic["id"]))["hot_rank"] > 0
    assert await topics.refresh_hot_ranks() == 1
    assert (await store.read(TOPICS, topic["id"], topic["id"]))["hot_rank"] == 0
    assert wiring.documents() is store


# ---------------------------------------------------------------------------------------------------------
# erasure of a deleted account


async def test_erasing_a_user_hands_owned_topics_on_and_removes_every_trace(store, make_user):
    from shared.domain.communities import erasure
    from shared.domain.communities.containers import INVITATIONS, USER_TOPICS

    leaving, mod, fan = await make_user("leaving"), await make_user("mod"), await make_user("fan")
    busy = await topics.do_create_topic(leaving, create_body("Busy Place"))
    lonely = await topics.do_create_topic(leaving, create_body("Lonely Place"))
    other = await topics.do_create_topic(fan, create_body("Elsewhere", require_approval=True))
    for user in (mod, fan):
        await membership.check_join(principal(user), busy["id"])
    await membership.check_add_moderator(principal(leaving), busy["id"], membership_models.ModeratorAdd(user_id=mod))
    await anonymity.alias_for(busy["id"], leaving)
    await membership.check_join(principal(leaving), other["id"])  # a join request to an invite-only topic
    from shared.domain.communities import invitations

    await invitations.check_invite(principal(fan), other["id"], membership_models.UserTarget(user_id=leaving))

    await erasure.erase_user(leaving)
    await erasure.erase_user(leaving)  # idempotent

    busy_now = await store.read(TOPICS, busy["id"], busy["id"])
    assert busy_now["owner_id"] == mod and busy_now["member_count"] == 2
    assert (await access.access_topic(principal(mod), busy["id"])).role == "owner"
    lonely_now = await store.read(TOPICS, lonely["id"], lonely["id"])
    assert lonely_now["status"] == "deletion_approved" and lonely_now["member_count"] == 0
    assert await store.count(MEMBERSHIPS, [Where("user_id", "=", leaving)]) == 0
    assert await store.count(ALIASES, [Where("user_id", "=", leaving)]) == 0
    assert await store.count(USER_TOPICS, pk=leaving) == 0
    assert await store.count(INVITATIONS, pk=leaving) == 0


async def test_the_timer_removes_only_bans_and_mutes_whose_time_is_up(store, make_user):
    from shared.domain.communities import moderation

    owner = await make_user("owner")
    topic = await topics.do_create_topic(owner, create_body("Timed"))
    tid = topic["id"]
    past, future = clock.iso(clock.now() - timedelta(minutes=1)), clock.later_iso(minutes=10)
    for id, kind, expires in ((ban_id("a"), "ban", past), (ban_id("b"), "ban", None), (mute_id("c"), "mute", past),
                              (mute_id("d"), "mute", future)):
        await store.create(MEMBERSHIPS, {"id": id, "pk": tid, "kind": kind, "topic_id": tid, "user_id": id[-1],
                                         "created_at": past, "expires_at": expires})
    assert await moderation.remove_expired_restrictions() == 2
    left = await store.query(MEMBERSHIPS, Query(where=[Where("kind", "in", ["ban", "mute"])]), pk=tid)
    assert sorted(doc["id"] for doc in left.items) == [ban_id("b"), mute_id("d")]


async def test_lists_filter_by_audience_tags_and_words_inside_the_query(store, make_user):
    owner, fan, stranger = await make_user("owner"), await make_user("fan"), await make_user("stranger")
    public = await topics.do_create_topic(owner, create_body("Open Birds", tags=["birds"]))
    club = await topics.do_create_topic(owner, create_body("Closed Birds", tags=["birds"], require_approval=True))
    await topics.do_create_topic(owner, create_body("Open Fish", tags=["fish"]))
    await membership.add_member(club, fan)
    query = topic_models.TopicListQuery(tags=["birds"], search="BIRDS", limit=1)
    seen = {}
    for who in (fan, stranger):
        page = await topics.check_list_topics(principal(who), query)
        ids = [t.id for t in page.items]
        while page.next_cursor:
            page = await topics.check_list_topics(principal(who), query.model_copy(update={"cursor": page.next_cursor}))
            assert len(page.items) == 1 or page.next_cursor is None
            ids += [t.id for t in page.items]
        seen[who] = ids
    assert sorted(seen[fan]) == sorted([public["id"], club["id"]])
    assert seen[stranger] == [public["id"]]
    anonymous = await topics.check_list_topics(None, topic_models.TopicListQuery(search="closed"))
    assert anonymous.items == []
