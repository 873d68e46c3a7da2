"""Every cursor a client sends back is one the API signed for that very listing. A made-up cursor, a store token
of the old unsigned shape, or a genuine cursor of another list (or of the same list with other filters, another
topic, another caller) is a 400 `invalid_cursor`, never a page of something else and never a 5xx.

The table is every route whose query model has a `cursor` field, read from the app: a new list route is covered
the day it is added (and the fixture below must learn its path parameters, or the test fails saying so).
"""

from __future__ import annotations

import base64
import json
import re
import uuid

import pytest

from tests.functions.models.helpers import create_model
from tests.support.account_routes import Route, app_routes
from tests.support.communities import create_topic, enter, forget_user_limits, new_comment, new_post, ok
from tests.support.users import forget_ip_limits, login, new_username, signup

LISTS = [r for r in app_routes() if r.spec.query is not None and "cursor" in r.spec.query.model_fields]
REQUIRED_QUERY = {"/api/users/search": {"q": "ab"}}


def store_token(state) -> str:
    """A continuation token of the shape the document store hands out, unsigned: what a client could forge."""
    raw = json.dumps({"f": "0" * 16, "s": state}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
def lists(host):
    """An administrator who owns a topic with two posts, two comments and a member, and a model; plus a genuine
    cursor from two different lists."""
    api = host.api
    owner, member = signup(host, admin=True), signup(host)
    topic = create_topic(host, owner)
    enter(api, topic, owner, member)
    forget_user_limits(host, owner)
    posts = [new_post(api, topic["id"], owner) for _ in range(2)]
    comments = [new_comment(api, posts[0]["id"], owner) for _ in range(2)]
    model = create_model(api, owner, "linear_regression")
    ticket = ok(api.post("/api/tickets", json={"category": "bug", "subject": "Something broke",
                                               "description": "It broke when I clicked the button."},
                         headers=owner.headers), 201)
    values = {"topic_id": topic["id"], "post_id": posts[0]["id"], "comment_id": comments[0]["id"],
              "model_id": model["id"], "user_id": member.id, "ticket_id": ticket["id"]}
    values["room_id"] = ok(api.post("/api/chat-rooms/group", json={"name": f"Cursors {uuid.uuid4().hex[:8]}"},
                                    headers=owner.headers), 201)["id"]
    posts_cursor = ok(api.get(f"/api/posts/topics/{topic['id']}/posts", params={"limit": 1}))["next_cursor"]
    comments_cursor = ok(api.get(f"/api/comments/posts/{posts[0]['id']}/comments",
                                 params={"limit": 1}))["next_cursor"]
    assert posts_cursor and comments_cursor
    # lists of one place named in the query: the owner's DM with the member
    query = {"/api/voip/calls/history": {"room_id": member.id, "room_type": "dm"},
             f"/api/chat-rooms/{values['room_id']}/messages/search": {"q": "hello"}}
    return {"owner": owner, "member": member, "topic": topic, "values": values, "query": query,
            "foreign": {"posts": posts_cursor, "comments": comments_cursor}}


def request(api, route: Route, lists, cursor: str):
    path = route.path(**{name: lists["values"][name] for name in route.params})
    params = {**REQUIRED_QUERY.get(path, {}), **lists["query"].get(path, {}), "cursor": cursor}
    return api.request(route.method, path, params=params, headers=lists["owner"].headers)


def test_the_table_holds_every_list_of_the_api():
    assert len(LISTS) >= 24
    assert {"GET /api/auth/sessions", "GET /api/users/search", "GET /api/users/me/blocked", "GET /api/topics",
            "GET /api/topics/{topic_id}/members", "GET /api/notifications", "GET /api/models",
            "GET /api/models/{model_id}/jobs", "GET /api/models/{model_id}/versions"} <= {str(r) for r in LISTS}


def test_every_list_documents_its_400_invalid_cursor():
    from functions import blueprints
    from shared.http.openapi import build_openapi

    paths = build_openapi(blueprints())["paths"]
    for route in LISTS:
        path = "/api/" + re.sub(r"\{(\w+)[^}]*\}", r"{\1}", route.template)  # the document has no constraints
        assert "400" in paths[path][route.method.lower()]["responses"], str(route)


@pytest.mark.parametrize("route", LISTS, ids=str)
def test_a_forged_or_foreign_cursor_is_a_400_invalid_cursor_on_every_list(host, api, lists, route):
    forget_ip_limits(host)
    foreign = lists["foreign"]["comments" if str(route) == "GET /api/posts/topics/{topic_id}/posts" else "posts"]
    forged = {"made up": "not-a-cursor", "empty payload": base64.urlsafe_b64encode(b"\0" * 12).decode(),
              "an unsigned store token": store_token(0), "a store token with a position": store_token([5, "x"]),
              "another list's cursor": foreign, "another list's cursor, tampered": foreign[:-2] + "AA",
              "an offset": "20"}
    for kind, cursor in forged.items():
        answer = request(api, route, lists, cursor)
        assert answer.status_code == 400, (str(route), kind, answer.status_code, answer.text[:300])
        assert answer.json()["error"]["code"] == "invalid_cursor", (str(route), kind)


def walk(api, path: str, headers: dict[str, str], **params) -> tuple[list[str], str | None]:
    """Every item id of a list, one per page, and the first page's cursor."""
    seen, cursor, first = [], None, None
    while True:
        page = ok(api.get(path, params={**params, "limit": 1, **({"cursor": cursor} if cursor else {})},
                          headers=headers))
        seen += [item.get("id") or item.get("user", {}).get("id") for item in page["items"]]
        cursor = page["next_cursor"]
        first = first or cursor
        if not cursor:
            return seen, first


def test_sessions_page_with_signed_cursors_that_belong_to_their_owner(host, api):
    user, other = signup(host), signup(host)
    for _ in range(2):
        ok(login(host, user.username, user.password))
    forget_ip_limits(host)
    seen, cursor = walk(api, "/api/auth/sessions", user.headers)
    assert len(seen) == 3 and len(set(seen)) == 3
    assert not cursor.isdigit()  # no bare offset a client could make up
    refused = api.get("/api/auth/sessions", params={"cursor": cursor}, headers=other.headers)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_cursor"


def test_blocked_users_and_user_search_page_with_cursors_bound_to_their_caller_and_query(host, api):
    prefix = "cur" + uuid.uuid4().hex[:6]
    user, other = signup(host), signup(host)
    found = [signup(host, new_username(prefix)) for _ in range(3)]
    for target in found:
        ok(api.post(f"/api/users/{target.id}/block", headers=user.headers), 201)
    blocked, cursor = walk(api, "/api/users/me/blocked", user.headers)
    assert sorted(blocked) == sorted(t.id for t in found)
    assert api.get("/api/users/me/blocked", params={"cursor": cursor}, headers=other.headers).status_code == 400
    searched, cursor = walk(api, "/api/users/search", user.headers, q=prefix)
    assert sorted(searched) == sorted(t.id for t in found)
    other_query = api.get("/api/users/search", params={"q": prefix[:-1], "cursor": cursor}, headers=user.headers)
    assert other_query.status_code == 400 and other_query.json()["error"]["code"] == "invalid_cursor"


def test_a_topic_list_cursor_works_only_on_its_own_topic_filters_and_caller(host, api, lists):
    owner, member = lists["owner"], lists["member"]
    second = create_topic(host, owner)
    enter(api, second, owner, member)
    members, cursor = walk(api, f"/api/topics/{second['id']}/members", owner.headers)
    assert sorted(members) == sorted([owner.id, member.id])
    elsewhere = api.get(f"/api/topics/{lists['topic']['id']}/members", params={"cursor": cursor},
                        headers=owner.headers)
    assert elsewhere.status_code == 400 and elsewhere.json()["error"]["code"] == "invalid_cursor"
    topics_cursor = ok(api.get("/api/topics", params={"limit": 1}, headers=owner.headers))["next_cursor"]
    assert topics_cursor
    for params, headers in (({"sort": "created_at"}, owner.headers), ({}, member.headers), ({}, {})):
        replayed = api.get("/api/topics", params={**params, "cursor": topics_cursor}, headers=headers)
        assert replayed.status_code == 400, (params, replayed.text)
    assert api.get("/api/topics", params={"cursor": topics_cursor}, headers=owner.headers).status_code == 200


def test_a_models_cursor_is_bound_to_its_scope(host, api, lists):
    owner = lists["owner"]
    create_model(api, owner, "linear_regression")
    cursor = ok(api.get("/api/models", params={"limit": 1}, headers=owner.headers))["next_cursor"]
    assert cursor
    assert api.get("/api/models", params={"cursor": cursor}, headers=owner.headers).status_code == 200
    other_scope = api.get("/api/models", params={"cursor": cursor, "scope": "all"}, headers=owner.headers)
    assert other_scope.status_code == 400 and other_scope.json()["error"]["code"] == "invalid_cursor"
