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
    for path in ("/api/auth/verify-totp", "/api/auth/recovery-code/set", "/api/auth/passkey/register-options",
                 "/api/auth/recovery/confirm-totp", "/api/auth/complete-totp-setup"):
        assert api.post(path, json={"email": victim.email, "user_id": victim.id, "totp_code": "123456"}).status_code \
            == 404
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
                 "/api/auth/login-passwordless", "/api/auth/recovery/verify-email-code"):
        assert api.post(path, json={"user_id": victim.id, "email": victim.email, "code": "123456"}).status_code == 404
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
