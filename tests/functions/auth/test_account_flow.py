"""The whole account life cycle through the HTTP API, as a client meets it."""

import re

from shared.domain.accounts import store
from tests.support import authenticator
from tests.support.users import (
    login,
    mail_code,
    mails_to,
    new_password,
    new_username,
    ok,
    register,
    reset_token,
    signup,
)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_new_account_goes_from_sign_up_through_the_mailed_code_to_a_session(host, api):
    username, password = new_username(), new_password()
    email = f"{username}@example.com"
    assert ok(register(host, username, email, password), 201)["message"]

    (mail,) = mails_to(host, email)
    assert re.search(r"^Your code: \d{6}\s*$", mail["text"], re.M)
    assert mail["subject"] == "Confirm your email address" and "<html" in mail["html"]

    refused = login(host, username, password)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "email_not_verified"

    ok(api.post("/api/auth/verify-email", json={"email": email, "code": mail_code(host, email)}))
    session = ok(login(host, email.upper(), password))
    assert session["token"] and session["session"]["via"] == "token" and session["session"]["csrf_token"] is None
    assert session["user"]["username"] == username and session["user"]["email_verified"] is True

    me = ok(api.get("/api/auth/me", headers=bearer(session["token"])))
    assert me["user"]["email"] == email and me["user"]["two_factor_enabled"] is False
    assert me["session"]["idle_timeout_seconds"] == 30 * 60
    assert me["session"]["expires_at"] == session["session"]["expires_at"]


def test_a_wrong_or_reused_verification_code_is_refused(host, api):
    username, password = new_username(), new_password()
    email = f"{username}@example.com"
    ok(register(host, username, email, password), 201)
    code = mail_code(host, email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    bad = api.post("/api/auth/verify-email", json={"email": email, "code": wrong})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "body.code"
    ok(api.post("/api/auth/verify-email", json={"email": email, "code": code}))
    assert api.post("/api/auth/verify-email", json={"email": email, "code": code}).status_code == 422


def test_resending_the_verification_mails_a_new_code_that_replaces_the_old(host, api):
    username, password = new_username(), new_password()
    email = f"{username}@example.com"
    ok(register(host, username, email, password), 201)
    first = mail_code(host, email)
    assert api.post("/api/auth/resend-verification", json={"email": email}).status_code == 202
    second = mail_code(host, email)
    assert len(mails_to(host, email)) == 2
    if first != second:
        assert api.post("/api/auth/verify-email", json={"email": email, "code": first}).status_code == 422
    ok(api.post("/api/auth/verify-email", json={"email": email, "code": second}))


def enable_two_factor(api, user) -> tuple[str, list[str]]:
    setup = ok(api.post("/api/auth/2fa/setup", json={"password": user.password}, headers=user.headers))
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and "TopicsFlow" in setup["otpauth_uri"]
    codes = ok(api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(setup["secret"])},
                        headers=user.headers))["backup_codes"]
    return setup["secret"], codes


def test_two_factor_goes_on_is_asked_at_login_takes_a_backup_code_once_and_goes_off(host, api):
    user = signup(host)
    secret, backup_codes = enable_two_factor(api, user)
    assert len(backup_codes) == 10
    assert ok(api.get("/api/auth/me", headers=user.headers))["user"]["two_factor_enabled"] is True
    assert any(m["subject"] == "Two-factor authentication is on" for m in mails_to(host, user.email))

    step = ok(login(host, user.username, user.password))
    assert step["two_factor_required"] is True and step["token"] is None and step["user"] is None
    done = ok(api.post("/api/auth/login/2fa", json={"pending_token": step["pending_token"],
                                                     "code": authenticator.code(secret, steps_ahead=1)}))
    assert done["token"] and done["user"]["id"] == user.id
    ok(api.get("/api/auth/me", headers=bearer(done["token"])))

    step = ok(login(host, user.username, user.password))
    ok(api.post("/api/auth/login/2fa", json={"pending_token": step["pending_token"], "code": backup_codes[0]}))
    step = ok(login(host, user.username, user.password))
    reused = api.post("/api/auth/login/2fa", json={"pending_token": step["pending_token"], "code": backup_codes[0]})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "invalid_code"

    no_code = api.post("/api/auth/2fa/disable", json={"password": user.password, "code": "000000"},
                       headers=user.headers)
    assert no_code.status_code == 422
    disabled = api.post("/api/auth/2fa/disable", json={"password": user.password, "code": backup_codes[1]},
                        headers=user.headers)
    assert disabled.status_code == 204
    assert ok(login(host, user.username, user.password))["token"]
    assert any(m["subject"] == "Two-factor authentication is off" for m in mails_to(host, user.email))


def test_backup_codes_can_be_replaced_and_the_old_ones_stop_working(host, api):
    user = signup(host)
    _secret, old_codes = enable_two_factor(api, user)
    new_codes = ok(api.post("/api/auth/2fa/backup-codes", json={"password": user.password, "code": old_codes[0]},
                            headers=user.headers))["backup_codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    step = ok(login(host, user.username, user.password))
    old = api.post("/api/auth/login/2fa", json={"pending_token": step["pending_token"], "code": old_codes[1]})
    assert old.status_code == 401
    ok(api.post("/api/auth/login/2fa", json={"pending_token": step["pending_token"], "code": new_codes[0]}))


def test_logout_ends_the_session_on_the_server(host, api):
    user = signup(host)
    other = ok(login(host, user.username, user.password))["token"]
    assert api.post("/api/auth/logout", headers=user.headers).status_code == 204
    assert api.get("/api/auth/me", headers=user.headers).status_code == 401
    ok(api.get("/api/auth/me", headers=bearer(other)))
    assert api.post("/api/auth/logout-all", headers=bearer(other)).status_code == 204
    assert api.get("/api/auth/me", headers=bearer(other)).status_code == 401


def test_sessions_are_listed_and_can_be_ended_one_by_one(host, api):
    user = signup(host)
    second = ok(login(host, user.username, user.password))
    page = ok(api.get("/api/auth/sessions", headers=user.headers))
    assert len(page["items"]) == 2 and sum(s["current"] for s in page["items"]) == 1
    assert all("token" not in s and "csrf" not in s for s in page["items"])
    assert api.delete(f"/api/auth/sessions/{second['session']['id']}", headers=user.headers).status_code == 204
    assert api.get("/api/auth/me", headers=bearer(second["token"])).status_code == 401
    assert api.delete(f"/api/auth/sessions/{second['session']['id']}", headers=user.headers).status_code == 404

    stranger = signup(host)
    theirs = ok(api.get("/api/auth/sessions", headers=stranger.headers))["items"][0]["id"]
    assert api.delete(f"/api/auth/sessions/{theirs}", headers=user.headers).status_code == 404
    ok(api.get("/api/auth/me", headers=stranger.headers))


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(host, api):
    user = signup(host)
    other = ok(login(host, user.username, user.password))["token"]
    new = new_password()
    wrong = api.post("/api/auth/change-password", json={"current_password": "not-my-password", "new_password": new},
                     headers=user.headers)
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["field"] == "body.current_password"
    weak = api.post("/api/auth/change-password", json={"current_password": user.password, "new_password": "password1"},
                    headers=user.headers)
    assert weak.status_code == 422 and weak.json()["error"]["details"][0]["field"] == "body.new_password"
    ok(api.post("/api/auth/change-password", json={"current_password": user.password, "new_password": new},
                headers=user.headers))
    ok(api.get("/api/auth/me", headers=user.headers))  # this session stays
    assert api.get("/api/auth/me", headers=bearer(other)).status_code == 401
    assert login(host, user.username, user.password).status_code == 401
    ok(login(host, user.username, new))
    assert any(m["subject"] == "Your password was changed" for m in mails_to(host, user.email))


def test_a_forgotten_password_is_reset_by_mail_once_and_every_session_ends(host, api):
    user = signup(host)
    assert api.post("/api/auth/forgot-password", json={"email": user.email}).status_code == 202
    token = reset_token(host, user.email)
    new = new_password()
    weak = api.post("/api/auth/reset-password", json={"token": token, "new_password": "qwertyuiop"})
    assert weak.status_code == 422  # and the token still works:
    ok(api.post("/api/auth/reset-password", json={"token": token, "new_password": new}))
    assert api.get("/api/auth/me", headers=user.headers).status_code == 401
    again = api.post("/api/auth/reset-password", json={"token": token, "new_password": new_password()})
    assert again.status_code == 422 and again.json()["error"]["code"] == "invalid_token"
    assert login(host, user.username, user.password).status_code == 401
    ok(login(host, user.username, new))


def test_only_the_newest_reset_link_works(host, api):
    user = signup(host)
    api.post("/api/auth/forgot-password", json={"email": user.email})
    first = reset_token(host, user.email)
    api.post("/api/auth/forgot-password", json={"email": user.email})
    second = reset_token(host, user.email)
    assert first != second
    assert api.post("/api/auth/reset-password", json={"token": first, "new_password": new_password()}).status_code \
        == 422
    ok(api.post("/api/auth/reset-password", json={"token": second, "new_password": new_password()}))


def test_the_email_address_changes_only_once_the_new_address_is_confirmed(host, api):
    user = signup(host)
    new_email = f"moved.{user.username}@example.com"
    wrong = api.post("/api/auth/change-email", json={"password": "not-my-password", "new_email": new_email},
                     headers=user.headers)
    assert wrong.status_code == 422
    assert api.post("/api/auth/change-email", json={"password": user.password, "new_email": new_email},
                    headers=user.headers).status_code == 202
    assert ok(api.get("/api/auth/me", headers=user.headers))["user"]["email"] == user.email
    me = ok(api.post("/api/auth/change-email/confirm", json={"code": mail_code(host, new_email)},
                     headers=user.headers))
    assert me["email"] == new_email
    assert any(m["subject"] == "Your email address was changed" for m in mails_to(host, user.email))
    ok(login(host, new_email, user.password))
    assert login(host, user.email, user.password).status_code == 401
    # the old address is free again
    ok(register(host, new_username(), user.email, new_password()), 201)


def test_moving_to_an_address_another_account_uses_reveals_nothing_and_never_completes(host, api):
    user, other = signup(host), signup(host)
    answer = api.post("/api/auth/change-email", json={"password": user.password, "new_email": other.email},
                      headers=user.headers)
    fresh = api.post("/api/auth/change-email", json={"password": user.password,
                                                     "new_email": f"free.{user.username}@example.com"},
                     headers=user.headers)
    assert (answer.status_code, answer.json()) == (fresh.status_code, fresh.json())
    newest = mails_to(host, other.email)[0]
    assert newest["subject"] == "Someone tried to use your address" and "Your code" not in newest["text"]


def test_deleting_the_account_needs_the_password_and_a_queued_job_erases_it(host, api):
    user = signup(host)
    friend = signup(host)
    ok(api.post(f"/api/users/{friend.id}/block", headers=user.headers), 201)
    ok(api.post(f"/api/users/{user.id}/block", headers=friend.headers), 201)
    wrong = api.post("/api/auth/delete-account", json={"password": "not-my-password"}, headers=user.headers)
    assert wrong.status_code == 422
    accepted = api.post("/api/auth/delete-account", json={"password": user.password}, headers=user.headers)
    assert accepted.status_code == 202 and accepted.json()["data"]["status"] == "scheduled"
    assert api.get("/api/auth/me", headers=user.headers).status_code == 401
    assert login(host, user.username, user.password).status_code == 401

    host.drain()
    assert host.run(lambda: store.get_user(user.id)) is None
    assert host.run(lambda: store.get_credentials(user.id)) is None
    assert api.get(f"/api/users/{user.id}", headers=friend.headers).status_code == 404
    assert ok(api.get("/api/users/me/blocked", headers=friend.headers))["items"] == []
    assert any(m["subject"] == "Your account is being deleted" for m in mails_to(host, user.email))
    # nothing is left holding the username or the address
    ok(register(host, user.username, user.email, new_password()), 201)
    assert mails_to(host, user.email)[0]["subject"] == "Confirm your email address"


def test_deleting_an_account_with_two_factor_needs_a_code_too(host, api):
    user = signup(host)
    _secret, backup_codes = enable_two_factor(api, user)
    missing = api.post("/api/auth/delete-account", json={"password": user.password}, headers=user.headers)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "second_factor_required"
    done = api.post("/api/auth/delete-account", json={"password": user.password, "code": backup_codes[0]},
                    headers=user.headers)
    assert done.status_code == 202


def test_the_daily_timer_removes_sign_ups_never_verified_and_frees_their_names(host, api):
    username, password = new_username(), new_password()
    email = f"{username}@example.com"
    ok(register(host, username, email, password), 201)

    async def make_it_stale():
        user_id = await store.lookup("username", username.lower())
        await store.patch_user(user_id, {"created_at": "2020-01-01T00:00:00.000Z"})
        return user_id

    user_id = host.run(make_it_stale)
    host.run_timer("accounts_purge_unverified_signups")
    assert host.run(lambda: store.get_user(user_id)) is None
    ok(register(host, username, email, new_password()), 201)
    assert mails_to(host, email)[0]["subject"] == "Confirm your email address"
