"""Who may call each chat route: a table of callers (anonymous, other user, banned user, member, moderator, owner,
administrator) per route, in a public and a private topic conversation, with every refusal and its code.

Each row builds a fresh room (conftest.build_room) in the module's public topic, where the people hold their
parts; rows marked `fresh` build one per caller, because an allowed call changes the room for the next caller
(deleting it). A caller that acts on someone acts on their own spare user (moderator -> spare 0, owner -> spare 1,
admin -> spare 2, the rest -> spare 3), so the callers of one row never get in each other's way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.functions.messages.conftest import ChatRoom, build_room, forget_chat_limits, room_name
from tests.support.communities import ROLES, everyone, ok

SPARE_OF = {"moderator": 0, "owner": 1, "admin": 2, "member": 3, "other": 3, "banned": 3, "anonymous": 3}
Expect = int | tuple[int, str]

UNAUTH = (401, "unauthorized")
HIDDEN = (404, "room_not_found")
BANNED = (403, "banned_from_room")
OWNER_ONLY = (403, "owner_only")
MODS_ONLY = (403, "moderators_only")
MEMBERS_ONLY = (403, "members_only")
NOT_AUTHOR = (403, "not_author")
NO_MESSAGE = (404, "message_not_found")
NO_FILE = (404, "attachment_not_found")
ADMINS = (403, "admin_required")


def matrix(*, anonymous: Expect = UNAUTH, other: Expect, banned: Expect, member: Expect, moderator: Expect,
           owner: Expect, admin: Expect) -> dict[str, Expect]:
    return {"anonymous": anonymous, "other": other, "banned": banned, "member": member, "moderator": moderator,
            "owner": owner, "admin": admin}


def seen_by_all(ok_status: int = 200, *, anonymous: Expect | None = None, **overrides: Expect
                ) -> dict[str, dict[str, Expect]]:
    """A route any signed-in caller who sees the room may use: the expectations in a public and a private room."""
    public = matrix(anonymous=anonymous or UNAUTH, other=ok_status, banned=BANNED, member=ok_status,
                    moderator=ok_status, owner=ok_status, admin=ok_status)
    private = {**public, "other": HIDDEN, "banned": HIDDEN}
    if anonymous is not None and anonymous != UNAUTH:
        private["anonymous"] = HIDDEN
    hidden = {role: value for role, value in overrides.items() if role not in ("other", "banned")}
    return {"public": {**public, **overrides}, "private": {**private, **hidden}}


def members_only(ok_status: int = 200) -> dict[str, dict[str, Expect]]:
    public = matrix(other=MEMBERS_ONLY, banned=BANNED, member=ok_status, moderator=ok_status, owner=ok_status,
                    admin=ok_status)
    return {"public": public, "private": {**public, "other": HIDDEN, "banned": HIDDEN}}


def level(refusal: tuple[int, str], allowed: tuple[str, ...], ok_status: int = 200) -> dict[str, dict[str, Expect]]:
    """Moderator or owner routes: `allowed` succeed, the other callers who see the room get `refusal`."""
    public = matrix(other=refusal, banned=BANNED, member=refusal, moderator=refusal, owner=refusal, admin=refusal)
    for role in allowed:
        public[role] = ok_status
    return {"public": public, "private": {**public, "other": HIDDEN, "banned": HIDDEN}}


MODS = ("moderator", "owner", "admin")
OWNERS = ("owner", "admin")


@dataclass
class Row:
    name: str
    method: str
    path: str  # {room}, {topic}, {target} (the caller's spare), {message} (the member's message)
    expect: dict[str, dict[str, Expect]]  # "public" / "private" -> role -> expected
    body: Callable[[ChatRoom, str, str], dict[str, Any]] | None = None
    setup: Callable[[Any, ChatRoom], None] | None = None
    fresh: bool = False  # a room per caller
    spares: bool = False  # the spares are members of the room


def _for_spares(action: Callable[[Any, ChatRoom, Any], None]):
    def setup(api, chat: ChatRoom) -> None:
        for spare in chat.people.spares[:3]:
            action(api, chat, spare)

    return setup


def _promote(api, chat, user):
    ok(api.post(f"/api/chat-rooms/{chat.id}/moderators", json={"user_id": user.id}, headers=chat.people.owner.headers))


def _ban(api, chat, user):
    ok(api.post(f"/api/chat-rooms/{chat.id}/ban/{user.id}", headers=chat.people.owner.headers))


def _invite_other(api, chat):
    if not chat.room["is_public"]:
        ok(api.post(f"/api/chat-rooms/{chat.id}/invite", json={"user_id": chat.people.other.id},
                    headers=chat.people.owner.headers), 201)


def _uploads(api, chat):
    """A PNG uploaded by each signed-in caller (for the picture rows), and one attached to the member's message."""
    import httpx

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    chat.room["uploads"] = {}
    for role in ROLES:
        if role == "anonymous":
            continue
        user = getattr(chat.people, role)
        target = ok(api.post("/api/attachments/upload-url", json={"filename": "a.png", "content_type": "image/png",
                                                                    "size": len(png)}, headers=user.headers), 201)
        httpx.request(target["method"], target["upload_url"], content=png, headers=target["headers"])
        chat.room["uploads"][role] = target["attachment_id"]


def _attached(api, chat):
    _uploads(api, chat)
    member = chat.people.member
    message = ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"attachments": [chat.room["uploads"]["member"]]},
                          headers=member.headers), 201)
    chat.room["attachment_id"] = message["attachments"][0]["id"]


def _target(chat, role, target):
    return {"user_id": target}


ROWS = [
    Row("get the room", "GET", "/api/chat-rooms/{room}", seen_by_all(anonymous=200)),
    Row("update the room", "PATCH", "/api/chat-rooms/{room}", level(OWNER_ONLY, OWNERS),
        body=lambda c, r, t: {"description": f"by {r}"}),
    Row("delete the room", "DELETE", "/api/chat-rooms/{room}", level(OWNER_ONLY, OWNERS, 202), fresh=True),
    Row("change settings", "PUT", "/api/chat-rooms/{room}/settings", level(OWNER_ONLY, OWNERS),
        body=lambda c, r, t: {"voip_enabled": False}),
    Row("mute", "POST", "/api/chat-rooms/{room}/mute", seen_by_all(), body=lambda c, r, t: {"minutes": -1}),
    Row("unmute", "POST", "/api/chat-rooms/{room}/unmute", seen_by_all()),
    Row("join", "POST", "/api/chat-rooms/{room}/join",
        {"public": matrix(other=200, banned=BANNED, member=200, moderator=200, owner=200, admin=200),
         "private": matrix(other=HIDDEN, banned=HIDDEN, member=200, moderator=200, owner=200,
                           admin=(403, "invite_only"))}),
    Row("leave", "POST", "/api/chat-rooms/{room}/leave",
        seen_by_all(owner=(409, "owner_cannot_leave"))),
    Row("list members", "GET", "/api/chat-rooms/{room}/members", members_only()),
    Row("add a moderator", "POST", "/api/chat-rooms/{room}/moderators", level(OWNER_ONLY, OWNERS), body=_target,
        spares=True),
    Row("remove a moderator", "DELETE", "/api/chat-rooms/{room}/moderators/{target}", level(OWNER_ONLY, OWNERS),
        spares=True, setup=_for_spares(_promote)),
    Row("transfer the ownership", "POST", "/api/chat-rooms/{room}/transfer-ownership", level(OWNER_ONLY, OWNERS),
        body=_target, spares=True, fresh=True),
    Row("ban", "POST", "/api/chat-rooms/{room}/ban/{target}", level(MODS_ONLY, MODS), spares=True),
    Row("unban", "POST", "/api/chat-rooms/{room}/unban/{target}", level(MODS_ONLY, MODS), setup=_for_spares(_ban)),
    Row("kick", "POST", "/api/chat-rooms/{room}/kick/{target}", level(MODS_ONLY, MODS), spares=True),
    Row("invite", "POST", "/api/chat-rooms/{room}/invite",
        {"public": level(MODS_ONLY, ())["public"] | {r: (409, "room_is_public") for r in MODS},
         "private": level(MODS_ONLY, MODS, 201)["private"]}, body=_target),
    Row("accept an invitation", "POST", "/api/chat-rooms/invitations/rinv_{room}/accept",
        {"private": matrix(other=200, banned=(404, "invitation_not_found"), member=(409, "invitation_answered"),
                           moderator=(409, "invitation_answered"), owner=(404, "invitation_not_found"),
                           admin=(404, "invitation_not_found"))}, setup=lambda api, c: _invite_other(api, c)),
    Row("decline an invitation", "POST", "/api/chat-rooms/invitations/rinv_{room}/decline",
        {"private": matrix(other=200, banned=(404, "invitation_not_found"), member=(409, "invitation_answered"),
                           moderator=(409, "invitation_answered"), owner=(404, "invitation_not_found"),
                           admin=(404, "invitation_not_found"))}, setup=lambda api, c: _invite_other(api, c)),
    Row("send a message", "POST", "/api/chat-rooms/{room}/messages", seen_by_all(201),
        body=lambda c, r, t: {"content": f"from {r}"}),
    Row("read the history", "GET", "/api/chat-rooms/{room}/messages", seen_by_all(anonymous=200)),
    Row("search", "GET", "/api/chat-rooms/{room}/messages/search?q=hello", seen_by_all(anonymous=200)),
    Row("read a message", "GET", "/api/chat-rooms/{room}/messages/{message}", seen_by_all(anonymous=200)),
    Row("edit the member's message", "PATCH", "/api/chat-rooms/{room}/messages/{message}",
        seen_by_all(other=NOT_AUTHOR, moderator=NOT_AUTHOR, owner=NOT_AUTHOR, admin=NOT_AUTHOR),
        body=lambda c, r, t: {"content": f"edited by {r}"}),
    Row("delete the member's message", "DELETE", "/api/chat-rooms/{room}/messages/{message}?reason=spam",
        seen_by_all(other=NOT_AUTHOR), fresh=True),
    Row("react", "PUT", "/api/chat-rooms/{room}/messages/{message}/reactions/👍", seen_by_all()),
    Row("take a reaction back", "DELETE", "/api/chat-rooms/{room}/messages/{message}/reactions/👍", seen_by_all()),
    Row("mark read", "POST", "/api/chat-rooms/{room}/read", seen_by_all(),
        body=lambda c, r, t: {"message_id": c.room["message_id"]}),
    Row("set the picture", "PUT", "/api/chat-rooms/{room}/picture", level(MODS_ONLY, MODS), setup=_uploads,
        body=lambda c, r, t: {"attachment_id": c.room["uploads"].get(r, "0" * 32)}),
    Row("set the background", "PUT", "/api/chat-rooms/{room}/background", level(MODS_ONLY, MODS), setup=_uploads,
        body=lambda c, r, t: {"attachment_id": c.room["uploads"].get(r, "0" * 32)}),
    Row("get the picture", "GET", "/api/chat-rooms/{room}/picture",
        seen_by_all((404, "image_not_found"), anonymous=(404, "image_not_found"))),
    Row("an attachment", "GET", "/api/attachments/{attachment}", setup=_attached,
        expect={k: v | {"banned": NO_FILE} | ({"other": NO_FILE, "anonymous": NO_FILE} if k == "private" else {})
                for k, v in seen_by_all(anonymous=200).items()}),
    Row("the room's reports", "GET", "/api/chat-rooms/{room}/reports", level(MODS_ONLY, MODS)),
    Row("the moderation log", "GET", "/api/chat-rooms/{room}/moderation-log", level(MODS_ONLY, MODS)),
    Row("report the member's message", "POST", "/api/messages/{message}/report",
        {k: v | {"banned": NO_MESSAGE, "member": 201} | ({"other": NO_MESSAGE} if k == "private" else {})
         for k, v in seen_by_all(201).items()}, body=lambda c, r, t: {"reason": f"by {r}"}),
    Row("approve a deletion", "POST", "/api/admin/chat-rooms/{room}/approve-deletion",
        {kind: matrix(other=ADMINS, banned=ADMINS, member=ADMINS, moderator=ADMINS, owner=ADMINS,
                      admin=(409, "not_pending_deletion")) for kind in ("public", "private")}),
    Row("reject a deletion", "POST", "/api/admin/chat-rooms/{room}/reject-deletion",
        {kind: matrix(other=ADMINS, banned=ADMINS, member=ADMINS, moderator=ADMINS, owner=ADMINS,
                      admin=(409, "not_pending_deletion")) for kind in ("public", "private")}),
    Row("a message by id", "GET", "/api/messages/{message}",
        {k: v | {"banned": NO_MESSAGE} | ({"other": NO_MESSAGE, "anonymous": NO_MESSAGE} if k == "private" else {})
         for k, v in seen_by_all(anonymous=200).items()}),
]

TOPIC_ROWS = [
    Row("list a topic's conversations", "GET", "/api/chat-rooms/topics/{topic}/conversations",
        {"public": matrix(anonymous=200, other=200, banned=200, member=200, moderator=200, owner=200, admin=200)}),
    Row("create a conversation", "POST", "/api/chat-rooms/topics/{topic}/conversations",
        {"public": matrix(other=201, banned=(403, "banned_from_topic"), member=201, moderator=201, owner=201,
                          admin=201)}, body=lambda c, r, t: {"name": room_name(r)}),
    Row("the topic chat's history", "GET", "/api/messages/topic/{topic}",
        {"public": matrix(anonymous=200, other=200, banned=200, member=200, moderator=200, owner=200, admin=200)}),
    Row("send to the topic chat", "POST", "/api/messages/topic/{topic}",
        {"public": matrix(other=201, banned=(403, "banned_from_topic"), member=201, moderator=201, owner=201,
                          admin=201)}, body=lambda c, r, t: {"content": f"from {r}"}),
    Row("create a group chat", "POST", "/api/chat-rooms/group",
        {"public": matrix(other=201, banned=201, member=201, moderator=201, owner=201, admin=201)},
        body=lambda c, r, t: {"name": room_name(r)}),
    Row("my group chats", "GET", "/api/chat-rooms/group/list",
        {"public": matrix(other=200, banned=200, member=200, moderator=200, owner=200, admin=200)}),
    Row("an upload URL", "POST", "/api/attachments/upload-url",
        {"public": matrix(other=201, banned=201, member=201, moderator=201, owner=201, admin=201)},
        body=lambda c, r, t: {"filename": "a.png", "content_type": "image/png", "size": 10}),
    Row("rooms waiting for deletion", "GET", "/api/admin/chat-rooms/pending-deletions",
        {"public": matrix(other=ADMINS, banned=ADMINS, member=ADMINS, moderator=ADMINS, owner=ADMINS, admin=200)}),
    Row("my invitations", "GET", "/api/chat-rooms/invitations",
        {"public": matrix(other=200, banned=200, member=200, moderator=200, owner=200, admin=200)}),
]

CASES = [pytest.param(row, kind, id=f"{row.name} ({kind})") for row in ROWS + TOPIC_ROWS for kind in row.expect]


def _prepare(host, public, row: Row, kind: str) -> ChatRoom:
    chat = build_room(host, public, public=kind == "public", spares=row.spares)
    message = ok(host.api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "hello"},
                               headers=chat.people.member.headers), 201)
    chat.room["message_id"] = message["id"]
    if row.setup is not None:
        row.setup(host.api, chat)
    return chat


@pytest.mark.parametrize(("row", "kind"), CASES)
def test_who_may_call(host, api, public, row: Row, kind: str):
    people = public.people
    forget_chat_limits(host, *everyone(people))
    chat = None if row.fresh else _prepare(host, public, row, kind)
    wrong = []
    for role in ROLES:
        room = _prepare(host, public, row, kind) if row.fresh else chat
        assert room is not None
        target = people.spares[SPARE_OF[role]].id
        path = row.path.format(room=room.id, topic=public.id, target=target, message=room.room["message_id"],
                               attachment=room.room.get("attachment_id", ""))
        headers = people.headers(role)
        body = row.body(room, role, target) if row.body else None
        response = api.request(row.method, path, headers=headers, json=body)
        expected = row.expect[kind][role]
        status, code_ = expected if isinstance(expected, tuple) else (expected, None)
        got_code = response.json()["error"]["code"] if response.status_code >= 400 else None
        if response.status_code != status or (code_ is not None and got_code != code_):
            wrong.append(f"{role}: expected {expected}, got {response.status_code} {got_code}")
    assert not wrong, "\n".join(wrong)
