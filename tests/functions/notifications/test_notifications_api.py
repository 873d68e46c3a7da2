"""The /api/notifications routes: mentions notify exactly once, the caller's own notifications only, unread
counts, read, read-all, delete, cursor pages, expiry, and the `new_notification` event."""

from __future__ import annotations

from tests.support.communities import new_comment, new_post, ok, seed_post, signup


def notifications(api, user, **params):
    return ok(api.get("/api/notifications", params=params, headers=user.headers))


def about(api, user, post_id):
    """The user's notifications about one post (the suite's users collect others from earlier tests)."""
    return [n for n in notifications(api, user, limit=100)["items"] if n["data"]["post_id"] == post_id]


def test_a_mention_in_a_post_and_in_a_comment_notifies_once_each(api, host, world):
    w = world()
    p = w.people
    post = new_post(api, w.id, p.member, content=f"hey @{p.other.username} and @{p.other.username.upper()}")
    ok(api.put(f"/api/posts/{post['id']}", json={"content": f"still @{p.other.username}"}, headers=p.member.headers))
    comment = new_comment(api, post["id"], p.owner, f"@{p.other.username} look")
    host.drain()
    items = about(api, p.other, post["id"])
    assert sorted((n["type"], n["data"].get("comment_id", "")) for n in items) == sorted(
        [("mention", ""), ("mention", comment["id"])])
    mention = next(n for n in items if n["data"].get("comment_id") is None)
    assert mention["data"] == {"topic_id": w.id, "post_id": post["id"]} and mention["read"] is False
    assert mention["actor"] == {"display_name": p.member.username, "anonymous": False, "user_id": p.member.id,
                                "username": p.member.username}
    events = host.events(group=f"user_{p.other.id}", type="new_notification")
    assert {n["id"] for n in items} <= {e["data"]["id"] for e in events}


def test_mentioning_yourself_or_nobody_notifies_nobody(api, host, world):
    w = world()
    post = new_post(api, w.id, w.people.member, content=f"@{w.people.member.username} @nosuchuser12345")
    host.drain()
    assert about(api, w.people.member, post["id"]) == []


def test_someone_outside_an_invite_only_topic_is_not_told_about_it(api, host, world):
    w = world(private=True)
    post = new_post(api, w.id, w.people.member,
                    content=f"@{w.people.other.username} @{w.people.moderator.username}")
    host.drain()
    assert about(api, w.people.other, post["id"]) == []
    assert len(about(api, w.people.moderator, post["id"])) == 1


def test_unread_count_read_and_read_all(api, host, world):
    w = world()
    reader = signup(host)
    for i in range(3):
        seed_post(host, w.id, w.people.member, content=f"#{i} @{reader.username}")
    count = ok(api.get("/api/notifications/unread-count", headers=reader.headers))
    assert count == {"count": 3}
    first = notifications(api, reader)["items"][0]
    marked = ok(api.post(f"/api/notifications/{first['id']}/read", headers=reader.headers))
    assert marked["read"] is True
    assert ok(api.get("/api/notifications/unread-count", headers=reader.headers))["count"] == 2
    assert len(notifications(api, reader, unread_only="true")["items"]) == 2
    ok(api.post("/api/notifications/read-all", headers=reader.headers))
    assert ok(api.get("/api/notifications/unread-count", headers=reader.headers))["count"] == 0
    assert all(n["read"] for n in notifications(api, reader)["items"])
    seed_post(host, w.id, w.people.member, content=f"again @{reader.username}")
    assert ok(api.get("/api/notifications/unread-count", headers=reader.headers))["count"] == 1


def test_pages_walk_every_notification_once(api, host, world):
    w = world()
    reader = signup(host)
    for i in range(5):
        seed_post(host, w.id, w.people.member, content=f"#{i} @{reader.username}")
    seen, cursor = [], None
    while True:
        page = notifications(api, reader, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [n["id"] for n in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5
    assert api.get("/api/notifications", params={"limit": 101}, headers=reader.headers).status_code == 422


def test_delete_removes_one_notification(api, host, world):
    w = world()
    reader = signup(host)
    seed_post(host, w.id, w.people.member, content=f"@{reader.username}")
    item = notifications(api, reader)["items"][0]
    ok(api.delete(f"/api/notifications/{item['id']}", headers=reader.headers), 204)
    assert notifications(api, reader)["items"] == []
    assert api.delete(f"/api/notifications/{item['id']}", headers=reader.headers).status_code == 404


def test_expired_notifications_vanish_and_the_timer_purges_them(api, host, world):
    from shared import clock, wiring
    from shared.domain.notifications.service import NOTIFICATIONS
    from shared.ports import Patch

    w = world()
    reader = signup(host)
    seed_post(host, w.id, w.people.member, content=f"@{reader.username}")
    item = notifications(api, reader)["items"][0]
    past = clock.later_iso(seconds=-1)
    host.run(lambda: wiring.documents().patch(NOTIFICATIONS, reader.id, item["id"],
                                              [Patch("set", "/expires_at", past)]))
    assert notifications(api, reader)["items"] == []
    assert ok(api.get("/api/notifications/unread-count", headers=reader.headers))["count"] == 0
    assert api.post(f"/api/notifications/{item['id']}/read", headers=reader.headers).status_code == 404
    host.run_timer("purge_expired_notifications")
    assert host.run(lambda: wiring.documents().count(NOTIFICATIONS, pk=reader.id)) == 0


# ---------------------------------------------------------------------------------------------------------
# authorization: every route is the caller's own; nobody reaches anyone else's


def test_every_notifications_route_needs_a_signed_in_caller(api):
    for method, url in (("GET", "/api/notifications"), ("GET", "/api/notifications/unread-count"),
                        ("POST", "/api/notifications/read-all"), ("POST", "/api/notifications/x/read"),
                        ("DELETE", "/api/notifications/x")):
        response = api.request(method, url)
        assert response.status_code == 401, (method, url)


def test_nobody_reads_marks_or_deletes_someone_elses_notification(api, host, world):
    w = world()
    reader = signup(host)
    seed_post(host, w.id, w.people.member, content=f"@{reader.username}")
    item = notifications(api, reader)["items"][0]
    for user in (w.people.member, w.people.admin, w.people.other):
        assert item["id"] not in [n["id"] for n in notifications(api, user)["items"]]
        assert api.post(f"/api/notifications/{item['id']}/read", headers=user.headers).status_code == 404
        assert api.delete(f"/api/notifications/{item['id']}", headers=user.headers).status_code == 404
    assert notifications(api, reader)["items"][0]["read"] is False
