"""Reports: filing (one open report per reporter and target, counts add up), the review queue (moderators see only
their places, whatever they pass), and every action changing what people see, each one audit entry."""

from __future__ import annotations

import pytest

from tests.support.communities import new_comment, ok, seed_comment, seed_post
from tests.support.users import signup


def report(api, user, kind, target_id, reason="spam", status=201, **extra):
    response = api.post("/api/reports", json={"kind": kind, "target_id": target_id, "reason": reason, **extra},
                        headers=user.headers)
    assert response.status_code == status, response.text
    return response.json()["data"] if status < 300 else response.json()["error"]


def act(api, user, report_id, action, status=200, admin=False, **body):
    path = f"/api/{'admin/' if admin else ''}reports/{report_id}/action"
    response = api.post(path, json={"action": action, **body}, headers=user.headers)
    assert response.status_code == status, response.text
    return response.json()["data"] if status < 300 else response.json()["error"]


def audit(api, people, report_id):
    items = ok(api.get("/api/admin/audit-log", params={"limit": 100}, headers=people.admin.headers))["items"]
    return [e for e in items if e["report_id"] == report_id]


def test_one_open_report_per_reporter_and_the_counts_add_up(host, api, places, people):
    post = seed_post(host, places.here.id, people.member)
    first = report(api, people.other, "post", post["id"])
    assert first["status"] == "open" and first["target_report_count"] == 1
    assert first["id"] == f"post.{post['id']}.{people.other.id}"
    assert report(api, people.other, "post", post["id"], status=409)["code"] == "already_reported"
    second = report(api, people.spares[0], "post", post["id"], reason="abuse")
    assert second["target_report_count"] == 2
    assert report(api, people.member, "post", post["id"], status=409)["code"] == "cannot_report_self"
    assert ok(api.get(f"/api/posts/{post['id']}", headers=people.owner.headers))["moderation"]["report_count"] == 2
    # TopicsFlow's field names are accepted too
    comment = seed_comment(host, post["id"], people.member)
    legacy = api.post("/api/reports", json={"content_type": "comment", "content_id": comment["id"], "reason": "rude"},
                      headers=people.other.headers)
    assert legacy.status_code == 201, legacy.text
    assert report(api, people.other, "chat_message", "x", status=422)["code"] == "unknown_report_kind"
    assert report(api, people.other, "post", "nope", status=404)["code"] == "post_not_found"

    mine = ok(api.get("/api/reports/my", headers=people.other.headers))["items"]
    assert {first["id"], legacy.json()["data"]["id"]} <= {r["id"] for r in mine}
    own = next(r for r in mine if r["id"] == first["id"])
    assert own["reporter"] is None and own["notes"] is None  # the reporter's view: no moderator fields


def test_a_closed_report_can_be_filed_again(host, api, places, people):
    post = seed_post(host, places.here.id, people.member)
    first = report(api, people.other, "post", post["id"])
    act(api, people.moderator, first["id"], "dismiss")
    again = report(api, people.other, "post", post["id"])
    assert again["id"] == first["id"] and again["status"] == "open" and again["target_report_count"] == 2


def test_users_and_profile_images_are_reported_to_the_administrators(host, api, places, people):
    target = signup(host)
    filed = report(api, people.other, "user", target.id, reason="impersonation")
    assert report(api, people.other, "profile_image", target.id, status=404)["code"] == "image_not_found"
    assert report(api, target, "user", target.id, status=409)["code"] == "cannot_report_self"
    assert report(api, people.other, "user", "f" * 32, status=404)["code"] == "user_not_found"
    view = ok(api.get(f"/api/reports/{filed['id']}", headers=people.admin.headers))
    assert view["place"] == {"kind": "site", "id": None} and view["reporter"]["id"] == people.other.id
    assert api.get(f"/api/reports/{filed['id']}", headers=people.moderator.headers).status_code == 404
    events = host.events(group=f"user_{people.admin.id}", type="admin_notification")
    assert any(e["data"]["report_id"] == filed["id"] and e["data"]["type"] == "new_report" for e in events)


def test_the_queue_shows_moderators_only_their_places_whatever_they_pass(host, api, places, people):
    here_post = seed_post(host, places.here.id, people.member)
    there_post = seed_post(host, places.there.id, people.member)
    here_report = report(api, people.other, "post", here_post["id"])
    there_report = report(api, people.other, "post", there_post["id"])

    def queue(user, **params):
        return [r["id"] for r in ok(api.get("/api/reports", params={"limit": 100, **params},
                                            headers=user.headers))["items"]]

    mine = queue(places.elsewhere)
    assert there_report["id"] in mine and here_report["id"] not in mine
    assert queue(places.elsewhere, place=f"topic:{places.here.id}") == []
    assert here_report["id"] in queue(people.moderator, place=f"topic:{places.here.id}")
    assert there_report["id"] not in queue(people.moderator, place=f"topic:{places.here.id}")
    assert {here_report["id"], there_report["id"]} <= set(queue(people.admin))
    assert queue(people.member) == []
    assert here_report["id"] in queue(people.admin, kind="post", place=f"topic:{places.here.id}")
    assert here_report["id"] not in queue(people.admin, kind="comment")
    act(api, people.moderator, here_report["id"], "dismiss")
    assert here_report["id"] not in queue(people.moderator, place=f"topic:{places.here.id}")
    assert here_report["id"] in queue(people.moderator, place=f"topic:{places.here.id}", status="dismissed")
    assert here_report["id"] in queue(people.moderator, status="all")
    act(api, people.moderator, here_report["id"], "reopen")
    admin_queue = ok(api.get("/api/admin/reports", params={"limit": 100}, headers=people.admin.headers))["items"]
    assert here_report["id"] in [r["id"] for r in admin_queue]

    # passing the other place's report id changes nothing: it does not exist for them
    assert api.get(f"/api/reports/{here_report['id']}", headers=places.elsewhere.headers).status_code == 404
    assert act(api, places.elsewhere, here_report["id"], "remove_content", status=404)["code"] == "report_not_found"
    assert ok(api.get(f"/api/posts/{here_post['id']}", headers=people.other.headers))["id"] == here_post["id"]
    assert [e["action"] for e in audit(api, people, here_report["id"])] == ["report.reopen", "report.dismiss"]


def test_cursor_pages_of_the_queue(host, api, places, people):
    w = places.there
    for _ in range(3):
        report(api, people.other, "post", seed_post(host, w.id, people.member)["id"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "place": f"topic:{w.id}", **({"cursor": cursor} if cursor else {})}
        page = ok(api.get("/api/reports", params=params, headers=places.elsewhere.headers))
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) >= 3
    bad = api.get("/api/reports", params={"cursor": "forged"}, headers=places.elsewhere.headers)
    assert bad.status_code == 400


def listed_post_ids(api, topic_id, user):
    return [p["id"] for p in ok(api.get(f"/api/posts/topics/{topic_id}/posts", params={"limit": 100},
                                        headers=user.headers))["items"]]


@pytest.mark.parametrize("actor", ["moderator", "admin"])
def test_remove_content_takes_a_post_out_of_lists_and_resolves_every_report_on_it(host, api, places, people, actor):
    post = seed_post(host, places.here.id, people.member)
    first = report(api, people.other, "post", post["id"])
    second = report(api, people.spares[0], "post", post["id"])
    result = act(api, getattr(people, actor), first["id"], "delete_content" if actor == "admin" else "remove_content",
                 admin=actor == "admin", reason="spam link")
    assert result["action"] == "remove_content" and result["reports_closed"] == 2
    assert result["report"]["status"] == "resolved" and result["report"]["outcome"] == "content_removed"
    assert ok(api.get(f"/api/reports/{second['id']}", headers=people.spares[0].headers))["status"] == "resolved"
    assert post["id"] not in listed_post_ids(api, places.here.id, people.other)
    assert api.get(f"/api/posts/{post['id']}", headers=people.other.headers).status_code == 404
    events = host.events(group=f"topic_{places.here.id}", type="post_deleted")
    assert any(e["data"]["post_id"] == post["id"] and e["data"]["state"] == "removed" for e in events)
    entries = audit(api, people, first["id"])
    assert [e["action"] for e in entries] == ["post.remove"]
    assert entries[0]["actor"]["id"] == getattr(people, actor).id and entries[0]["reason"] == "spam link"
    assert act(api, people.moderator, first["id"], "dismiss", status=409)["code"] == "report_closed"


def test_an_admin_who_moderates_nothing_removes_a_comment(host, api, places, people):
    post = seed_post(host, places.here.id, people.member)
    comment = new_comment(api, post["id"], people.member, "rude words")
    filed = report(api, people.other, "comment", comment["id"])
    act(api, people.admin, filed["id"], "remove_content", admin=True)
    thread = ok(api.get(f"/api/comments/posts/{post['id']}/comments", headers=people.other.headers))["items"]
    shown = [c for c in thread if c["id"] == comment["id"]]
    assert not shown or shown[0]["content"] in (None, "")
    assert [e["action"] for e in audit(api, people, filed["id"])] == ["comment.remove"]


def test_warn_mute_and_ban_in_place_reach_the_author(host, api, places, people):
    author = signup(host)
    w = places.there
    ok(api.post(f"/api/topics/{w.id}/join", headers=author.headers))
    posts = [seed_post(host, w.id, author) for _ in range(3)]
    warned = report(api, people.other, "post", posts[0]["id"])
    act(api, places.elsewhere, warned["id"], "warn_user", message="Please keep it civil.")
    event = host.events(group=f"user_{author.id}", type="user_warning")[-1]
    assert event["data"]["message"] == "Please keep it civil."

    muted = report(api, people.other, "post", posts[1]["id"])
    act(api, places.elsewhere, muted["id"], "mute_in_place", reason="cool off", duration_minutes=30)
    refused = api.post(f"/api/posts/topics/{w.id}/posts", json={"title": "still here"}, headers=author.headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "muted_in_topic"

    banned = report(api, people.other, "post", posts[2]["id"])
    act(api, places.elsewhere, banned["id"], "ban_in_place", reason="again", duration_days=1)
    refused = api.post(f"/api/posts/topics/{w.id}/posts", json={"title": "still here"}, headers=author.headers)
    assert refused.json()["error"]["code"] == "banned_from_topic"

    for filed, action in ((warned, "user.warn"), (muted, "topic.mute"), (banned, "topic.ban")):
        assert [e["action"] for e in audit(api, people, filed["id"])] == [action]
    bans = ok(api.get(f"/api/topics/{w.id}/bans", headers=people.owner.headers))["items"]
    assert author.id in [b["user"]["id"] for b in bans]


def test_ban_site_is_for_administrators_and_ends_the_authors_sessions(host, api, places, people):
    author = signup(host)
    filed = report(api, people.other, "user", author.id)
    post_report = report(api, people.other, "post", seed_post(host, places.here.id, author)["id"])
    assert act(api, people.moderator, post_report["id"], "ban_site", status=403)["code"] == "admin_required"
    assert api.post(f"/api/admin/reports/{post_report['id']}/action", json={"action": "dismiss"},
                    headers=people.moderator.headers).status_code == 403
    result = act(api, people.admin, filed["id"], "ban_user", admin=True, reason="spam bot")
    assert result["action"] == "ban_site" and result["report"]["outcome"] == "user_banned"
    assert api.get("/api/auth/me", headers=author.headers).status_code == 401
    assert [e["action"] for e in audit(api, people, filed["id"])] == ["site.ban"]


def test_dismiss_escalate_reopen_and_resolve(host, api, places, people):
    post = seed_post(host, places.here.id, people.member)
    first = report(api, people.other, "post", post["id"])
    second = report(api, people.spares[1], "post", post["id"])
    escalated = act(api, people.moderator, first["id"], "escalate", reason="needs an admin")
    assert escalated["report"]["status"] == "escalated"
    notes = host.events(group=f"user_{people.admin.id}", type="admin_notification")
    assert any(n["data"]["type"] == "report_escalated" and n["data"]["report_id"] == first["id"] for n in notes)
    assert ok(api.get("/api/reports", params={"status": "escalated", "limit": 100},
                      headers=people.admin.headers))["items"][0]["status"] == "escalated"
    dismissed = act(api, people.admin, first["id"], "dismiss", admin=True, reason="not spam")
    assert dismissed["reports_closed"] == 2 and dismissed["report"]["status"] == "dismissed"
    assert ok(api.get(f"/api/reports/{second['id']}", headers=people.moderator.headers))["status"] == "dismissed"
    assert act(api, people.moderator, first["id"], "reopen")["report"]["status"] == "open"
    assert act(api, people.moderator, first["id"], "reopen", status=409)["code"] == "report_not_closed"
    assert act(api, people.moderator, first["id"], "resolve")["report"]["outcome"] == "resolved"
    assert ok(api.get(f"/api/posts/{post['id']}", headers=people.other.headers))["id"] == post["id"]
    assert [e["action"] for e in audit(api, people, first["id"])] == [
        "report.resolve", "report.reopen", "report.dismiss", "report.escalate"]
    assert act(api, people.other, first["id"], "dismiss", status=404)["code"] == "report_not_found"


def test_the_old_post_and_comment_report_routes_file_the_same_reports(host, api, places, people):
    post = seed_post(host, places.here.id, people.member)
    old = ok(api.post(f"/api/posts/{post['id']}/report", json={"reason": "spam"}, headers=people.other.headers), 201)
    assert old == {"target_id": post["id"], "reported": True, "report_id": f"post.{post['id']}.{people.other.id}"}
    assert report(api, people.other, "post", post["id"], status=409)["code"] == "already_reported"
    queue = ok(api.get(f"/api/posts/topics/{places.here.id}/reports", params={"limit": 100},
                       headers=people.moderator.headers))["items"]
    assert old["report_id"] in [r["id"] for r in queue]


def test_ban_site_from_a_report_closes_the_authors_sockets(host, api, places, people):
    import asyncio

    from tests.devhost.hub_support import JSON, connect_raw

    author = signup(host)
    filed = report(api, people.other, "user", author.id)
    url = ok(api.post("/api/realtime/negotiate", headers=author.headers))["url"]

    async def banned_while_connected() -> list:
        client = await connect_raw(url, JSON)
        await asyncio.to_thread(lambda: act(api, people.admin, filed["id"], "ban_site", reason="spam bot"))
        frames = []
        try:
            while True:
                frames.append(await client.next(timeout=10))
        except Exception as ended:  # the server closed the socket
            assert not isinstance(ended, TimeoutError), frames
        return frames

    frames = asyncio.run(banned_while_connected())
    assert not frames or frames[-1].get("event") == "disconnected"


def test_a_reported_profile_image_is_removed_by_an_administrator(host, api, places, people):
    from tests.functions.users.test_profile import PNG, upload

    user = signup(host)
    target, _put = upload(api, user, "avatar", PNG)
    ok(api.post("/api/users/me/avatar/confirm", json={"upload_id": target["upload_id"]}, headers=user.headers))
    assert ok(api.get(f"/api/users/{user.id}"))["avatar_url"]
    filed = report(api, people.other, "profile_image", user.id, reason="offensive picture")
    assert act(api, people.moderator, filed["id"], "remove_content", status=404)["code"] == "report_not_found"
    result = act(api, people.admin, filed["id"], "remove_content", reason="offensive")
    assert result["report"]["outcome"] == "content_removed"
    assert ok(api.get(f"/api/users/{user.id}"))["avatar_url"] is None
    assert [e["action"] for e in audit(api, people, filed["id"])] == ["profile_image.remove"]
    # a user is not content
    user_report = report(api, people.other, "user", user.id)
    assert act(api, people.admin, user_report["id"], "remove_content", status=409)["code"] == "nothing_to_remove"


def test_statistics_of_a_place_for_its_moderators(host, api, places, people):
    w = places.there
    before = ok(api.get("/api/reports/statistics", params={"place": f"topic:{w.id}"},
                        headers=places.elsewhere.headers))
    filed = report(api, people.other, "post", seed_post(host, w.id, people.member)["id"])
    act(api, places.elsewhere, filed["id"], "escalate")
    after = ok(api.get("/api/reports/statistics", params={"place": f"topic:{w.id}"},
                       headers=places.elsewhere.headers))
    assert after["place"] == f"topic:{w.id}" and after["escalated"] == before["escalated"] + 1
    assert api.get("/api/reports/statistics", params={"place": f"topic:{places.here.id}"},
                   headers=places.elsewhere.headers).status_code == 404
    site = ok(api.get("/api/reports/statistics", headers=people.admin.headers))
    assert site["place"] is None and site["escalated"] >= 1
