"""A topic waiting for deletion leaves every feed at once (its posts are re-stamped in the background), and a
rejected deletion brings them back; feed pages stay full meanwhile."""

from tests.support.communities import create_topic, new_post, ok, signup


def feed_ids(api, user, limit: int) -> list[str]:
    return [p["id"] for p in ok(api.get("/api/posts/feed", params={"limit": limit}, headers=user.headers))["items"]]


def test_posts_of_a_topic_pending_deletion_leave_the_feed_without_short_pages_and_return_on_rejection(api, host):
    owner, admin = signup(host), signup(host, admin=True)
    doomed, kept = create_topic(host, owner), create_topic(host, owner)
    kept_posts = [new_post(api, kept["id"], owner)["id"] for _ in range(3)]
    doomed_posts = [new_post(api, doomed["id"], owner)["id"] for _ in range(3)]  # the newest three

    ok(api.delete(f"/api/topics/{doomed['id']}", headers=owner.headers), 202)
    host.drain()
    page = feed_ids(api, owner, 3)
    assert page == kept_posts[::-1]  # a full page of the other topic's posts, newest first
    assert not set(doomed_posts) & set(feed_ids(api, owner, 50))

    ok(api.post(f"/api/admin/topics/{doomed['id']}/reject-deletion", headers=admin.headers))
    host.drain()
    assert feed_ids(api, owner, 3) == doomed_posts[::-1]
