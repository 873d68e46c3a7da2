"""Support tickets: the owner and administrators talk in a thread; administrators list, assign, move and reopen;
new tickets reach administrators as admin_notification; nobody else sees a ticket (404)."""

from __future__ import annotations

from tests.support.communities import ok
from tests.support.users import signup

TICKET = {"category": "account", "subject": "Cannot change my name", "priority": "high",
          "description": "The form says my new name is taken but nobody has it."}


def open_ticket(api, user, **fields):
    return ok(api.post("/api/tickets", json={**TICKET, **fields}, headers=user.headers), 201)


def test_a_ticket_thread_between_its_owner_and_the_administrators(host, api, people):
    owner, stranger = signup(host), signup(host)
    ticket = open_ticket(api, owner)
    assert ticket["status"] == "open" and ticket["user_id"] == owner.id and ticket["assigned_to"] is None
    notes = host.events(group=f"user_{people.admin.id}", type="admin_notification")
    assert any(n["data"] == {"type": "new_ticket", "ticket_id": ticket["id"], "category": "account",
                             "priority": "high", "subject": TICKET["subject"]} for n in notes)
    assert [t["id"] for t in ok(api.get("/api/tickets/my", headers=owner.headers))["items"]] == [ticket["id"]]
    assert ok(api.get("/api/tickets/my-tickets", headers=owner.headers))["items"][0]["id"] == ticket["id"]
    assert ok(api.get("/api/tickets/my", headers=stranger.headers))["items"] == []

    for who in (stranger, people.moderator):
        assert api.get(f"/api/tickets/{ticket['id']}", headers=who.headers).status_code == 404
        assert api.post(f"/api/tickets/{ticket['id']}/messages", json={"message": "me too"},
                        headers=who.headers).status_code == 404
    assert api.get(f"/api/tickets/{ticket['id']}").status_code == 401

    ok(api.post(f"/api/tickets/{ticket['id']}/messages", json={"message": "Any news?"}, headers=owner.headers), 201)
    reply = ok(api.post(f"/api/tickets/{ticket['id']}/messages", json={"message": "Looking into it."},
                        headers=people.admin.headers), 201)
    assert reply["is_admin"] is True
    assert host.events(group=f"user_{owner.id}", type="ticket_updated")
    detail = ok(api.get(f"/api/tickets/{ticket['id']}", headers=owner.headers))
    assert [m["message"] for m in detail["messages"]] == ["Any news?", "Looking into it."]
    assert detail["reply_count"] == 2 and detail["messages_next_cursor"] is None
    page = ok(api.get(f"/api/tickets/{ticket['id']}/messages", params={"limit": 1}, headers=people.admin.headers))
    assert len(page["items"]) == 1 and page["next_cursor"]

    closed = ok(api.post(f"/api/tickets/{ticket['id']}/close", headers=owner.headers))
    assert closed["status"] == "closed" and closed["closed_at"]
    refused = api.post(f"/api/tickets/{ticket['id']}/messages", json={"message": "one more"}, headers=owner.headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "ticket_closed"


def test_administrators_list_assign_move_and_reopen(host, api, people):
    owner = signup(host)
    assert api.post("/api/tickets", json={**TICKET, "category": "something else"},
                    headers=owner.headers).status_code == 422
    ticket = open_ticket(api, owner, category="other", priority="low")
    listed = ok(api.get("/api/admin/tickets", params={"category": "other", "priority": "low", "limit": 100},
                        headers=people.admin.headers))["items"]
    assert ticket["id"] in [t["id"] for t in listed]
    assert api.get("/api/admin/tickets", headers=owner.headers).status_code == 403

    path = f"/api/admin/tickets/{ticket['id']}"
    bad = api.put(path, json={"assigned_to": owner.id}, headers=people.admin.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "not_an_admin"
    moved = ok(api.put(path, json={"assigned_to": people.admin.id, "status": "in_progress", "priority": "high"},
                       headers=people.admin.headers))
    assert (moved["assigned_to"], moved["status"], moved["priority"]) == (people.admin.id, "in_progress", "high")
    mine = ok(api.get("/api/admin/tickets", params={"assigned_to": people.admin.id, "status": "in_progress"},
                      headers=people.admin.headers))["items"]
    assert ticket["id"] in [t["id"] for t in mine]
    ok(api.put(path, json={"status": "resolved", "admin_response": "Fixed."}, headers=people.admin.headers))
    refused = api.put(path, json={"reopen": True}, headers=owner.headers)
    assert refused.status_code == 403
    reopened = ok(api.put(path, json={"reopen": True, "reason": "still broken"}, headers=people.admin.headers))
    assert reopened["status"] == "open"
    again = api.put(path, json={"reopen": True}, headers=people.admin.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ticket_not_closed"

    log = ok(api.get("/api/admin/audit-log", params={"place": "site", "limit": 100},
                     headers=people.admin.headers))["items"]
    actions = sorted(e["action"] for e in log if e["target"]["id"] == ticket["id"])
    assert actions == ["ticket.assign", "ticket.priority", "ticket.reopen", "ticket.reply", "ticket.status",
                       "ticket.status"]
    assert ok(api.get("/api/tickets/categories", headers=owner.headers))["categories"] == [
        "bug", "feature", "account", "report", "other"]


def test_an_idempotency_key_makes_one_ticket(host, api):
    owner = signup(host)
    headers = {**owner.headers, "Idempotency-Key": "ticket-once-1"}
    first = ok(api.post("/api/tickets", json=TICKET, headers=headers), 201)
    second = ok(api.post("/api/tickets", json=TICKET, headers=headers), 201)
    assert first["id"] == second["id"]
    assert len(ok(api.get("/api/tickets/my", headers=owner.headers))["items"]) == 1
