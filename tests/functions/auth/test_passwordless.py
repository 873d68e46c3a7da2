"""Accounts without a password, through the HTTP API: sign-up with the mailed code and a first factor (a passkey or
an authenticator app), signing in, losing the passkey and recovering with the mailbox and a backup code, and adding
a password later."""

import re

from shared.domain.accounts import passwordless, recent_sign_in
from tests.support import authenticator
from tests.support.passkey_authenticator import SoftAuthenticator
from tests.support.passkeys import (
    add_passkey,
    bearer,
    passwordless_signup,
    registration_options,
    sign_in_with_passkey,
    start_passwordless_signup,
)
from tests.support.users import login, mail_code, mails_to, new_username, ok, signup


def error_code(response) -> str:
    return response.json()["error"]["code"]


def recover(api, email: str, code: str, backup_code: str):
    return api.post("/api/auth/recovery/complete-passwordless",
                    json={"email": email, "code": code, "backup_code": backup_code, "token": True})


def test_a_passwordless_account_signs_up_signs_in_with_a_passkey_loses_it_and_recovers_with_a_backup_code(host, api):
    phone = SoftAuthenticator()
    username = new_username("pl")
    email = f"{username}@example.com"
    # sign up: no password anywhere, the same answer as /register
    signed_up = api.post("/api/auth/register-passwordless", json={"username": username, "email": email})
    assert signed_up.status_code == 201
    verified = ok(api.post("/api/auth/verify-email", json={"email": email, "code": mail_code(host, email)}))
    enrolment = verified["enrolment_token"]
    assert enrolment and verified["enrolment_expires_in"] == passwordless.ENROLMENT_MINUTES * 60
    # the first way in: a passkey, which also brings the backup codes and a session
    options = ok(registration_options(api, {}, enrolment_token=enrolment))["options"]
    assert options["user"]["name"] == username
    enrolled = ok(api.post("/api/auth/passkey/register-verify",
                           json={"credential": phone.create(options), "enrolment_token": enrolment, "token": True,
                                 "name": "Phone"}), 201)
    backup_codes = enrolled["backup_codes"]
    assert len(backup_codes) == 10 and enrolled["passkey"]["name"] == "Phone"
    first_session = enrolled["login"]["token"]
    me = ok(api.get("/api/auth/me", headers=bearer(first_session)))["user"]
    assert me["has_password"] is False and me["email_verified"] is True and me["two_factor_enabled"] is False
    assert any(m["subject"] == "Your account is ready" for m in mails_to(host, email))

    # sign in with the passkey alone
    session = ok(sign_in_with_passkey(host, phone))
    assert session["user"]["id"] == me["id"]
    # the password routes know nothing of a password it never had
    assert login(host, username, "any-guess-at-all").status_code == 401

    # the phone is lost: recovery needs the mailbox and a backup code
    phone.forget()
    assert api.post("/api/auth/recovery/initiate-passwordless", json={"email": email}).status_code == 202
    code = mail_code(host, email)
    recovered = ok(recover(api, email, code, backup_codes[0]))
    assert recovered["user"]["id"] == me["id"] and recovered["token"]
    assert any(m["subject"] == "Your account was recovered" for m in mails_to(host, email))
    # recovery signed every other session out
    for old in (first_session, session["token"]):
        assert api.get("/api/auth/me", headers=bearer(old)).status_code == 401

    # the recovered session is recent enough to add a new passkey, and to remove the lost one
    recovered_user = type("Signed", (), {"headers": bearer(recovered["token"])})()
    new_phone = SoftAuthenticator()
    add_passkey(host, recovered_user, new_phone, name="New phone")
    listed = ok(api.get("/api/auth/passkey/list", headers=recovered_user.headers))["items"]
    lost = next(p for p in listed if p["name"] == "Phone")
    assert api.delete(f"/api/auth/passkey/{lost['id']}", headers=recovered_user.headers).status_code == 204
    assert ok(sign_in_with_passkey(host, new_phone))["user"]["id"] == me["id"]
    # the backup code worked once
    assert api.post("/api/auth/recovery/initiate-passwordless", json={"email": email}).status_code == 202
    reused = recover(api, email, mail_code(host, email), backup_codes[0])
    assert reused.status_code == 422 and error_code(reused) == "invalid_code"
    assert reused.json()["error"]["details"][0]["field"] == "body.backup_code"


def test_recovery_needs_both_the_mailed_code_and_a_backup_code(host, api):
    user = passwordless_signup(host, SoftAuthenticator())
    # no mailed code: a backup code alone opens nothing
    alone = recover(api, user.email, "000000", user.backup_codes[0])
    assert alone.status_code == 422 and alone.json()["error"]["details"][0]["field"] == "body.code"
    api.post("/api/auth/recovery/initiate-passwordless", json={"email": user.email})
    code = mail_code(host, user.email)
    # the mailbox alone opens nothing either, and a wrong backup code uses the mailed code up
    wrong = recover(api, user.email, code, "AAAAA-AAAAA")
    assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["field"] == "body.backup_code"
    assert recover(api, user.email, code, user.backup_codes[1]).status_code == 422
    missing = api.post("/api/auth/recovery/complete-passwordless", json={"email": user.email, "code": code})
    assert missing.status_code == 422
    # the unused backup code still works with a fresh mailed code
    api.post("/api/auth/recovery/initiate-passwordless", json={"email": user.email})
    ok(recover(api, user.email, mail_code(host, user.email), user.backup_codes[1]))


def test_recovery_answers_alike_for_every_address_and_mails_a_code_only_to_passwordless_accounts(host, api):
    passwordless_user = passwordless_signup(host, SoftAuthenticator())
    password_user = signup(host)
    unknown = f"{new_username()}@example.com"
    answers = [api.post("/api/auth/recovery/initiate-passwordless", json={"email": e})
               for e in (passwordless_user.email, password_user.email, unknown)]
    assert len({(a.status_code, a.text) for a in answers}) == 1 and answers[0].status_code == 202
    assert re.search(r"^Your code: \d{6}", mails_to(host, passwordless_user.email)[0]["text"], re.M)
    assert "has a password" in mails_to(host, password_user.email)[0]["text"]
    assert "no account without a password uses it" in mails_to(host, unknown)[0]["text"]


def test_a_passwordless_account_with_an_authenticator_app_signs_in_with_its_code(host, api):
    user = passwordless_signup(host, totp=True)
    assert len(user.backup_codes) == 10
    me = ok(api.get("/api/auth/me", headers=user.headers))["user"]
    assert me["has_password"] is False and me["two_factor_enabled"] is True
    code = authenticator.code(user.totp_secret, steps_ahead=1)
    session = ok(api.post("/api/auth/login-passwordless", json={"identifier": user.username, "code": code,
                                                                 "token": True}))
    assert session["user"]["id"] == user.id and session["device_token"]
    replay = api.post("/api/auth/login-passwordless", json={"identifier": user.email, "code": code, "token": True})
    assert replay.status_code == 401 and error_code(replay) == "invalid_credentials"


def test_the_authenticator_code_signs_in_only_accounts_without_a_password(host, api):
    user = signup(host)
    setup = ok(api.post("/api/auth/2fa/setup", json={"password": user.password}, headers=user.headers))
    ok(api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(setup["secret"])}, headers=user.headers))
    # a password account's second factor is never enough on its own
    alone = api.post("/api/auth/login-passwordless", json={"identifier": user.username,
                                                            "code": authenticator.code(setup["secret"], steps_ahead=1)})
    assert alone.status_code == 401 and error_code(alone) == "invalid_credentials"


def test_failed_passwordless_logins_spend_the_accounts_budget_from_any_address(host, api):
    from shared.domain.accounts import limits
    from tests.support.users import forget_ip_limits

    user = passwordless_signup(host, totp=True)
    good = authenticator.code(user.totp_secret, steps_ahead=1)
    wrong = "000000" if good != "000000" else "111111"
    for i in range(limits.LOGIN_FAILURES_UNTRUSTED.limit):
        answer = api.post("/api/auth/login-passwordless", json={"identifier": user.username, "code": wrong},
                          headers={"X-Forwarded-For": f"192.0.2.{i}"})
        assert answer.status_code == 401
    forget_ip_limits(host)
    refused = api.post("/api/auth/login-passwordless", json={"identifier": user.username, "code": good})
    assert refused.status_code == 429 and error_code(refused) == "too_many_attempts"


def test_a_sign_up_can_choose_the_authenticator_app_and_the_enrolment_token_works_once(host, api):
    _username, email, enrolment = start_passwordless_signup(host)
    # nothing signs in before the first factor is enrolled
    assert api.post("/api/auth/login-passwordless",
                    json={"identifier": email, "code": "123456"}).status_code == 401
    premature = api.post("/api/auth/recovery/initiate-passwordless", json={"email": email})
    assert premature.status_code == 202
    assert "no account without a password uses it" in mails_to(host, email)[0]["text"]
    confirm_first = api.post("/api/auth/passwordless/totp/confirm", json={"enrolment_token": enrolment,
                                                                           "code": "123456"})
    assert confirm_first.status_code == 409 and error_code(confirm_first) == "two_factor_setup_missing"
    secret = ok(api.post("/api/auth/passwordless/totp/setup", json={"enrolment_token": enrolment}))["secret"]
    wrong = api.post("/api/auth/passwordless/totp/confirm", json={"enrolment_token": enrolment, "code": "000000"
                                                                   if authenticator.code(secret) != "000000"
                                                                   else "111111"})
    assert wrong.status_code == 422 and error_code(wrong) == "invalid_code"
    done = ok(api.post("/api/auth/passwordless/totp/confirm",
                       json={"enrolment_token": enrolment, "code": authenticator.code(secret), "token": True}), 201)
    assert len(done["backup_codes"]) == 10 and done["login"]["token"]
    # the token is used up: it cannot add another factor, now or later
    for path, body in (("/api/auth/passwordless/totp/setup", {"enrolment_token": enrolment}),
                       ("/api/auth/passkey/register-options", {"enrolment_token": enrolment})):
        refused = api.post(path, json=body)
        assert refused.status_code == 422 and error_code(refused) == "invalid_token", path


def test_a_verified_sign_up_that_never_enrolled_can_ask_for_a_new_code_and_token(host, api):
    _username, email, first = start_passwordless_signup(host)
    assert api.post("/api/auth/resend-verification", json={"email": email}).status_code == 202
    again = ok(api.post("/api/auth/verify-email", json={"email": email, "code": mail_code(host, email)}))
    assert again["enrolment_token"] and again["enrolment_token"] != first
    stale = api.post("/api/auth/passwordless/totp/setup", json={"enrolment_token": first})
    assert stale.status_code == 422  # only the newest token works
    ok(api.post("/api/auth/passwordless/totp/setup", json={"enrolment_token": again["enrolment_token"]}))


def test_the_last_way_into_a_passwordless_account_cannot_be_removed(host, api):
    device = SoftAuthenticator()
    user = passwordless_signup(host, device)
    only = ok(api.get("/api/auth/passkey/list", headers=user.headers))["items"][0]
    refused = api.delete(f"/api/auth/passkey/{only['id']}", headers=user.headers)
    assert refused.status_code == 409 and error_code(refused) == "last_sign_in_method"
    spare = SoftAuthenticator()
    add_passkey(host, user, spare, name="Spare key")
    assert api.delete(f"/api/auth/passkey/{only['id']}", headers=user.headers).status_code == 204
    assert ok(sign_in_with_passkey(host, spare))["user"]["id"] == user.id


def test_a_passwordless_account_adds_a_password_when_recently_signed_in(host, api, monkeypatch):
    device = SoftAuthenticator()
    user = passwordless_signup(host, device)
    weak = api.post("/api/auth/set-password", json={"new_password": "password1"}, headers=user.headers)
    assert weak.status_code == 422
    monkeypatch.setattr(recent_sign_in, "RECENT_SIGN_IN_SECONDS", 0)
    stale = api.post("/api/auth/set-password", json={"new_password": "copper-kettle-mountain-9"}, headers=user.headers)
    assert stale.status_code == 403 and error_code(stale) == "recent_sign_in_required"
    monkeypatch.undo()
    ok(api.post("/api/auth/set-password", json={"new_password": "copper-kettle-mountain-9"}, headers=user.headers))
    assert ok(api.get("/api/auth/me", headers=user.headers))["user"]["has_password"] is True
    assert any(m["subject"] == "Your account has a password now" for m in mails_to(host, user.email))
    assert ok(login(host, user.username, "copper-kettle-mountain-9"))["token"]
    again = api.post("/api/auth/set-password", json={"new_password": "another-fine-phrase-3"}, headers=user.headers)
    assert again.status_code == 409 and error_code(again) == "password_already_set"
    # it is an ordinary account now: its passkey still signs in, and the mailbox alone resets the password
    ok(sign_in_with_passkey(host, device))


def test_an_authenticator_code_confirms_adding_a_password_to_an_old_session(host, api, monkeypatch):
    user = passwordless_signup(host, totp=True)
    monkeypatch.setattr(recent_sign_in, "RECENT_SIGN_IN_SECONDS", 0)
    ok(api.post("/api/auth/set-password", json={"new_password": "copper-kettle-mountain-9",
                                                 "code": authenticator.code(user.totp_secret, steps_ahead=1)},
                headers=user.headers))
    # with a password, the app becomes its second factor and no longer signs in alone
    step = ok(login(host, user.username, "copper-kettle-mountain-9"))
    assert step["two_factor_required"] is True
    alone = api.post("/api/auth/login-passwordless", json={"identifier": user.username,
                                                            "code": authenticator.code(user.totp_secret)})
    assert alone.status_code == 401


def test_a_banned_passwordless_account_cannot_sign_in_or_recover(host, api):
    admin = signup(host, admin=True)
    device = SoftAuthenticator()
    user = passwordless_signup(host, device)
    ok(api.post(f"/api/admin/users/{user.id}/ban", json={"reason": "spam and abuse"}, headers=admin.headers))
    assert api.get("/api/auth/me", headers=user.headers).status_code == 401
    assert error_code(sign_in_with_passkey(host, device)) == "account_banned"
    api.post("/api/auth/recovery/initiate-passwordless", json={"email": user.email})
    banned = recover(api, user.email, mail_code(host, user.email), user.backup_codes[0])
    assert banned.status_code == 403 and error_code(banned) == "account_banned"


def test_the_passwordless_answers_match_their_declared_models(host, api):
    from tests.support.account_routes import account_routes

    specs = {(r.method, r.path()): r.spec for r in account_routes() if not r.params}

    def checked(path: str, response, status: int = 200):
        data = ok(response, status)
        assert specs[("POST", path)].response.model_validate(data).model_dump(mode="json") == data, path
        return data

    username, email, enrolment = start_passwordless_signup(host)
    setup = checked("/api/auth/passwordless/totp/setup",
                    api.post("/api/auth/passwordless/totp/setup", json={"enrolment_token": enrolment}))
    done = checked("/api/auth/passwordless/totp/confirm",
                   api.post("/api/auth/passwordless/totp/confirm",
                            json={"enrolment_token": enrolment, "code": authenticator.code(setup["secret"]),
                                  "token": True}), 201)
    next_code = authenticator.code(setup["secret"], steps_ahead=1)
    checked("/api/auth/login-passwordless",
            api.post("/api/auth/login-passwordless", json={"identifier": username, "token": True, "code": next_code}))
    checked("/api/auth/recovery/initiate-passwordless",
            api.post("/api/auth/recovery/initiate-passwordless", json={"email": email}), 202)
    checked("/api/auth/recovery/complete-passwordless",
            recover(api, email, mail_code(host, email), done["backup_codes"][0]))
