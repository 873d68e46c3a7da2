"""Warnings: given by a report action, pushed as `user_warning`, shown on /api/auth/me until acknowledged."""

from __future__ import annotations

from tests.support.communities import ok, seed_post
from tests.support.users import signup


def test_a_warning_is_pushed_shown_on_me_listed_and_acknowledged(host, api, places, people):
    author = signup(host)
    post = seed_post(host, places.here.id, author)
    filed = ok(api.post("/api/reports", json={"kind": "post", "target_id": post["id"], "reason": "rude"},
                        headers=people.other.headers), 201)
    assert ok(api.get("/api/auth/me", headers=author.headers))["active_warnings"] == []
    ok(api.post(f"/api/reports/{filed['id']}/action", json={"action": "warn_user", "reason": "Mind your language."},
                headers=people.moderator.headers))
    pushed = host.events(group=f"user_{author.id}", type="user_warning")
    assert len(pushed) == 1 and pushed[0]["data"]["message"] == "Mind your language."

    me = ok(api.get("/api/auth/me", headers=author.headers))
    [warning] = me["active_warnings"]
    assert warning["message"] == "Mind your language." and warning["active"] is True
    assert warning["place"] == {"kind": "topic", "id": places.here.id}
    assert ok(api.get("/api/warnings", headers=author.headers))["items"] == [warning]

    # nobody else sees or acknowledges it
    assert api.post(f"/api/warnings/{warning['id']}/acknowledge", headers=people.other.headers).status_code == 404
    assert ok(api.get("/api/warnings", headers=people.other.headers))["items"] == []

    done = ok(api.post(f"/api/warnings/{warning['id']}/acknowledge", headers=author.headers))
    assert done["active"] is False and done["acknowledged_at"]
    again = ok(api.post(f"/api/warnings/{warning['id']}/acknowledge", headers=author.headers))
    assert again == done
    assert ok(api.get("/api/auth/me", headers=author.headers))["active_warnings"] == []
    assert ok(api.get("/api/warnings", params={"active": "true"}, headers=author.headers))["items"] == []
    assert ok(api.get("/api/warnings", headers=author.headers))["items"] == [done]


def test_a_warning_needs_a_message(host, api, places, people):
    post = seed_post(host, places.here.id, people.member)
    filed = ok(api.post("/api/reports", json={"kind": "post", "target_id": post["id"], "reason": "rude"},
                        headers=people.other.headers), 201)
    refused = api.post(f"/api/reports/{filed['id']}/action", json={"action": "warn_user"},
                       headers=people.moderator.headers)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "warning_message_required"
    assert api.get("/api/warnings", headers={}).status_code == 401


def test_account_erasure_takes_warnings_and_tickets_and_keeps_the_audit_log(host, api, places, people):
    from shared.domain.moderation.erasure import erase_user

    author = signup(host)
    post = seed_post(host, places.here.id, author)
    filed = ok(api.post("/api/reports", json={"kind": "post", "target_id": post["id"], "reason": "rude"},
                        headers=people.other.headers), 201)
    ok(api.post(f"/api/reports/{filed['id']}/action", json={"action": "warn_user", "message": "No."},
                headers=people.moderator.headers))
    ticket = ok(api.post("/api/tickets", json={"subject": "Why was I warned", "description": "I did nothing wrong "
                                               "at all, honestly."}, headers=author.headers), 201)
    host.run(lambda: erase_user(author.id))
    host.run(lambda: erase_user(author.id))  # idempotent
    assert api.get(f"/api/tickets/{ticket['id']}", headers=people.admin.headers).status_code == 404
    log = ok(api.get("/api/admin/audit-log", params={"action": "user.warn", "limit": 100},
                     headers=people.admin.headers))["items"]
    assert any(e["target"]["id"] == author.id for e in log)
