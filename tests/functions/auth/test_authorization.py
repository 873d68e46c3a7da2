"""Every accounts route refuses the callers it must: anonymous callers and dead or forged tokens on signed-in routes
(401), signed-in non-administrators on admin routes (403), and others' things answer 404 (their existence is
private). Routes are read from the app, so a new one is covered automatically."""

import pytest

from tests.support.account_routes import SAMPLE_PATH, account_routes, sample_request
from tests.support.users import login, ok, signup

ROUTES = account_routes()
SIGNED_IN = [r for r in ROUTES if r.spec.auth in ("user", "admin")]
ADMIN = [r for r in ROUTES if r.spec.auth == "admin"]


def call(api, route, headers=None):
    return api.request(route.method, route.path(**SAMPLE_PATH), headers=headers or {}, **sample_request(route))


def test_the_accounts_area_has_the_routes_the_issue_asks_for():
    names = {str(r) for r in ROUTES}
    for expected in ("POST /api/auth/register", "POST /api/auth/login", "POST /api/auth/login/2fa",
                     "GET /api/auth/sessions", "DELETE /api/auth/sessions/{session_id}", "POST /api/auth/2fa/setup",
                     "GET /api/users/search", "POST /api/users/{user_id}/block", "PATCH /api/users/me/preferences",
                     "POST /api/auth/passkey/register-options", "POST /api/auth/passkey/register-verify",
                     "POST /api/auth/passkey/auth-options", "POST /api/auth/passkey/auth-verify",
                     "GET /api/auth/passkey/list", "PATCH /api/auth/passkey/{passkey_id:length(64)}",
                     "DELETE /api/auth/passkey/{passkey_id:length(64)}", "POST /api/auth/register-passwordless",
                     "POST /api/auth/login-passwordless", "POST /api/auth/recovery/initiate-passwordless",
                     "POST /api/auth/recovery/complete-passwordless", "POST /api/auth/set-password"):
        assert expected in names


@pytest.mark.parametrize("route", SIGNED_IN, ids=str)
def test_signed_in_routes_refuse_anonymous_callers(host, api, route):
    refused = call(api, route)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("route", SIGNED_IN, ids=str)
def test_signed_in_routes_refuse_forged_and_ended_tokens(host, api, route):
    assert call(api, route, {"Authorization": "Bearer " + "A" * 43}).status_code == 401
    user = signup(host)
    assert api.post("/api/auth/logout", headers=user.headers).status_code == 204
    assert call(api, route, user.headers).status_code == 401


@pytest.mark.parametrize("route", ADMIN, ids=str)
def test_admin_routes_refuse_signed_in_non_administrators(host, api, route):
    user = signup(host)
    refused = call(api, route, user.headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "admin_required"


def test_nobody_can_make_themselves_an_administrator_over_http(host, api):
    user = signup(host)
    for body in ({"is_admin": True}, {"role": "admin"}):
        assert api.patch("/api/users/me", json=body, headers=user.headers).status_code == 422
        assert api.patch("/api/users/me/preferences", json=body, headers=user.headers).status_code == 422
    assert api.post("/api/auth/register", json={"username": "wannabe_admin", "email": "w@example.com",
                                                "password": "sunflower-ladder-92", "is_admin": True}).status_code == 422
    assert ok(api.get("/api/auth/me", headers=user.headers))["user"]["is_admin"] is False


def test_another_users_upload_cannot_be_claimed_as_ones_own_image(host, api):
    owner, thief = signup(host), signup(host)
    upload = ok(api.post("/api/users/me/avatar/upload", json={"content_type": "image/png"}, headers=owner.headers))
    assert host.api.put(upload["url"], content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
                        headers=upload["headers"]).status_code in (200, 201)
    stolen = api.post("/api/users/me/avatar/confirm", json={"upload_id": upload["upload_id"]},
                      headers=thief.headers)
    assert stolen.status_code == 404
    ok(api.post("/api/users/me/avatar/confirm", json={"upload_id": upload["upload_id"]}, headers=owner.headers))


def test_unverified_and_deleted_accounts_have_no_public_card(host, api):
    viewer = signup(host)
    pending = api.post("/api/auth/register", json={"username": "pending_person", "email": "pp@example.com",
                                                   "password": "sunflower-ladder-92"})
    assert pending.status_code == 201
    assert api.get("/api/users/by-username/pending_person", headers=viewer.headers).status_code == 404
    gone = signup(host)
    api.post("/api/auth/delete-account", json={"password": gone.password}, headers=gone.headers)
    assert api.get(f"/api/users/{gone.id}", headers=viewer.headers).status_code == 404
    assert login(host, gone.username, gone.password).status_code == 401
