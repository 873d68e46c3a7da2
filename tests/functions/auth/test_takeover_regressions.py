"""One regression test per account-takeover route of the system we replace (topicsflow-inventory.md §1.1, §9.1),
each showing the hole is closed. XFF-keyed rate limits: test_rate_limits.py. Cookie auth without CSRF: test_csrf.py.
"""

from tests.support import authenticator
from tests.support.users import login, ok, signup


def test_no_route_serves_a_totp_secret_to_anyone_but_the_signed_in_owner_once(host, api):
    """Old: POST /auth/totp/qrcode {email|user_id} returned any user's live TOTP secret without login."""
    victim = signup(host)
    setup = ok(api.post("/api/auth/2fa/setup", json={"password": victim.password}, headers=victim.headers))
    ok(api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(setup["secret"])}, headers=victim.headers))

    for path in ("/api/auth/totp/qrcode", "/api/auth/2fa/qrcode", "/api/auth/2fa/secret"):
        for body in ({"email": victim.email}, {"user_id": victim.id}):
            assert api.post(path, json=body).status_code == 404
    anonymous = api.post("/api/auth/2fa/setup", json={"password": victim.password})
    assert anonymous.status_code == 401
    # the owner cannot get it back either, once enrolled: a new secret needs 2FA turned off first
    again = api.post("/api/auth/2fa/setup", json={"password": victim.password}, headers=victim.headers)
    assert again.status_code == 409
    attacker = signup(host)
    for_victim = api.post("/api/auth/2fa/setup", json={"password": attacker.password, "user_id": victim.id},
                          headers=attacker.headers)
    assert for_victim.status_code == 422  # no way to name another account
    everything = " ".join(r.text for r in (api.get("/api/auth/me", headers=victim.headers),
                                           api.get("/api/users/me", headers=victim.headers),
                                           api.get(f"/api/users/{victim.id}", headers=attacker.headers)))
    assert setup["secret"] not in everything


def test_a_second_factor_cannot_be_enrolled_on_someone_elses_account(host, api):
    """Old: /verify-totp {user_id, is_setup}, passkey registration and recovery-code/set by email, all without login,
    let an attacker attach their own second factor (or recovery code) to any account."""
    victim, attacker = signup(host), signup(host)
    assert api.post("/api/auth/2fa/confirm", json={"code": "123456"}).status_code == 401
    for extra in ({"user_id": victim.id}, {"email": victim.email}):
        sneaky = api.post("/api/auth/2fa/confirm", json={"code": "123456", **extra}, headers=attacker.headers)
        assert sneaky.status_code == 422
    for path in ("/api/auth/verify-totp", "/api/auth/recovery-code/set", "/api/auth/recovery/confirm-totp",
                 "/api/auth/complete-totp-setup"):
        assert api.post(path, json={"email": victim.email, "user_id": victim.id, "totp_code": "123456"}).status_code \
            == 404
    # passkey registration exists now, and names no account: test_passkey_registration_cannot_target_an_account
    # the attacker enrolling on their own session touches only their own account
    setup = ok(api.post("/api/auth/2fa/setup", json={"password": attacker.password}, headers=attacker.headers))
    ok(api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(setup["secret"])},
                headers=attacker.headers))
    assert ok(api.get("/api/auth/me", headers=victim.headers))["user"]["two_factor_enabled"] is False
    assert ok(login(host, victim.username, victim.password))["token"]


def test_login_codes_cannot_be_requested_for_any_user_or_brute_forced(host, api):
    """Old: resend-login-email-2fa {user_id} mailed a login code to any user without a first factor, and
    verify-login-email-2fa {user_id, code} opened a session; 6 digits, 15 minutes, a spoofable per-IP limit."""
    victim = signup(host)
    setup = ok(api.post("/api/auth/2fa/setup", json={"password": victim.password}, headers=victim.headers))
    ok(api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(setup["secret"])}, headers=victim.headers))
    host.drain()
    mails_before = len(host.outbox())

    for path in ("/api/auth/resend-login-email-2fa", "/api/auth/verify-login-email-2fa",
                 "/api/auth/recovery/verify-email-code"):
        assert api.post(path, json={"user_id": victim.id, "email": victim.email, "code": "123456"}).status_code == 404
    # /login-passwordless exists now (identifier + authenticator code, accounts without a password only): it takes
    # no user id and mails nothing; test_no_mailed_code_alone_opens_a_passwordless_account covers the rest
    assert api.post("/api/auth/login-passwordless",
                    json={"user_id": victim.id, "email": victim.email, "code": "123456"}).status_code == 422
    # the second step takes only a pending token, which only the password gives, and the token names the account
    guess = api.post("/api/auth/login/2fa", json={"pending_token": "A" * 43, "code": "123456"})
    assert guess.status_code == 401 and guess.json()["error"]["code"] == "pending_login_invalid"
    smuggled = api.post("/api/auth/login/2fa", json={"pending_token": "A" * 43, "code": "123456", "user_id": victim.id})
    assert smuggled.status_code == 422
    host.drain()
    assert len(host.outbox()) == mails_before  # nothing was mailed to the victim

    # with the password known, guessing codes burns the pending login after 5 tries...
    pending = ok(login(host, victim.username, victim.password))["pending_token"]
    wrong = "000000" if authenticator.code(setup["secret"]) != "000000" else "111111"
    answers = [api.post("/api/auth/login/2fa", json={"pending_token": pending, "code": wrong}) for _ in range(5)]
    assert all(a.status_code == 401 for a in answers)
    assert answers[-1].json()["error"]["details"]["login_restart_required"] is True
    right = api.post("/api/auth/login/2fa", json={"pending_token": pending,
                                                   "code": authenticator.code(setup["secret"], steps_ahead=1)})
    assert right.status_code == 401 and right.json()["error"]["code"] == "pending_login_invalid"
    # ...and the account's second-factor budget caps guesses across fresh pending logins
    refused = None
    for _ in range(4):
        pending = ok(login(host, victim.username, victim.password))["pending_token"]
        refused = api.post("/api/auth/login/2fa", json={"pending_token": pending, "code": wrong})
        if refused.status_code == 429:
            break
        for _ in range(4):
            refused = api.post("/api/auth/login/2fa", json={"pending_token": pending, "code": wrong})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


# ---------------------------------------------------------------------------------------------------------
# the passkey and passwordless flows (inventory §1.1, §4.4, §4.5, §9.1.2-3)


def test_passkey_registration_cannot_target_an_account(host, api):
    """Old: passkey/register-options and register-verify with {user_id|email} and no session attached the caller's
    passkey to any account. Now: a session (recently signed in) or the enrolment token of one's own passwordless
    sign-up, and the body cannot name an account."""
    from tests.support.passkey_authenticator import SoftAuthenticator
    from tests.support.passkeys import passwordless_signup, sign_in_with_passkey, start_passwordless_signup

    victim = signup(host)
    passwordless_victim = passwordless_signup(host, SoftAuthenticator())
    for body in ({}, {"email": victim.email}, {"user_id": victim.id}, {"email": passwordless_victim.email}):
        anonymous = api.post("/api/auth/passkey/register-options", json=body)
        assert anonymous.status_code in (401, 422) and anonymous.status_code == (401 if not body else 422)
    forged_verify = api.post("/api/auth/passkey/register-verify",
                             json={"credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
                                                  "response": {"clientDataJSON": "AAAA",
                                                               "attestationObject": "AAAA"}}})
    assert forged_verify.status_code == 401
    attacker = signup(host)
    for extra in ({"user_id": victim.id}, {"email": victim.email}):
        sneaky = api.post("/api/auth/passkey/register-options", json=extra, headers=attacker.headers)
        assert sneaky.status_code == 422
    # an enrolment token works for its own sign-up only, and only until that sign-up has a way in
    _name, _email, own_token = start_passwordless_signup(host)
    device = SoftAuthenticator()
    options = ok(api.post("/api/auth/passkey/register-options", json={"enrolment_token": own_token}))["options"]
    assert options["user"]["name"] not in (victim.username, passwordless_victim.username)
    enrolled = ok(api.post("/api/auth/passkey/register-verify",
                           json={"credential": device.create(options), "enrolment_token": own_token,
                                 "token": True}), 201)
    assert ok(sign_in_with_passkey(host, device))["user"]["id"] == enrolled["login"]["user"]["id"]
    assert api.post("/api/auth/passkey/register-options", json={"enrolment_token": own_token}).status_code == 422
    assert ok(api.get("/api/auth/passkey/list", headers=victim.headers))["items"] == []


def test_passkey_sign_in_options_reveal_nothing_about_an_account(host, api):
    """Old: passkey/auth-options {identifier} listed that user's credential ids to anyone."""
    victim = signup(host)
    for body in ({"identifier": victim.username}, {"email": victim.email}, {"user_id": victim.id}):
        assert api.post("/api/auth/passkey/auth-options", json=body).status_code == 422
    plain = ok(api.post("/api/auth/passkey/auth-options", json={}))
    assert plain["options"]["allowCredentials"] == []


def test_no_mailed_code_alone_opens_a_passwordless_account(host, api):
    """Old: recovery/verify-email-code returned the user id (the code was not even used up) and recovery/reset-totp
    with the "original secret" handed out a new TOTP secret; login-passwordless-backup took a backup code alone; a
    password reset would now give a passwordless account a password. Each way in takes the mailbox *and* a backup
    code, or the enrolled factor itself."""
    from tests.support.passkey_authenticator import SoftAuthenticator
    from tests.support.passkeys import passwordless_signup
    from tests.support.users import mail_code, mails_to

    victim = passwordless_signup(host, SoftAuthenticator())
    for path in ("/api/auth/recovery/verify-email-code", "/api/auth/recovery/reset-totp",
                 "/api/auth/recovery/complete-totp-setup", "/api/auth/recovery/verify-user-code",
                 "/api/auth/login-passwordless-backup", "/api/auth/totp/complete"):
        assert api.post(path, json={"email": victim.email, "identifier": victim.username,
                                    "backup_code": victim.backup_codes[0], "code": "123456"}).status_code == 404
    # someone holding the mailbox: the recovery code needs a backup code beside it
    api.post("/api/auth/recovery/initiate-passwordless", json={"email": victim.email})
    code = mail_code(host, victim.email)
    no_backup = api.post("/api/auth/recovery/complete-passwordless", json={"email": victim.email, "code": code})
    assert no_backup.status_code == 422
    # and forgot-password mails no link to an account without a password
    assert api.post("/api/auth/forgot-password", json={"email": victim.email}).status_code == 202
    assert "Your reset token:" not in mails_to(host, victim.email)[0]["text"]
    # someone holding a backup code but not the mailbox: guesses at the mailed code die with it
    api.post("/api/auth/recovery/initiate-passwordless", json={"email": victim.email})
    real = mail_code(host, victim.email)
    wrong = [f"{(int(real) + i) % 10**6:06d}" for i in range(1, 6)]
    for guess in wrong:
        assert api.post("/api/auth/recovery/complete-passwordless",
                        json={"email": victim.email, "code": guess,
                              "backup_code": victim.backup_codes[0]}).status_code == 422
    late = api.post("/api/auth/recovery/complete-passwordless",
                    json={"email": victim.email, "code": real, "backup_code": victim.backup_codes[0]})
    assert late.status_code == 422  # five wrong guesses burnt the code


def test_a_passwordless_sign_up_cannot_be_taken_over_by_registering_its_address_again(host, api):
    """Old: register-passwordless deleted an existing account with the same address when it had no TOTP yet."""
    from tests.support.passkey_authenticator import SoftAuthenticator
    from tests.support.passkeys import passwordless_signup, sign_in_with_passkey
    from tests.support.users import new_username

    device = SoftAuthenticator()
    victim = passwordless_signup(host, device)
    again = api.post("/api/auth/register-passwordless", json={"username": new_username(), "email": victim.email})
    assert again.status_code == 201
    assert ok(sign_in_with_passkey(host, device))["user"]["id"] == victim.id
    assert ok(api.get("/api/auth/me", headers=victim.headers))["user"]["email"] == victim.email
