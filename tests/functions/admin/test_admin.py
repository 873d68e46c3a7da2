"""The administrators' pages: stats from counters (a constant number of store calls), banned users, a user's
content, and the pending deletions of topics and posts with approve and reject."""

from __future__ import annotations

from tests.support.communities import create_topic, ok, seed_comment, seed_post
from tests.support.counting import count_store_calls
from tests.support.users import signup

TICKET = {"category": "bug", "subject": "Something broke", "description": "It broke when I clicked the button."}


def stats(api, people):
    return ok(api.get("/api/admin/stats", headers=people.admin.headers))


def test_stats_follow_reports_tickets_and_users_at_a_constant_cost(host, api, public, people):
    host.run_timer("snapshot_user_stats")
    with count_store_calls(host) as calls:
        before = stats(api, people)
    few_calls = calls.total
    assert few_calls == 1, calls.summary()

    newcomers = [signup(host) for _ in range(3)]
    posts = [seed_post(host, public.id, people.member) for _ in range(3)]
    filed = [ok(api.post("/api/reports", json={"kind": "post", "target_id": p["id"], "reason": "spam"},
                         headers=user.headers), 201) for p, user in zip(posts, newcomers, strict=True)]
    ok(api.post(f"/api/reports/{filed[0]['id']}/action", json={"action": "dismiss"}, headers=people.admin.headers))
    ok(api.post(f"/api/reports/{filed[1]['id']}/action", json={"action": "remove_content"},
                headers=people.moderator.headers))
    ok(api.post("/api/tickets", json=TICKET, headers=newcomers[0].headers), 201)
    host.run_timer("snapshot_user_stats")

    with count_store_calls(host) as calls:
        after = stats(api, people)
    assert calls.total == few_calls, calls.summary()
    reports, tickets, users = after["reports"], after["tickets"], after["users"]
    assert reports["total"] - before["reports"]["total"] == 3
    assert reports["open"] - before["reports"]["open"] == 1
    assert reports["dismissed"] - before["reports"]["dismissed"] == 1
    assert reports["resolved"] - before["reports"]["resolved"] == 1
    assert reports["actions"]["remove_content"] >= 1 and reports["actions"]["dismiss"] >= 1
    assert tickets["total"] - before["tickets"]["total"] == 1 and tickets["open"] >= 1
    assert users["total"] - before["users"]["total"] == 3 and users["new_last_7_days"] >= 3
    assert users["admins"] >= 1 and users["as_of"]
    assert after["recent_activity"]["new_reports_24h"] - before["recent_activity"]["new_reports_24h"] == 3
    assert after["recent_activity"]["new_tickets_24h"] - before["recent_activity"]["new_tickets_24h"] == 1
    assert api.get("/api/admin/stats", headers=people.moderator.headers).status_code == 403


def test_banned_users_and_a_users_content(host, api, public, people):
    user = signup(host)
    post = seed_post(host, public.id, user)
    comment = seed_comment(host, post["id"], user, "a comment to review")
    ok(api.post(f"/api/admin/users/{user.id}/ban", json={"reason": "spam links"}, headers=people.admin.headers))
    banned = ok(api.get("/api/admin/users/banned", params={"limit": 100}, headers=people.admin.headers))["items"]
    mine = next(b for b in banned if b["id"] == user.id)
    assert mine["reason"] == "spam links" and mine["banned_by"] == people.admin.id
    assert api.get("/api/admin/users/banned", headers=people.moderator.headers).status_code == 403

    posts = ok(api.get(f"/api/admin/users/{user.id}/content", headers=people.admin.headers))["items"]
    assert [p["id"] for p in posts] == [post["id"]]
    comments = ok(api.get(f"/api/admin/users/{user.id}/content", params={"kind": "comment"},
                          headers=people.admin.headers))["items"]
    assert [(c["id"], c["excerpt"]) for c in comments] == [(comment["id"], "a comment to review")]
    assert api.get(f"/api/admin/users/{user.id}/content", headers=people.member.headers).status_code == 403


def test_pending_deletions_of_topics_and_posts(host, api, public, people):
    topic = create_topic(host, people.owner)
    ok(api.delete(f"/api/topics/{topic['id']}", headers=people.owner.headers), 202)
    kept, gone = seed_post(host, public.id, people.member), seed_post(host, public.id, people.member)
    for post in (kept, gone):
        ok(api.delete(f"/api/posts/{post['id']}", headers=people.member.headers), 204)

    queue = ok(api.get("/api/admin/pending-deletions", params={"limit": 100}, headers=people.admin.headers))
    assert topic["id"] in [t["id"] for t in queue["topics"]]
    assert {kept["id"], gone["id"]} <= {p["id"] for p in queue["posts"]}
    only_posts = ok(api.get("/api/admin/pending-deletions", params={"kind": "post", "limit": 100},
                            headers=people.admin.headers))
    assert only_posts["topics"] == [] and only_posts["posts"]

    assert ok(api.post(f"/api/admin/posts/{gone['id']}/approve-deletion", headers=people.admin.headers)) == {
        "post_id": gone["id"], "status": "purged"}
    assert api.get(f"/api/posts/{gone['id']}", headers=people.admin.headers).status_code == 404
    assert ok(api.post(f"/api/admin/posts/{kept['id']}/reject-deletion", headers=people.admin.headers))[
        "status"] == "restored"
    assert ok(api.get(f"/api/posts/{kept['id']}", headers=people.other.headers))["id"] == kept["id"]
    again = api.post(f"/api/admin/posts/{kept['id']}/approve-deletion", headers=people.admin.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_pending_deletion"
    assert api.post(f"/api/admin/posts/{kept['id']}/approve-deletion",
                    headers=people.moderator.headers).status_code == 403
    ok(api.post(f"/api/admin/topics/{topic['id']}/approve-deletion", headers=people.admin.headers))

    log = ok(api.get("/api/admin/audit-log", params={"limit": 100}, headers=people.admin.headers))["items"]
    actions = {(e["action"], e["target"]["id"]) for e in log}
    assert {("post.approve_deletion", gone["id"]), ("post.reject_deletion", kept["id"]),
            ("topic.approve_deletion", topic["id"])} <= actions
    queue = ok(api.get("/api/admin/pending-deletions", params={"limit": 100}, headers=people.admin.headers))
    assert topic["id"] not in [t["id"] for t in queue["topics"]]
    assert not {kept["id"], gone["id"]} & {p["id"] for p in queue["posts"]}


def test_the_timer_corrects_a_counter_that_drifted(host, api, people):
    from shared.domain.moderation.admin_stats import bump

    host.run_timer("snapshot_user_stats")
    right = stats(api, people)
    host.run(lambda: bump({"reports_open": 100, "tickets_closed": -3}))
    drifted = stats(api, people)
    assert drifted["reports"]["open"] == right["reports"]["open"] + 100
    host.run_timer("snapshot_user_stats")
    fixed = stats(api, people)
    assert fixed["reports"] == right["reports"] and fixed["tickets"] == right["tickets"]
