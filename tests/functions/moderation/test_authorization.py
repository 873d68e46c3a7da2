"""Who may call each moderation, ticket and admin route: every route against every part a caller can play.

Parts: anonymous, reporter (filed the report, owns the ticket), other (signed in, nothing to do with it), moderator
(of the report's topic), elsewhere (moderates another topic only), admin. Each cell is the status the route answers;
for the queue also whether the report shows. Targets are made fresh for every cell that changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.communities import ok, seed_post

PARTS = ("anonymous", "reporter", "other", "moderator", "elsewhere", "admin")
TICKET = {"category": "bug", "subject": "Something broke", "description": "It broke when I clicked the button."}


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(PARTS, statuses, strict=True))


ADMIN_ONLY = row(401, 403, 403, 403, 403, 200)
SIGNED_IN = row(401, 200, 200, 200, 200, 200)
PLACE_VIEW = row(401, 200, 404, 200, 404, 200)  # the reporter and the place's moderators; 404 for anyone else
PLACE_ACT = row(401, 404, 404, 200, 404, 200)
OWNER_VIEW = row(401, 200, 404, 404, 404, 200)  # a ticket: its owner and administrators


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # {report}, {ticket}, {topic}, {post}, {user}, {warning} are filled in
    expected: dict[str, int]
    body: Any = None
    params: Any = None
    fresh: str | None = None  # "report", "ticket", "deleted_post": made for the cell


CASES = [
    Case("file report", "POST", "/api/reports", row(401, 201, 201, 201, 201, 201), fresh="target"),
    Case("my reports", "GET", "/api/reports/my", SIGNED_IN),
    Case("get report", "GET", "/api/reports/{report}", PLACE_VIEW),
    Case("queue", "GET", "/api/reports", SIGNED_IN, params={"limit": 100}),
    Case("queue of the place", "GET", "/api/reports", SIGNED_IN, params={"place": "topic:{topic}", "limit": 100}),
    Case("act", "POST", "/api/reports/{report}/action", PLACE_ACT, body={"action": "dismiss"}, fresh="report"),
    Case("act (admin route)", "POST", "/api/admin/reports/{report}/action", ADMIN_ONLY, body={"action": "dismiss"},
         fresh="report"),
    Case("dismiss (TopicsFlow path)", "POST", "/api/reports/{report}/dismiss", PLACE_ACT, fresh="report"),
    Case("escalate (TopicsFlow path)", "POST", "/api/reports/{report}/escalate", PLACE_ACT, fresh="report"),
    Case("reopen (admin route)", "POST", "/api/admin/reports/{report}/reopen", ADMIN_ONLY, fresh="closed report"),
    Case("place statistics", "GET", "/api/reports/statistics", row(401, 404, 404, 200, 404, 200),
         params={"place": "topic:{topic}"}),
    Case("site statistics", "GET", "/api/reports/statistics", ADMIN_ONLY),
    Case("admin queue", "GET", "/api/admin/reports", ADMIN_ONLY),
    Case("site audit log", "GET", "/api/admin/audit-log", ADMIN_ONLY),
    Case("topic audit log", "GET", "/api/topics/{topic}/audit-log", row(401, 404, 404, 200, 404, 200)),
    Case("public modlog", "GET", "/api/topics/{topic}/modlog", row(200, 200, 200, 200, 200, 200)),
    Case("my warnings", "GET", "/api/warnings", SIGNED_IN),
    Case("acknowledge someone's warning", "POST", "/api/warnings/{warning}/acknowledge",
         row(401, 404, 404, 404, 404, 404)),
    Case("open ticket", "POST", "/api/tickets", row(401, 201, 201, 201, 201, 201), body=TICKET),
    Case("my tickets", "GET", "/api/tickets/my", SIGNED_IN),
    Case("ticket categories", "GET", "/api/tickets/categories", SIGNED_IN),
    Case("get ticket", "GET", "/api/tickets/{ticket}", OWNER_VIEW),
    Case("ticket thread", "GET", "/api/tickets/{ticket}/messages", OWNER_VIEW),
    Case("reply to ticket", "POST", "/api/tickets/{ticket}/messages", row(401, 201, 404, 404, 404, 201),
         body={"message": "any news?"}),
    Case("reply to ticket (TopicsFlow path)", "PUT", "/api/tickets/{ticket}", row(401, 200, 404, 404, 404, 200),
         body={"message": "still broken"}),
    Case("close ticket", "POST", "/api/tickets/{ticket}/close", OWNER_VIEW, fresh="ticket"),
    Case("admin tickets", "GET", "/api/admin/tickets", ADMIN_ONLY),
    Case("admin update ticket", "PUT", "/api/admin/tickets/{ticket}", ADMIN_ONLY, body={"priority": "high"},
         fresh="ticket"),
    Case("stats", "GET", "/api/admin/stats", ADMIN_ONLY),
    Case("banned users", "GET", "/api/admin/users/banned", ADMIN_ONLY),
    Case("a user's content", "GET", "/api/admin/users/{user}/content", ADMIN_ONLY),
    Case("unban (TopicsFlow path)", "POST", "/api/admin/users/{user}/unban", ADMIN_ONLY),
    Case("pending deletions", "GET", "/api/admin/pending-deletions", ADMIN_ONLY),
    Case("approve post deletion", "POST", "/api/admin/posts/{post}/approve-deletion", ADMIN_ONLY,
         fresh="deleted_post"),
    Case("reject post deletion", "POST", "/api/admin/posts/{post}/reject-deletion", ADMIN_ONLY,
         fresh="deleted_post"),
]


@dataclass
class Context:
    topic: str
    post: str
    report: str
    ticket: str
    warning: str
    user: str


def new_report(host, api, places, people) -> str:
    post = seed_post(host, places.here.id, people.member)
    return ok(api.post("/api/reports", json={"kind": "post", "target_id": post["id"], "reason": "spam"},
                       headers=people.spares[0].headers), 201)["id"]


def new_ticket(api, people) -> str:
    return ok(api.post("/api/tickets", json=TICKET, headers=people.spares[0].headers), 201)["id"]


@pytest.fixture(scope="module")
def context(host, api, places, people) -> Context:
    report = new_report(host, api, places, people)
    warned = new_report(host, api, places, people)
    ok(api.post(f"/api/reports/{warned}/action", json={"action": "warn_user", "message": "careful"},
                headers=people.moderator.headers))
    warning = ok(api.get("/api/warnings", headers=people.member.headers))["items"][0]["id"]
    return Context(topic=places.here.id, post="", report=report, ticket=new_ticket(api, people), warning=warning,
                   user=people.member.id)


def caller(part: str, places, people):
    return {"anonymous": None, "reporter": people.spares[0], "other": people.other, "moderator": people.moderator,
            "elsewhere": places.elsewhere, "admin": people.admin}[part]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_matrix(host, api, places, people, context, case, part):
    from tests.support.communities import everyone, forget_user_limits

    forget_user_limits(host, *everyone(people), rules=("reports_create", "report_actions", "tickets_create",
                                                       "tickets_write"))
    values = {"topic": context.topic, "report": context.report, "ticket": context.ticket,
              "warning": context.warning, "user": context.user, "post": context.post}
    body = case.body
    if case.fresh == "report":
        values["report"] = new_report(host, api, places, people)
    elif case.fresh == "closed report":
        values["report"] = new_report(host, api, places, people)
        ok(api.post(f"/api/reports/{values['report']}/dismiss", headers=people.moderator.headers))
    elif case.fresh == "ticket":
        values["ticket"] = new_ticket(api, people)
    elif case.fresh == "deleted_post":
        post = seed_post(host, places.here.id, people.member)
        ok(api.delete(f"/api/posts/{post['id']}", headers=people.member.headers), 204)
        values["post"] = post["id"]
    elif case.fresh == "target":
        body = {"kind": "post", "target_id": seed_post(host, places.here.id, people.member)["id"], "reason": "spam"}
    user = caller(part, places, people)
    params = {k: v.format(**values) if isinstance(v, str) else v for k, v in (case.params or {}).items()}
    response = api.request(case.method, case.path.format(**values), json=body, params=params,
                           headers=user.headers if user else {})
    assert response.status_code == case.expected[part], response.text
    if case.name.startswith("queue") and response.status_code == 200:
        shown = context.report in [r["id"] for r in response.json()["data"]["items"]]
        assert shown is (part in ("moderator", "admin")), part
