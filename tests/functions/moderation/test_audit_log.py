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
