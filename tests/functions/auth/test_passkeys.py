"""Passkeys through the HTTP API with a software authenticator: adding one, signing in with it alone or as the second
factor, and every way a ceremony must fail: a replayed assertion, a cloned authenticator whose counter goes
backwards, a reused or expired challenge, another origin or relying party, no user verification."""

import re
import threading
import time

from shared.domain.accounts import passkey_challenges, passkey_store, recent_sign_in
from tests.support import authenticator
from tests.support.passkey_authenticator import ORIGIN, SoftAuthenticator, unb64url
from tests.support.passkeys import (
    add_passkey,
    bearer,
    passkey_options,
    registration_options,
    sign_in_with_passkey,
    verify_passkey,
)
from tests.support.users import login, mails_to, ok, signup


def error_code(response) -> str:
    return response.json()["error"]["code"]


def enable_totp(api, user) -> tuple[str, list[str]]:
    setup = ok(api.post("/api/auth/2fa/setup", json={"password": user.password}, headers=user.headers))
    codes = ok(api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(setup["secret"])},
                        headers=user.headers))["backup_codes"]
    return setup["secret"], codes


# ---------------------------------------------------------------------------------------------------------
# adding passkeys


def test_a_signed_in_user_adds_a_passkey_and_sees_it_in_the_list(host, api):
    user, device = signup(host), SoftAuthenticator()
    options = ok(registration_options(api, user.headers))
    assert options["expires_in"] == passkey_challenges.CHALLENGE_SECONDS
    creation = options["options"]
    assert creation["rp"]["id"] == "localhost" and creation["user"]["name"] == user.username
    assert creation["authenticatorSelection"]["userVerification"] == "required"
    assert creation["authenticatorSelection"]["residentKey"] == "required"
    assert creation["attestation"] == "none" and creation["timeout"] == passkey_challenges.timeout_ms()
    registered = ok(api.post("/api/auth/passkey/register-verify",
                             json={"credential": device.create(creation), "name": "Laptop"},
                             headers=user.headers), 201)
    passkey = registered["passkey"]
    assert registered["backup_codes"] is None and registered["login"] is None
    assert passkey["name"] == "Laptop" and passkey["status"] == "active" and passkey["clone_warning"] is None
    assert unb64url(passkey["credential_id"]) == device.credentials[0].id
    assert passkey["device_type"] == "single_device" and passkey["transports"] == ["hybrid", "internal"]
    listed = ok(api.get("/api/auth/passkey/list", headers=user.headers))
    assert [p["id"] for p in listed["items"]] == [passkey["id"]] and listed["next_cursor"] is None
    assert "public_key" not in listed["items"][0] and "sign_count" not in listed["items"][0]
    assert any(m["subject"] == "A passkey was added to your account" for m in mails_to(host, user.email))
    # the next options exclude what this account has, so the browser will not register the same passkey twice
    again = ok(registration_options(api, user.headers))["options"]
    assert [c["id"] for c in again["excludeCredentials"]] == [passkey["credential_id"]]


def test_adding_a_passkey_needs_a_recent_sign_in_or_the_password(host, api, monkeypatch):
    user, device = signup(host), SoftAuthenticator()
    monkeypatch.setattr(recent_sign_in, "RECENT_SIGN_IN_SECONDS", 0)
    time.sleep(0.01)
    stale = registration_options(api, user.headers)
    assert stale.status_code == 403 and error_code(stale) == "recent_sign_in_required"
    wrong = registration_options(api, user.headers, password="not-the-password")
    assert wrong.status_code == 422 and error_code(wrong) == "invalid_password"
    code_instead = registration_options(api, user.headers, code="123456")
    assert code_instead.status_code == 422 and error_code(code_instead) == "password_required"
    add_passkey(host, user, device, password=user.password)


def test_a_challenge_is_bound_to_the_session_that_asked_for_it(host, api):
    user, device = signup(host), SoftAuthenticator()
    other_session = bearer(ok(login(host, user.username, user.password))["token"])
    options = ok(registration_options(api, user.headers))["options"]
    elsewhere = api.post("/api/auth/passkey/register-verify", json={"credential": device.create(options)},
                         headers=other_session)
    assert elsewhere.status_code == 401 and error_code(elsewhere) == "passkey_challenge_invalid"
    # and the first session's challenge still works (the other session's attempt found none of its own)
    ok(api.post("/api/auth/passkey/register-verify", json={"credential": device.create(options)},
                headers=user.headers), 201)


def test_a_registration_from_another_origin_or_without_user_verification_is_refused(host, api):
    user = signup(host)
    for device, origin in ((SoftAuthenticator(), "https://evil.example"), (SoftAuthenticator(), "http://localhost"),
                           (SoftAuthenticator(user_verification=False), ORIGIN)):
        options = ok(registration_options(api, user.headers))["options"]
        refused = api.post("/api/auth/passkey/register-verify",
                           json={"credential": device.create(options, origin=origin)}, headers=user.headers)
        assert refused.status_code == 422 and error_code(refused) == "passkey_invalid", origin
    assert ok(api.get("/api/auth/passkey/list", headers=user.headers))["items"] == []


def test_a_credential_id_belongs_to_exactly_one_account(host, api):
    first, second, device = signup(host), signup(host), SoftAuthenticator()
    add_passkey(host, first, device)
    options = ok(registration_options(api, second.headers))["options"]
    again = _registration_reusing(device, device.credentials[0], options)
    taken = api.post("/api/auth/passkey/register-verify", json={"credential": again}, headers=second.headers)
    assert taken.status_code == 409 and error_code(taken) == "passkey_exists"
    assert ok(api.get("/api/auth/passkey/list", headers=second.headers))["items"] == []
    assert ok(sign_in_with_passkey(host, device))["user"]["id"] == first.id


def test_two_accounts_racing_to_register_one_credential_id_get_one_winner(host, api):
    users = [signup(host) for _ in range(4)]
    device = SoftAuthenticator()
    shared_credential = None
    bodies = []
    for user in users:
        options = ok(registration_options(api, user.headers))["options"]
        if shared_credential is None:
            bodies.append(device.create(options))
            shared_credential = device.credentials[0]
        else:
            bodies.append(_registration_reusing(device, shared_credential, options))
    answers: list[int] = []

    def register(user, body):
        import httpx

        with httpx.Client(base_url=host.url, timeout=60) as client:
            answers.append(client.post("/api/auth/passkey/register-verify", json={"credential": body},
                                       headers=user.headers).status_code)

    threads = [threading.Thread(target=register, args=pair) for pair in zip(users, bodies, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409, 409, 409]


def _registration_reusing(device: SoftAuthenticator, credential, options):
    """A registration response for `options` that presents an existing credential (id and key) again."""
    import hashlib
    import json
    import struct

    from fido2 import cbor
    from fido2.cose import ES256

    from tests.support.passkey_authenticator import AT, UP, UV, b64url

    public_key = cbor.encode(ES256.from_cryptography_key(credential.key.public_key()))
    attested = device.aaguid + struct.pack(">H", len(credential.id)) + credential.id + public_key
    auth_data = hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([UP | UV | AT]) + \
        struct.pack(">I", 0) + attested
    client_data = json.dumps({"type": "webauthn.create", "challenge": options["challenge"], "origin": ORIGIN}).encode()
    return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data),
                         "attestationObject": b64url(cbor.encode({"fmt": "none", "attStmt": {},
                                                                  "authData": auth_data}))}}


# ---------------------------------------------------------------------------------------------------------
# signing in with a passkey alone


def test_a_passkey_alone_signs_in_with_discoverable_credentials(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    options = passkey_options(api)
    request = options["options"]
    assert request["allowCredentials"] == [] and request["userVerification"] == "required"
    assert request["rpId"] == "localhost" and options["pending_token"]
    session = ok(verify_passkey(api, options["pending_token"], device.get(request)))
    assert session["user"]["id"] == user.id and session["token"] and session["session"]["via"] == "token"
    me = ok(api.get("/api/auth/me", headers=bearer(session["token"])))
    assert me["user"]["username"] == user.username
    listed = ok(api.get("/api/auth/passkey/list", headers=user.headers))["items"][0]
    assert listed["last_used_at"] is not None


def test_a_browser_signing_in_with_a_passkey_gets_the_session_and_device_cookies(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    import httpx

    with httpx.Client(base_url=host.url, timeout=60) as browser:
        answer = sign_in_with_passkey(host, device, client=browser, token=False)
        data = ok(answer)
        assert data["token"] is None and data["device_token"] is None and data["session"]["csrf_token"]
        cookies = answer.headers.get_list("set-cookie")
        assert any(c.startswith("session=") and "HttpOnly" in c for c in cookies)
        assert any(c.startswith("device=") for c in cookies)
        assert ok(browser.get("/api/auth/me"))["user"]["id"] == user.id


def test_a_replayed_assertion_is_refused(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    options = passkey_options(api)
    assertion = device.get(options["options"])
    ok(verify_passkey(api, options["pending_token"], assertion))
    replay = verify_passkey(api, options["pending_token"], assertion)
    assert replay.status_code == 401 and error_code(replay) == "passkey_challenge_invalid"
    # under a fresh ceremony the old assertion signs the wrong challenge
    fresh = passkey_options(api)
    stale = verify_passkey(api, fresh["pending_token"], assertion)
    assert stale.status_code == 401 and error_code(stale) == "passkey_invalid"
    # ...which used that ceremony up too; the passkey itself is fine
    assert ok(api.get("/api/auth/passkey/list", headers=user.headers))["items"][0]["status"] == "active"
    ok(sign_in_with_passkey(host, device))


def test_a_challenge_cannot_be_reused_even_with_a_new_signature(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    options = passkey_options(api)
    ok(verify_passkey(api, options["pending_token"], device.get(options["options"])))
    reused = verify_passkey(api, options["pending_token"], device.get(options["options"]))
    assert reused.status_code == 401 and error_code(reused) == "passkey_challenge_invalid"


def test_an_expired_challenge_is_refused(host, api, monkeypatch):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    monkeypatch.setattr(passkey_challenges, "CHALLENGE_SECONDS", 1)
    options = passkey_options(api)
    assert options["expires_in"] == 1
    time.sleep(1.6)
    late = verify_passkey(api, options["pending_token"], device.get(options["options"]))
    assert late.status_code == 401 and error_code(late) == "passkey_challenge_invalid"
    registering = ok(registration_options(api, user.headers))["options"]
    time.sleep(1.6)
    late_registration = api.post("/api/auth/passkey/register-verify",
                                 json={"credential": SoftAuthenticator().create(registering)}, headers=user.headers)
    assert late_registration.status_code == 401 and error_code(late_registration) == "passkey_challenge_invalid"


def test_an_assertion_from_another_origin_or_relying_party_or_without_user_verification_is_refused(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    for kwargs in ({"origin": "https://evil.example"}, {"origin": "http://localhost:3000.evil.example"},
                   {"rp_id": "evil.example"}):
        options = passkey_options(api)
        refused = verify_passkey(api, options["pending_token"], device.get(options["options"], **kwargs))
        assert refused.status_code == 401 and error_code(refused) == "passkey_invalid", kwargs
    device.user_verification = False
    options = passkey_options(api)
    unverified = verify_passkey(api, options["pending_token"], device.get(options["options"]))
    assert unverified.status_code == 401 and error_code(unverified) == "passkey_invalid"
    device.user_verification = True
    ok(sign_in_with_passkey(host, device))


def test_unknown_passkeys_and_forged_signatures_answer_alike(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    stranger = SoftAuthenticator()
    stranger_options = ok(registration_options(api, signup(host).headers))["options"]
    stranger.create(stranger_options)  # a credential the server never stored
    answers = []
    for who in (stranger, device):
        options = passkey_options(api)
        assertion = who.get(options["options"])
        if who is device:  # a forged signature over the genuine credential
            raw = unb64url(assertion["response"]["signature"])
            assertion["response"]["signature"] = _b64(raw[:-2] + bytes([raw[-2] ^ 1, raw[-1]]))
        answers.append(verify_passkey(api, options["pending_token"], assertion))
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()


def _b64(data: bytes) -> str:
    from tests.support.passkey_authenticator import b64url

    return b64url(data)


def test_a_cloned_authenticator_whose_counter_goes_backwards_is_refused_and_reported(host, api):
    user, device = signup(host), SoftAuthenticator()
    admin = signup(host, admin=True)
    add_passkey(host, user, device, name="Phone")
    clone = device.clone()
    ok(sign_in_with_passkey(host, device))  # the real device: counter 1
    ok(sign_in_with_passkey(host, device))  # counter 2
    refused = sign_in_with_passkey(host, clone)  # the copy was made at counter 0: it presents 1
    assert refused.status_code == 401 and error_code(refused) == "passkey_suspended"

    passkey = ok(api.get("/api/auth/passkey/list", headers=user.headers))["items"][0]
    assert passkey["status"] == "suspended"
    assert passkey["clone_warning"]["stored_sign_count"] == 2
    assert passkey["clone_warning"]["presented_sign_count"] == 1
    assert any(m["subject"] == "One of your passkeys may have been copied" for m in mails_to(host, user.email))
    seen_by_admin = ok(api.get(f"/api/admin/users/{user.id}/passkeys", headers=admin.headers))["items"]
    assert seen_by_admin[0]["clone_warning"] == passkey["clone_warning"]
    # the passkey stays suspended, for the genuine device as well: the owner removes it and adds a new one
    again = sign_in_with_passkey(host, device)
    assert again.status_code == 401 and error_code(again) == "passkey_suspended"
    assert api.delete(f"/api/auth/passkey/{passkey['id']}", headers=user.headers).status_code == 204


def test_a_counter_wound_back_to_an_earlier_value_is_caught_too(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    for _ in range(3):
        ok(sign_in_with_passkey(host, device))
    device.set_counter(1)
    refused = sign_in_with_passkey(host, device)
    assert refused.status_code == 401 and error_code(refused) == "passkey_suspended"


def test_authenticators_without_a_counter_keep_signing_in(host, api):
    user, device = signup(host), SoftAuthenticator(counter_step=0, backup_eligible=True, backed_up=True)
    passkey = add_passkey(host, user, device)
    assert passkey["device_type"] == "multi_device" and passkey["backed_up"] is True
    for _ in range(3):
        ok(sign_in_with_passkey(host, device))
    # the backup-eligible flag is fixed at registration: an assertion that drops it is refused
    device.backup_eligible = device.backed_up = False
    changed = sign_in_with_passkey(host, device)
    assert changed.status_code == 401 and error_code(changed) == "passkey_invalid"


def test_a_banned_or_deleted_account_cannot_sign_in_with_its_passkey(host, api):
    admin = signup(host, admin=True)
    banned, device = signup(host), SoftAuthenticator()
    add_passkey(host, banned, device)
    session = ok(sign_in_with_passkey(host, device))["token"]
    ok(api.post(f"/api/admin/users/{banned.id}/ban", json={"reason": "spam and abuse"}, headers=admin.headers))
    assert api.get("/api/auth/me", headers=bearer(session)).status_code == 401  # the ban ended the passkey session
    refused = sign_in_with_passkey(host, device)
    assert refused.status_code == 403 and error_code(refused) == "account_banned"

    gone, gone_device = signup(host), SoftAuthenticator()
    add_passkey(host, gone, gone_device)
    passkey_session = ok(sign_in_with_passkey(host, gone_device))["token"]
    assert api.post("/api/auth/delete-account", json={"password": gone.password},
                    headers=gone.headers).status_code == 202
    assert api.get("/api/auth/me", headers=bearer(passkey_session)).status_code == 401
    deleted = sign_in_with_passkey(host, gone_device)
    assert deleted.status_code == 401 and error_code(deleted) == "passkey_invalid"
    host.drain()  # the erasure job removes the account, its passkeys with it
    assert api.get(f"/api/admin/users/{gone.id}/passkeys", headers=admin.headers).status_code == 404
    key = passkey_store.credential_key(gone_device.credentials[0].id)
    assert host.run(lambda: passkey_store.list_passkeys(gone.id)) == []
    assert host.run(lambda: passkey_store.owner_of(key)) is None
    gone_options = passkey_options(api)
    assert verify_passkey(api, gone_options["pending_token"],
                          gone_device.get(gone_options["options"])).json()["error"]["code"] == "passkey_invalid"


def test_sessions_started_with_a_passkey_end_like_any_other(host, api):
    user, device = signup(host), SoftAuthenticator()
    add_passkey(host, user, device)
    first = ok(sign_in_with_passkey(host, device))["token"]
    second = ok(sign_in_with_passkey(host, device))["token"]
    assert api.post("/api/auth/logout", headers=bearer(first)).status_code == 204
    assert api.get("/api/auth/me", headers=bearer(first)).status_code == 401
    ok(api.post("/api/auth/change-password", json={"current_password": user.password,
                                                     "new_password": "a-brand-new-passphrase-77"},
                headers=user.headers))
    assert api.get("/api/auth/me", headers=bearer(second)).status_code == 401
    third = ok(sign_in_with_passkey(host, device))["token"]
    assert api.post("/api/auth/logout-all", headers=bearer(third)).status_code == 204
    assert api.get("/api/auth/me", headers=bearer(third)).status_code == 401


# ---------------------------------------------------------------------------------------------------------
# a passkey as the second factor


def test_a_passkey_finishes_a_password_login_instead_of_the_authenticator_code(host, api):
    user, device = signup(host), SoftAuthenticator()
    enable_totp(api, user)
    add_passkey(host, user, device)
    step = ok(login(host, user.username, user.password))
    assert step["two_factor_required"] is True and step["second_factors"] == ["totp", "passkey"]
    options = passkey_options(api, step["pending_token"])
    assert options["pending_token"] == step["pending_token"]
    allowed = [c["id"] for c in options["options"]["allowCredentials"]]
    assert allowed == [ok(api.get("/api/auth/passkey/list", headers=user.headers))["items"][0]["credential_id"]]
    done = ok(verify_passkey(api, step["pending_token"], device.get(options["options"])))
    assert done["user"]["id"] == user.id and done["token"]
    # the pending login is used up: neither a code nor another passkey assertion can use it again
    again = api.post("/api/auth/login/2fa", json={"pending_token": step["pending_token"], "code": "123456"})
    assert again.status_code == 401 and error_code(again) == "pending_login_invalid"


def test_another_accounts_passkey_cannot_be_the_second_factor(host, api):
    victim = signup(host)
    enable_totp(api, victim)
    add_passkey(host, victim, SoftAuthenticator())
    attacker, attacker_device = signup(host), SoftAuthenticator()
    add_passkey(host, attacker, attacker_device)
    step = ok(login(host, victim.username, victim.password))
    options = passkey_options(api, step["pending_token"])
    # the attacker's authenticator answers with its own (discoverable) credential
    assertion = attacker_device.get({**options["options"], "allowCredentials": []})
    refused = verify_passkey(api, step["pending_token"], assertion)
    assert refused.status_code == 401 and error_code(refused) == "passkey_invalid"
    # and the passkey-alone ceremony cannot finish a pending password login either
    alone = passkey_options(api)
    smuggled = verify_passkey(api, step["pending_token"], attacker_device.get(alone["options"]))
    assert smuggled.status_code == 401 and error_code(smuggled) == "passkey_challenge_invalid"


def test_wrong_passkey_answers_spend_the_pending_login_and_the_second_factor_budget(host, api):
    user = signup(host)
    enable_totp(api, user)
    device = SoftAuthenticator()
    add_passkey(host, user, device)
    step = ok(login(host, user.username, user.password))
    for _ in range(5):
        options = passkey_options(api, step["pending_token"])
        forged = device.get(options["options"], origin="https://evil.example")
        assert verify_passkey(api, step["pending_token"], forged).status_code == 401
    burnt = api.post("/api/auth/passkey/auth-options", json={"pending_token": step["pending_token"]})
    assert burnt.status_code == 401 and error_code(burnt) == "pending_login_invalid"


def test_an_account_without_passkeys_is_told_so_at_the_second_step(host, api):
    user = signup(host)
    enable_totp(api, user)
    step = ok(login(host, user.username, user.password))
    assert step["second_factors"] == ["totp"]
    none = api.post("/api/auth/passkey/auth-options", json={"pending_token": step["pending_token"]})
    assert none.status_code == 409 and error_code(none) == "no_passkey"


# ---------------------------------------------------------------------------------------------------------
# managing passkeys


def test_passkeys_are_renamed_and_removed_by_their_owner_only(host, api):
    owner, other, device = signup(host), signup(host), SoftAuthenticator()
    passkey = add_passkey(host, owner, device)
    renamed = ok(api.patch(f"/api/auth/passkey/{passkey['id']}", json={"name": "Work laptop"}, headers=owner.headers))
    assert renamed["name"] == "Work laptop"
    for method, kwargs in (("PATCH", {"json": {"name": "mine now"}}), ("DELETE", {})):
        theirs = api.request(method, f"/api/auth/passkey/{passkey['id']}", headers=other.headers, **kwargs)
        assert theirs.status_code == 404 and error_code(theirs) == "passkey_not_found"
    assert ok(api.get("/api/auth/passkey/list", headers=other.headers))["items"] == []
    # removing the passkey one is signed in with is allowed (a password account keeps its password)
    session = ok(sign_in_with_passkey(host, device))["token"]
    assert api.delete(f"/api/auth/passkey/{passkey['id']}", headers=bearer(session)).status_code == 204
    ok(api.get("/api/auth/me", headers=bearer(session)))
    gone = sign_in_with_passkey(host, device)
    assert gone.status_code == 401 and error_code(gone) == "passkey_invalid"
    assert any(m["subject"] == "A passkey was removed from your account" for m in mails_to(host, owner.email))
    assert api.delete(f"/api/auth/passkey/{passkey['id']}", headers=owner.headers).status_code == 404


def test_non_administrators_cannot_see_someone_elses_passkeys(host, api):
    user, nosy = signup(host), signup(host)
    add_passkey(host, user, SoftAuthenticator())
    refused = api.get(f"/api/admin/users/{user.id}/passkeys", headers=nosy.headers)
    assert refused.status_code == 403 and error_code(refused) == "admin_required"


def test_a_banned_users_session_cannot_manage_passkeys(host, api):
    user = signup(host)
    passkey = add_passkey(host, user, SoftAuthenticator())
    # between the ban and the end of its sessions, the account gate refuses the session anyway
    from shared.domain.accounts import store

    host.run(lambda: store.patch_user(user.id, {"status": "banned"}))
    for method, path, kwargs in (("GET", "/api/auth/passkey/list", {}),
                                 ("POST", "/api/auth/passkey/register-options", {"json": {}}),
                                 ("PATCH", f"/api/auth/passkey/{passkey['id']}", {"json": {"name": "x"}}),
                                 ("DELETE", f"/api/auth/passkey/{passkey['id']}", {})):
        refused = api.request(method, path, headers=user.headers, **kwargs)
        assert refused.status_code == 401 and error_code(refused) == "session_invalid", path


def test_the_passkey_answers_match_their_declared_models(host, api):
    from tests.support.account_routes import account_routes

    specs = {(r.method, "/api/" + re.sub(r":[^}]+}", "}", r.template)): r.spec for r in account_routes()}

    def checked(method: str, template: str, response, status: int = 200):
        data = ok(response, status)
        model = specs[(method, template)].response
        assert model.model_validate(data).model_dump(mode="json") == data, template
        return data

    user, device = signup(host), SoftAuthenticator()
    admin = signup(host, admin=True)
    options = checked("POST", "/api/auth/passkey/register-options", registration_options(api, user.headers))
    registered = checked("POST", "/api/auth/passkey/register-verify",
                         api.post("/api/auth/passkey/register-verify",
                                  json={"credential": device.create(options["options"])}, headers=user.headers), 201)
    checked("GET", "/api/auth/passkey/list", api.get("/api/auth/passkey/list", headers=user.headers))
    checked("PATCH", "/api/auth/passkey/{passkey_id}",
            api.patch(f"/api/auth/passkey/{registered['passkey']['id']}", json={"name": "Key"}, headers=user.headers))
    request = checked("POST", "/api/auth/passkey/auth-options", api.post("/api/auth/passkey/auth-options", json={}))
    checked("POST", "/api/auth/passkey/auth-verify",
            verify_passkey(api, request["pending_token"], device.get(request["options"])))
    checked("GET", "/api/admin/users/{user_id}/passkeys",
            api.get(f"/api/admin/users/{user.id}/passkeys", headers=admin.headers))
