"""Browsers: an HttpOnly cookie session whose writes need the session's CSRF token. API clients: Bearer, no CSRF.
(Old system: cookie auth, SameSite=None, no CSRF token at all; inventory §9.1.5.)"""

import pytest

from tests.support.users import cookie_client, login, ok, signup


@pytest.fixture
def browser(host):
    client = cookie_client(host)
    yield client
    client.close()


def browser_login(host, browser, user) -> dict:
    response = login(host, user.username, user.password, client=browser, token=False)
    data = ok(response)
    assert data["token"] is None and data["device_token"] is None  # both live in HttpOnly cookies
    return {"response": response, "data": data}


def test_a_browser_login_sets_an_httponly_samesite_cookie_and_returns_the_csrf_token(host, browser):
    user = signup(host)
    done = browser_login(host, browser, user)
    cookies = done["response"].headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    device = next(c for c in cookies if c.startswith("device="))
    assert "HttpOnly" in device and "SameSite=Strict" in device
    assert done["data"]["session"]["via"] == "cookie" and len(done["data"]["session"]["csrf_token"]) >= 32
    me = ok(browser.get("/api/auth/me"))
    assert me["session"]["csrf_token"] == done["data"]["session"]["csrf_token"]


def test_a_cookie_authenticated_write_without_the_csrf_token_is_refused_and_with_it_accepted(host, browser):
    user = signup(host)
    csrf = browser_login(host, browser, user)["data"]["session"]["csrf_token"]
    body = {"display_name": "Changed by a form"}
    refused = browser.patch("/api/users/me", json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    forged = browser.patch("/api/users/me", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert forged.status_code == 403
    assert ok(browser.get("/api/users/me"))["display_name"] is None  # nothing changed
    assert ok(browser.patch("/api/users/me", json=body, headers={"X-CSRF-Token": csrf}))["display_name"] == \
        body["display_name"]


def test_logout_by_cookie_needs_the_token_too_so_another_site_cannot_sign_you_out(host, browser):
    user = signup(host)
    csrf = browser_login(host, browser, user)["data"]["session"]["csrf_token"]
    assert browser.post("/api/auth/logout").status_code == 403
    ok(browser.get("/api/auth/me"))
    out = browser.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204 and any(c.startswith("session=;") for c in out.headers.get_list("set-cookie"))
    assert browser.get("/api/auth/me").status_code == 401


def test_the_csrf_token_of_another_session_does_not_work(host, browser):
    user = signup(host)
    browser_login(host, browser, user)
    with cookie_client(host) as other_browser:
        other_csrf = browser_login(host, other_browser, user)["data"]["session"]["csrf_token"]
    refused = browser.patch("/api/users/me", json={"bio": "x"}, headers={"X-CSRF-Token": other_csrf})
    assert refused.status_code == 403


def test_bearer_token_writes_need_no_csrf_token(host, api):
    user = signup(host)
    assert ok(api.patch("/api/users/me", json={"bio": "hello"}, headers=user.headers))["bio"] == "hello"


def test_a_new_login_gives_a_new_session_token_and_csrf_token(host, browser):
    user = signup(host)
    first = browser_login(host, browser, user)
    first_cookie = browser.cookies.get("session")
    second = browser_login(host, browser, user)
    assert browser.cookies.get("session") != first_cookie
    assert second["data"]["session"]["csrf_token"] != first["data"]["session"]["csrf_token"]

