"""Who may call each topics route: a matrix of callers (anonymous, other user, banned user, member, moderator,
owner, administrator) per route, in a public and an invite-only topic, showing every refusal with its code.

Each row builds a fresh topic (conftest.build_world) where the signed-up people hold their parts. A caller who
is allowed and changes something acts on their own spare user (moderator -> spare 0, owner -> spare 1,
admin -> spare 2, member -> spare 3), so the callers of one row never get in each other's way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.communities import ROLES, World, build_world, ok

SPARE_OF = {"moderator": 0, "owner": 1, "admin": 2, "member": 3, "other": 3, "banned": 3, "anonymous": 3}
Expect = int | tuple[int, str] | None  # None: not asserted in the matrix (covered by the functional tests)


def denied(status: int, code: str) -> tuple[int, str]:
    return status, code


UNAUTH = denied(401, "unauthorized")
HIDDEN = denied(404, "topic_not_found")
OWNER_ONLY = denied(403, "owner_only")
NO_PERMISSION = denied(403, "missing_permission")
ADMIN_ONLY = denied(403, "admin_required")


@dataclass
class Row:
    name: str
    method: str
    path: str  # {topic}, {target} (the caller's spare user), {moderator}
    expect: dict[str, Expect]
    private: bool = False
    body: Callable[[World, str, str], dict[str, Any]] | None = None
    setup: Callable[[Any, World], None] | None = None
    spares_join: bool = True
    roles: tuple[str, ...] = field(default=ROLES)


def everyone(value: Expect, **overrides: Expect) -> dict[str, Expect]:
    return {**{role: value for role in ROLES}, **overrides}


def target_body(world: World, role: str, target: str) -> dict[str, Any]:
    return {"user_id": target}


def for_each_spare(action: Callable[[Any, World, Any], None], spares: range = range(3)):
    def setup(api, world: World) -> None:
        for i in spares:
            action(api, world, world.people.spares[i])

    return setup


def _ban(api, world, user):
    ok(api.post(f"/api/topics/{world.id}/ban", json={"user_id": user.id}, headers=world.people.owner.headers))


def _mute(api, world, user):
    ok(api.post(f"/api/topics/{world.id}/mute", json={"user_id": user.id}, headers=world.people.owner.headers))


def _promote(api, world, user):
    ok(api.post(f"/api/topics/{world.id}/moderators", json={"user_id": user.id}, headers=world.people.owner.headers))


def _invite(api, world, user):
    ok(api.post(f"/api/topics/{world.id}/invite", json={"user_id": user.id}, headers=world.people.owner.headers), 201)


def _request(api, world, user):
    assert api.post(f"/api/topics/{world.id}/join", headers=user.headers).status_code == 202


def _invite_spare_zero(api, world):
    _invite(api, world, world.people.spares[0])


ALIAS_OF = {"anonymous": "Nobody Here", "other": "Quiet Fox", "banned": "Lone Wolf", "member": "Sly Cat",
            "moderator": "Calm Owl", "owner": "Bold Bear", "admin": "Wise Elk"}
READ_PUBLIC = everyone(200)
READ_PRIVATE = everyone(200, anonymous=HIDDEN, other=HIDDEN, banned=HIDDEN)
OWNER_WRITE = everyone(OWNER_ONLY, anonymous=UNAUTH, owner=200, admin=200)
MODERATE = everyone(NO_PERMISSION, anonymous=UNAUTH, moderator=200, owner=200, admin=200)
ADMIN_ROUTE = everyone(ADMIN_ONLY, anonymous=UNAUTH)

ROWS = [
    Row("get a public topic", "GET", "/api/topics/{topic}", READ_PUBLIC),
    Row("get an invite-only topic", "GET", "/api/topics/{topic}", READ_PRIVATE, private=True),
    Row("update a public topic", "PUT", "/api/topics/{topic}", OWNER_WRITE,
        body=lambda w, r, t: {"description": f"changed by {r}"}),
    Row("update an invite-only topic", "PUT", "/api/topics/{topic}", {**OWNER_WRITE, "other": HIDDEN,
                                                                      "banned": HIDDEN},
        private=True, body=lambda w, r, t: {"description": f"changed by {r}"}),
    Row("delete a public topic", "DELETE", "/api/topics/{topic}", {**OWNER_WRITE, "owner": 202, "admin": None}),
    Row("delete an invite-only topic", "DELETE", "/api/topics/{topic}",
        {**OWNER_WRITE, "other": HIDDEN, "banned": HIDDEN, "owner": 202, "admin": None}, private=True),
    Row("join a public topic", "POST", "/api/topics/{topic}/join",
        everyone(200, anonymous=UNAUTH, banned=denied(403, "banned_from_topic"))),
    Row("join an invite-only topic", "POST", "/api/topics/{topic}/join",
        everyone(200, anonymous=UNAUTH, other=202, banned=202, admin=202), private=True),
    Row("leave a public topic", "POST", "/api/topics/{topic}/leave",
        everyone(200, anonymous=UNAUTH, owner=denied(409, "owner_cannot_leave"))),
    Row("leave an invite-only topic", "POST", "/api/topics/{topic}/leave",
        everyone(200, anonymous=UNAUTH, other=HIDDEN, banned=HIDDEN, owner=denied(409, "owner_cannot_leave")),
        private=True),
    Row("list the members of a public topic", "GET", "/api/topics/{topic}/members",
        everyone(200, anonymous=UNAUTH, other=denied(403, "members_only"), banned=denied(403, "members_only"))),
    Row("list the members of an invite-only topic", "GET", "/api/topics/{topic}/members",
        everyone(200, anonymous=UNAUTH, other=HIDDEN, banned=HIDDEN), private=True),
    Row("list the moderators of a public topic", "GET", "/api/topics/{topic}/moderators", READ_PUBLIC),
    Row("list the moderators of an invite-only topic", "GET", "/api/topics/{topic}/moderators", READ_PRIVATE,
        private=True),
    Row("make a moderator", "POST", "/api/topics/{topic}/moderators", OWNER_WRITE, body=target_body),
    Row("change a moderator's permissions", "PUT", "/api/topics/{topic}/moderators/{moderator}", OWNER_WRITE,
        body=lambda w, r, t: {"permissions": ["manage_posts", "ban_users"]}),
    Row("remove a moderator", "DELETE", "/api/topics/{topic}/moderators/{target}",
        {**OWNER_WRITE, "owner": 204, "admin": 204}, setup=for_each_spare(_promote)),
    Row("transfer the ownership", "POST", "/api/topics/{topic}/transfer-ownership",
        {**OWNER_WRITE, "admin": None}, body=target_body),
    Row("ban in a public topic", "POST", "/api/topics/{topic}/ban", MODERATE, body=target_body),
    Row("ban in an invite-only topic", "POST", "/api/topics/{topic}/ban",
        {**MODERATE, "other": HIDDEN, "banned": HIDDEN}, private=True, body=target_body),
    Row("unban", "POST", "/api/topics/{topic}/unban", MODERATE, body=target_body, setup=for_each_spare(_ban)),
    Row("kick", "POST", "/api/topics/{topic}/kick", MODERATE, body=target_body),
    Row("mute", "POST", "/api/topics/{topic}/mute", MODERATE, body=target_body),
    Row("unmute", "POST", "/api/topics/{topic}/unmute", MODERATE, body=target_body, setup=for_each_spare(_mute)),
    Row("list bans", "GET", "/api/topics/{topic}/bans", MODERATE),
    Row("list bans of an invite-only topic", "GET", "/api/topics/{topic}/bans",
        {**MODERATE, "other": HIDDEN, "banned": HIDDEN}, private=True),
    Row("list mutes", "GET", "/api/topics/{topic}/mutes", MODERATE),
    Row("invite into an invite-only topic", "POST", "/api/topics/{topic}/invite",
        everyone(201, anonymous=UNAUTH, other=HIDDEN, banned=HIDDEN), private=True, spares_join=False,
        body=lambda w, r, t: {"user_id": w.people.spares[{"member": 3, "moderator": 0, "owner": 1,
                                                            "admin": 2}.get(r, 3)].id}),
    Row("invite into a public topic", "POST", "/api/topics/{topic}/invite",
        everyone(denied(409, "topic_is_public"), anonymous=UNAUTH, other=denied(403, "members_only"),
                 banned=denied(403, "members_only")), spares_join=False, body=target_body),
    Row("revoke an invitation", "DELETE", "/api/topics/{topic}/invitations/{target}",
        {**MODERATE, "other": HIDDEN, "banned": HIDDEN, "moderator": 204, "owner": 204, "admin": 204},
        private=True, spares_join=False, setup=for_each_spare(_invite)),
    Row("list join requests", "GET", "/api/topics/{topic}/join-requests",
        {**MODERATE, "other": HIDDEN, "banned": HIDDEN}, private=True),
    Row("approve a join request", "POST", "/api/topics/{topic}/join-requests/{target}/approve",
        {**MODERATE, "other": HIDDEN, "banned": HIDDEN}, private=True, spares_join=False,
        setup=for_each_spare(_request)),
    Row("reject a join request", "POST", "/api/topics/{topic}/join-requests/{target}/reject",
        {**MODERATE, "other": HIDDEN, "banned": HIDDEN}, private=True, spares_join=False,
        setup=for_each_spare(_request)),
    Row("see my anonymous name in a public topic", "GET", "/api/topics/{topic}/anonymous-identity",
        everyone(200, anonymous=UNAUTH)),
    Row("see my anonymous name in an invite-only topic", "GET", "/api/topics/{topic}/anonymous-identity",
        everyone(200, anonymous=UNAUTH, other=HIDDEN, banned=HIDDEN), private=True),
    Row("choose my anonymous name", "PUT", "/api/topics/{topic}/anonymous-identity",
        everyone(200, anonymous=UNAUTH), body=lambda w, r, t: {"name": ALIAS_OF[r]}),
    Row("choose my anonymous name in an invite-only topic", "PUT", "/api/topics/{topic}/anonymous-identity",
        everyone(200, anonymous=UNAUTH, other=HIDDEN, banned=HIDDEN), private=True,
        body=lambda w, r, t: {"name": ALIAS_OF[r]}),
    Row("forget my anonymous name", "DELETE", "/api/topics/{topic}/anonymous-identity",
        everyone(204, anonymous=UNAUTH)),
    Row("accept someone else's invitation", "POST", "/api/topics/invitations/inv_{topic}/accept",
        everyone(denied(404, "invitation_not_found"), anonymous=UNAUTH), private=True, spares_join=False,
        setup=_invite_spare_zero),
    Row("decline someone else's invitation", "POST", "/api/topics/invitations/inv_{topic}/decline",
        everyone(denied(404, "invitation_not_found"), anonymous=UNAUTH), private=True, spares_join=False,
        setup=_invite_spare_zero),
    Row("list my topics", "GET", "/api/topics/my", everyone(200, anonymous=UNAUTH)),
    Row("list my invitations", "GET", "/api/topics/invitations", everyone(200, anonymous=UNAUTH)),
    Row("list topics waiting for a deletion review", "GET", "/api/admin/topics/pending-deletions",
        {**ADMIN_ROUTE, "admin": 200}),
    Row("approve a deletion", "POST", "/api/admin/topics/{topic}/approve-deletion",
        {**ADMIN_ROUTE, "admin": denied(409, "not_pending_deletion")}),
    Row("reject a deletion", "POST", "/api/admin/topics/{topic}/reject-deletion",
        {**ADMIN_ROUTE, "admin": denied(409, "not_pending_deletion")}),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_each_caller_gets_exactly_the_answer_the_rules_give(host, api, people, row: Row):
    world = build_world(host, people, private=row.private, spares_join=row.spares_join)
    if row.setup is not None:
        row.setup(api, world)
    outcomes = {}
    for role in row.roles:
        expected = row.expect.get(role)
        if expected is None:
            continue
        target = people.spares[SPARE_OF[role]].id
        path = row.path.format(topic=world.id, target=target, moderator=people.moderator.id)
        body = row.body(world, role, target) if row.body else None
        response = api.request(row.method, path, json=body, headers=people.headers(role))
        status, code = (expected, None) if isinstance(expected, int) else expected
        got_code = response.json()["error"]["code"] if response.status_code >= 400 else None
        outcomes[role] = (response.status_code, got_code)
        assert response.status_code == status and (code is None or got_code == code), (
            f"{row.name}: {role} expected {expected}, got {response.status_code} {response.text[:300]}")
    assert outcomes, "every row asserts at least one caller"
