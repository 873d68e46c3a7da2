"""The audit log: every moderator action in a topic is one entry, read by the topic's moderators, by administrators
(all places) and, without the moderator's name and without private entries, by anyone on the public modlog."""

from __future__ import annotations

from tests.support.communities import ok, seed_post


def entries(api, path, headers, **params):
    return ok(api.get(path, params=params, headers=headers))["items"]


def test_a_topic_ban_and_a_post_removal_are_each_one_entry_in_every_log(host, api, world, people):
    w = world()
    spare = people.spares[0]
    post = seed_post(host, w.id, people.member)
    ok(api.post(f"/api/topics/{w.id}/ban", json={"user_id": spare.id, "reason": "trolling"},
                headers=people.moderator.headers))
    ok(api.post(f"/api/posts/{post['id']}/remove", json={"reason": "off topic"}, headers=people.moderator.headers))
    ok(api.post(f"/api/posts/{post['id']}/remove", json={"reason": "again"}, headers=people.moderator.headers))

    log = entries(api, f"/api/topics/{w.id}/audit-log", people.moderator.headers)
    actions = [e["action"] for e in log]
    # the world's own setup banned `banned` and made `moderator` a moderator: those are entries too
    assert actions.count("topic.ban") == 2 and actions.count("post.remove") == 1
    assert actions.count("topic.add_moderator") == 1
    removal = next(e for e in log if e["action"] == "post.remove")
    assert removal["actor"] == {"id": people.moderator.id, "username": people.moderator.username}
    assert removal["target"] == {"kind": "post", "id": post["id"], "user_id": people.member.id}
    assert removal["reason"] == "off topic" and removal["place"] == {"kind": "topic", "id": w.id}
    assert [e["id"] for e in log] == sorted((e["id"] for e in log), reverse=True)

    site = entries(api, "/api/admin/audit-log", people.admin.headers, place=f"topic:{w.id}")
    assert sorted(e["id"] for e in site) == sorted(e["id"] for e in log)
    only = entries(api, "/api/admin/audit-log", people.admin.headers, place=f"topic:{w.id}", action="post.remove")
    assert [e["id"] for e in only] == [removal["id"]]

    modlog = entries(api, f"/api/topics/{w.id}/modlog", {})
    public = next(e for e in modlog if e["action"] == "post.remove")
    assert public["moderator"] is None and public["reason"] == "off topic"
    assert {e["action"] for e in modlog} >= {"topic.ban", "post.remove"}


def test_who_may_read_which_log(host, api, world, people):
    w, hidden = world(), world(private=True)
    ok(api.post(f"/api/topics/{w.id}/kick", json={"user_id": people.spares[1].id}, headers=people.owner.headers))
    cells = {"anonymous": {}, "other": people.other.headers, "member": people.member.headers,
             "moderator": people.moderator.headers, "owner": people.owner.headers, "admin": people.admin.headers}
    expected = {  # topic log, public modlog, private topic's modlog, site log
        "anonymous": (401, 200, 404, 401), "other": (404, 200, 404, 403), "member": (404, 200, 200, 403),
        "moderator": (200, 200, 200, 403), "owner": (200, 200, 200, 403), "admin": (200, 200, 200, 200)}
    for role, headers in cells.items():
        got = (api.get(f"/api/topics/{w.id}/audit-log", headers=headers).status_code,
               api.get(f"/api/topics/{w.id}/modlog", headers=headers).status_code,
               api.get(f"/api/topics/{hidden.id}/modlog", headers=headers).status_code,
               api.get("/api/admin/audit-log", headers=headers).status_code)
        assert got == expected[role], role


def test_the_modlog_names_moderators_only_when_the_setting_says_so(host, api, world, people, monkeypatch):
    from shared.settings import get_settings

    w = world()
    ok(api.post(f"/api/topics/{w.id}/mute", json={"user_id": people.spares[2].id}, headers=people.moderator.headers))
    settings = get_settings()
    monkeypatch.setattr(settings, "modlog_show_moderator_names", True)
    try:
        mute = next(e for e in entries(api, f"/api/topics/{w.id}/modlog", {}) if e["action"] == "topic.mute")
    finally:
        monkeypatch.undo()
    assert mute["moderator"] == {"id": people.moderator.id, "username": people.moderator.username}


def test_site_bans_are_in_the_site_log(host, api, people):
    from tests.support.users import signup

    user = signup(host)
    ok(api.post(f"/api/admin/users/{user.id}/ban", json={"reason": "spam links"}, headers=people.admin.headers))
    ok(api.delete(f"/api/admin/users/{user.id}/ban", headers=people.admin.headers))
    log = entries(api, "/api/admin/audit-log", people.admin.headers, place="site")
    mine = [e["action"] for e in log if e["target"]["id"] == user.id]
    assert mine == ["site.unban", "site.ban"]


def test_every_topic_moderation_action_is_exactly_one_entry(host, api, world, people):
    from tests.support.communities import seed_comment

    w = world()
    mod, owner = people.moderator.headers, people.owner.headers
    spare, other_spare = people.spares[0], people.spares[1]
    post = seed_post(host, w.id, people.member)
    purged = seed_post(host, w.id, people.member)
    comment = seed_comment(host, post["id"], people.member)
    before = {e["id"] for e in entries(api, f"/api/topics/{w.id}/audit-log", mod, limit=100)}
    steps = [
        ("topic.mute", "POST", f"/api/topics/{w.id}/mute", {"user_id": spare.id}, mod),
        ("topic.unmute", "POST", f"/api/topics/{w.id}/unmute", {"user_id": spare.id}, mod),
        ("topic.unban", "POST", f"/api/topics/{w.id}/unban", {"user_id": people.banned.id}, mod),
        ("topic.kick", "POST", f"/api/topics/{w.id}/kick", {"user_id": other_spare.id}, mod),
        ("topic.add_moderator", "POST", f"/api/topics/{w.id}/moderators", {"user_id": spare.id}, owner),
        ("topic.update_moderator", "PUT", f"/api/topics/{w.id}/moderators/{spare.id}",
         {"permissions": ["manage_posts"]}, owner),
        ("topic.remove_moderator", "DELETE", f"/api/topics/{w.id}/moderators/{spare.id}", None, owner),
        ("post.lock", "POST", f"/api/posts/{post['id']}/lock", None, mod),
        ("post.unlock", "POST", f"/api/posts/{post['id']}/unlock", None, mod),
        ("post.pin", "POST", f"/api/posts/{post['id']}/pin", None, mod),
        ("post.unpin", "POST", f"/api/posts/{post['id']}/unpin", None, mod),
        ("post.remove", "DELETE", f"/api/posts/{post['id']}", None, mod),
        ("post.restore", "POST", f"/api/posts/{post['id']}/restore", None, mod),
        ("comment.remove", "POST", f"/api/comments/{comment['id']}/remove", {"reason": "rude"}, mod),
        ("post.purge", "DELETE", f"/api/posts/{purged['id']}?mode=hard", None, people.admin.headers),
        ("topic.transfer_ownership", "POST", f"/api/topics/{w.id}/transfer-ownership",
         {"user_id": people.member.id}, owner),
    ]
    for _action, method, path, body, headers in steps:
        response = api.request(method, path, json=body, headers=headers)
        assert response.status_code in (200, 201, 204), (path, response.text)
    log = [e for e in entries(api, f"/api/topics/{w.id}/audit-log", people.admin.headers, limit=100)
           if e["id"] not in before]
    assert sorted(e["action"] for e in log) == sorted(step[0] for step in steps)
