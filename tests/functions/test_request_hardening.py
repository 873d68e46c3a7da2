"""What the endpoint layer refuses before any handler runs, on every route of the app. The table is read from the
registered functions, so a route added tomorrow is covered without anyone listing it.

- An anonymous caller of a signed-in route gets 401 and learns nothing of the route's input rules, whatever
  garbage it sends: authentication runs before path, query and body are parsed.
- JSON nested 100,000 levels deep (which makes `json.loads` raise RecursionError), or just deeper than the
  allowed depth, is a 400 `invalid_json` on every route that takes a body, and no route answers it with a 5xx.
- A NUL character in any string of a body, a query or a path (keys included) is a 422 naming the field with the
  code `nul_character`, on every route; and on one real text field of each route group.
"""

from __future__ import annotations

import json
import re

import pytest

from shared.http.request_json import MAX_DEPTH
from tests.support.account_routes import Route, app_routes
from tests.support.communities import create_topic, new_comment, new_post
from tests.support.route_values import VALID_PATH
from tests.support.users import forget_ip_limits, signup

ROUTES = app_routes()
SIGNED_IN = [r for r in ROUTES if r.spec.auth in ("user", "admin")]
WITH_BODY = [r for r in ROUTES if r.spec.body is not None]
WITHOUT_BODY = [r for r in ROUTES if r.spec.body is None]


def free_params(route: Route) -> list[str]:
    """The path values any text reaches the handler with: no type or regex constraint, not a catch-all (a value
    a constraint refuses never matches the route; it falls through to the 404 of the catch-all)."""
    return [p for p in re.findall(r"{([^}]+)}", route.template) if ":" not in p and not p.startswith("*")]


WITH_PATH = [r for r in ROUTES if free_params(r)]

DEEP = 100_000
DEEP_BODIES = {
    "100000 nested arrays": b"[" * DEEP + b"]" * DEEP,
    "100000 nested objects": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "one level deeper than allowed": b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1),
}
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def admin(host):
    """An administrator, so that admin routes too get as far as their input."""
    return signup(host, admin=True)


@pytest.fixture(autouse=True)
def fresh_ip_limits(host):
    forget_ip_limits(host)


def valid_path(route: Route) -> str:
    values = {name: VALID_PATH[name] for name in route.params}
    if route.spec.path is not None:
        route.spec.path.model_validate(values)  # the table's own check: these values pass parsing
    return route.path(**values)


def garbage_path(route: Route) -> str:
    free = free_params(route)
    return route.path(**{name: "no%00such%20thing!" if name in free else VALID_PATH[name] for name in route.params})


# ---- authentication before validation ---------------------------------------------------------------------


@pytest.mark.parametrize("route", SIGNED_IN, ids=str)
def test_an_anonymous_caller_with_garbage_input_gets_401_and_no_field_details(api, route):
    for body in (b'{"not json', json.dumps({name: [{"x": None}] for name in ("title", "id", "limit", "q")})):
        answer = api.request(route.method, garbage_path(route) + "?limit=abc&cursor=%00&q=&sort=nonsense",
                             content=body, headers=JSON)
        assert answer.status_code == 401, (str(route), answer.status_code, answer.text)
        assert answer.json()["error"] == {"code": "unauthorized", "message": "Authentication required.",
                                          "details": None}


# ---- deep JSON -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", WITH_BODY, ids=str)
def test_json_nested_too_deeply_is_a_400_invalid_json_on_every_route_with_a_body(api, admin, route):
    for name, body in DEEP_BODIES.items():
        answer = api.request(route.method, valid_path(route), content=body, headers={**JSON, **admin.headers})
        assert answer.status_code == 400, (str(route), name, answer.status_code, answer.text[:300])
        assert answer.json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("route", WITHOUT_BODY, ids=str)
def test_no_route_without_a_body_answers_deep_json_with_a_server_error(api, route):
    # Anonymously: these routes ignore a body, and a signed-in call could log the caller out.
    answer = api.request(route.method, valid_path(route), content=DEEP_BODIES["100000 nested arrays"], headers=JSON)
    assert answer.status_code < 500, (str(route), answer.status_code, answer.text[:300])


def test_a_deep_body_on_a_public_route_is_refused_like_malformed_json(api):
    deep = api.post("/api/auth/login", content=DEEP_BODIES["100000 nested objects"], headers=JSON)
    malformed = api.post("/api/auth/login", content=b'{"identifier": ', headers=JSON)
    assert deep.status_code == malformed.status_code == 400
    assert deep.json()["error"]["code"] == malformed.json()["error"]["code"] == "invalid_json"


# ---- NUL characters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", WITH_BODY, ids=str)
def test_a_nul_in_any_string_or_key_of_a_body_is_a_422_on_every_route(api, admin, route):
    answer = api.request(route.method, valid_path(route), json={"text": "a\x00b", "k\x00": 1, "list": ["ok", "\x00"]},
                         headers=admin.headers)
    assert answer.status_code == 422, (str(route), answer.status_code, answer.text[:300])
    details = answer.json()["error"]["details"]
    assert {(d["field"], d["code"]) for d in details} == {
        ("body.text", "nul_character"), ("body.k\\u0000", "nul_character"), ("body.list.1", "nul_character")}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_nul_in_a_query_value_is_a_422_on_every_route(api, admin, route):
    answer = api.request(route.method, valid_path(route) + "?zz=a%00b", headers=admin.headers)
    assert answer.status_code == 422, (str(route), answer.status_code, answer.text[:300])
    if route.method == "HEAD":
        return  # the status alone: a HEAD answer has no body
    assert answer.json()["error"]["details"] == [
        {"field": "query.zz", "code": "nul_character", "message": "Text may not contain NUL characters (U+0000)."}]


@pytest.mark.parametrize("route", WITH_PATH, ids=str)
def test_a_nul_in_a_path_value_is_a_422_on_every_route(api, admin, route):
    name = free_params(route)[0]
    path = route.path(**{p: "a%00b" if p == name else VALID_PATH[p] for p in route.params})
    answer = api.request(route.method, path, headers=admin.headers)
    assert answer.status_code == 422, (str(route), answer.status_code, answer.text[:300])
    assert [(d["field"], d["code"]) for d in answer.json()["error"]["details"]] == [(f"path.{name}", "nul_character")]


def test_one_real_text_field_per_route_group_refuses_a_nul(host, api, admin):
    topic = create_topic(host, admin)
    post = new_post(api, topic["id"], admin)
    comment = new_comment(api, post["id"], admin)
    cases = {
        "auth": ("POST", "/api/auth/forgot-password", {"email": "someone\x00@example.com"}, "body.email"),
        "users": ("PATCH", "/api/users/me", {"bio": "hello\x00world"}, "body.bio"),
        "topics": ("PATCH", f"/api/topics/{topic['id']}", {"description": "nul\x00here"}, "body.description"),
        "posts": ("PUT", f"/api/posts/{post['id']}", {"content": "nul\x00here"}, "body.content"),
        "comments": ("PUT", f"/api/comments/{comment['id']}", {"content": "nul\x00here"}, "body.content"),
        "models": ("POST", "/api/models", {"name": "nul\x00model", "type": "linear_regression"}, "body.name"),
    }
    for group, (method, path, body, field) in cases.items():
        answer = api.request(method, path, json=body, headers=admin.headers)
        assert answer.status_code == 422, (group, answer.status_code, answer.text)
        assert [(d["field"], d["code"]) for d in answer.json()["error"]["details"]] == [(field, "nul_character")]
    search = api.get("/api/users/search", params={"q": "ab\x00"}, headers=admin.headers)
    assert [d["field"] for d in search.json()["error"]["details"]] == ["query.q"]
    notifications = api.get("/api/notifications", params={"cursor": "\x00"}, headers=admin.headers)
    assert [d["code"] for d in notifications.json()["error"]["details"]] == ["nul_character"]
    # nothing was changed by the refused writes
    assert api.get(f"/api/posts/{post['id']}").json()["data"]["content"] == post["content"]
