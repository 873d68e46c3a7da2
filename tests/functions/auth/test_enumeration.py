"""Whether an account exists must not show in answers: register, login, forgot-password and resend-verification
answer alike (status and body) for existing and unknown accounts, and a login for an unknown account does the same
password-hashing work as one for a real account (counted argon2 verifications, not wall time)."""

from shared.domain.accounts import passwords
from tests.support.users import login, mails_to, new_password, new_username, register, signup


def comparable(response) -> tuple[int, dict]:
    body = response.json()
    return response.status_code, body


def test_registering_a_taken_address_answers_exactly_like_a_new_one(host, api):
    existing = signup(host)
    taken = register(host, new_username(), existing.email, new_password())
    fresh_name = new_username()
    fresh = register(host, fresh_name, f"{fresh_name}@example.com", new_password())
    assert comparable(taken) == comparable(fresh) and taken.status_code == 201
    # the owner of the taken address learns of it by mail, nobody else does
    assert mails_to(host, existing.email)[0]["subject"] == "Someone tried to sign up with your address"


def test_registering_an_address_with_a_pending_sign_up_answers_like_a_new_one(host, api):
    pending_name = new_username()
    pending_email = f"{pending_name}@example.com"
    register(host, pending_name, pending_email, new_password())
    again = register(host, new_username(), pending_email, new_password())
    other = new_username()
    fresh = register(host, other, f"{other}@example.com", new_password())
    assert comparable(again) == comparable(fresh)


def test_login_answers_alike_for_a_wrong_password_and_an_unknown_account(host, api):
    user = signup(host)
    wrong_password = login(host, user.username, "not-the-password")
    unknown_name = login(host, new_username(), "not-the-password")
    unknown_email = login(host, f"{new_username()}@example.com", "not-the-password")
    assert comparable(wrong_password) == comparable(unknown_name) == comparable(unknown_email)
    assert wrong_password.status_code == 401
    assert wrong_password.json()["error"]["code"] == "invalid_credentials"


def test_login_for_an_unknown_account_costs_the_same_hashing_work(host, api):
    user = signup(host)

    def verifications_for(identifier: str) -> int:
        before = host.run(_count)
        assert login(host, identifier, "not-the-password").status_code == 401
        return host.run(_count) - before

    assert verifications_for(user.username) == 1
    assert verifications_for(new_username()) == 1
    assert verifications_for(f"{new_username()}@example.com") == 1


async def _count() -> int:
    return passwords.verify_calls()


def test_forgot_password_answers_alike_for_existing_and_unknown_addresses(host, api):
    user = signup(host)
    known = api.post("/api/auth/forgot-password", json={"email": user.email})
    unknown_email = f"{new_username()}@example.com"
    unknown = api.post("/api/auth/forgot-password", json={"email": unknown_email})
    assert comparable(known) == comparable(unknown) and known.status_code == 202
    assert "Your reset token:" in mails_to(host, user.email)[0]["text"]
    assert "no account uses it" in mails_to(host, unknown_email)[0]["text"]


def test_resend_verification_answers_alike_for_pending_verified_and_unknown_addresses(host, api):
    verified = signup(host)
    pending_name = new_username()
    pending_email = f"{pending_name}@example.com"
    register(host, pending_name, pending_email, new_password())
    answers = [comparable(api.post("/api/auth/resend-verification", json={"email": email}))
               for email in (pending_email, verified.email, f"{new_username()}@example.com")]
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 202


def test_verify_email_answers_alike_for_an_unknown_address_and_a_wrong_code(host, api):
    pending_name = new_username()
    pending_email = f"{pending_name}@example.com"
    register(host, pending_name, pending_email, new_password())
    wrong = api.post("/api/auth/verify-email", json={"email": pending_email, "code": "000000"})
    unknown = api.post("/api/auth/verify-email", json={"email": f"{new_username()}@example.com", "code": "000000"})
    assert comparable(wrong) == comparable(unknown) and wrong.status_code == 422


# ---------------------------------------------------------------------------------------------------------
# accounts without a password


def test_a_password_login_for_a_passwordless_account_answers_and_works_like_a_wrong_password(host, api):
    from tests.support.passkey_authenticator import SoftAuthenticator
    from tests.support.passkeys import passwordless_signup

    user = signup(host)
    member = passwordless_signup(host, SoftAuthenticator())
    before = host.run(_count)
    no_password = login(host, member.username, "not-the-password")
    assert host.run(_count) - before == 1
    assert comparable(no_password) == comparable(login(host, user.username, "not-the-password")) \
        == comparable(login(host, new_username(), "not-the-password"))


def test_the_passwordless_login_answers_and_works_alike_for_every_kind_of_identifier(host, api):
    from shared.domain.accounts import passwordless
    from tests.support import authenticator
    from tests.support.passkey_authenticator import SoftAuthenticator
    from tests.support.passkeys import passwordless_signup

    with_app = passwordless_signup(host, totp=True)
    with_passkey = passwordless_signup(host, SoftAuthenticator())
    with_password = signup(host)
    setup = api.post("/api/auth/2fa/setup", json={"password": with_password.password}, headers=with_password.headers)
    secret = setup.json()["data"]["secret"]
    api.post("/api/auth/2fa/confirm", json={"code": authenticator.code(secret)}, headers=with_password.headers)
    right_for_app = authenticator.code(with_app.totp_secret, steps_ahead=1)
    wrong = "000000" if right_for_app != "000000" else "111111"

    async def checks() -> int:
        return passwordless.totp_checks()

    answers = []
    for identifier, code in ((with_app.username, wrong), (with_passkey.username, "123456"),
                             (with_password.username, authenticator.code(secret, steps_ahead=1)),
                             (new_username(), "123456"), (f"{new_username()}@example.com", "123456")):
        before = host.run(checks)
        answers.append(comparable(api.post("/api/auth/login-passwordless",
                                           json={"identifier": identifier, "code": code})))
        assert host.run(checks) - before == 1, identifier
    assert all(a == answers[0] for a in answers) and answers[0][0] == 401
    assert answers[0][1]["error"]["code"] == "invalid_credentials"


def test_passwordless_sign_up_answers_alike_for_a_taken_and_a_new_address(host, api):
    existing = signup(host)
    taken = api.post("/api/auth/register-passwordless", json={"username": new_username(), "email": existing.email})
    fresh_name = new_username()
    fresh = api.post("/api/auth/register-passwordless",
                     json={"username": fresh_name, "email": f"{fresh_name}@example.com"})
    assert comparable(taken) == comparable(fresh) and taken.status_code == 201
    assert comparable(fresh) == comparable(register(host, new_username(), f"{new_username()}@example.com",
                                                    new_password()))
    assert mails_to(host, existing.email)[0]["subject"] == "Someone tried to sign up with your address"


def test_forgot_password_answers_alike_for_a_passwordless_account_and_mails_it_no_reset_link(host, api):
    from tests.support.passkey_authenticator import SoftAuthenticator
    from tests.support.passkeys import passwordless_signup

    member = passwordless_signup(host, SoftAuthenticator())
    user = signup(host)
    answers = [api.post("/api/auth/forgot-password", json={"email": e}) for e in (member.email, user.email)]
    assert comparable(answers[0]) == comparable(answers[1])
    note = mails_to(host, member.email)[0]
    assert "Your reset token:" not in note["text"] and "backup code" in note["text"]


def test_a_sign_up_with_a_taken_address_leaves_nothing_that_tells_it_from_a_new_one(host, api):
    """Two sign-ups with fresh usernames, one with a fresh address and one with a taken one: their answers, the
    work they cost, what their usernames answer afterwards (taken, and a login with them) and the mail sent are
    the same, and the purge frees both usernames alike."""
    from shared.domain.accounts import store
    from tests.support.counting import count_store_calls

    existing = signup(host)
    password = new_password()
    fresh_name, taken_name = new_username(), new_username()
    fresh_email = f"{fresh_name}@example.com"
    mails_before = len(mails_to(host, existing.email))
    answers, account_writes = [], []
    for name, email in ((fresh_name, fresh_email), (taken_name, existing.email)):
        with count_store_calls(host) as calls:
            answers.append(comparable(register(host, name, email, password)))
        account_writes.append(sorted(entry for entry in calls.log if entry[1] in ("users", "credentials")
                                     and entry[0] in ("create", "upsert", "replace", "patch", "delete")))
    assert answers[0] == answers[1] and answers[0][0] == 201
    assert account_writes[0] == account_writes[1] == [("create", "credentials"), ("create", "users")]

    # the username is held in both cases, and says the same to whoever tries it
    again = [register(host, name, f"{new_username()}@example.com", new_password()) for name in (fresh_name, taken_name)]
    assert comparable(again[0]) == comparable(again[1]) and again[0].status_code == 409
    logins = [login(host, name, password) for name in (fresh_name, taken_name)]
    assert comparable(logins[0]) == comparable(logins[1])
    assert logins[0].status_code == 403 and logins[0].json()["error"]["code"] == "email_not_verified"

    # one mail to each address: a code to the new one, a note to the owner of the taken one
    assert len(mails_to(host, fresh_email)) == 1
    assert len(mails_to(host, existing.email)) == mails_before + 1
    assert mails_to(host, existing.email)[0]["subject"] == "Someone tried to sign up with your address"

    # a day later the purge frees both usernames, and the taken address still belongs to its owner
    for name in (fresh_name, taken_name):
        user_id = host.run(lambda name=name: store.lookup("username", name.lower()))
        host.run(lambda user_id=user_id: store.patch_user(user_id, {"created_at": "2020-01-01T00:00:00.000Z"}))
    host.run_timer("accounts_purge_unverified_signups")
    freed = [register(host, name, f"{new_username()}@example.com", new_password()) for name in (fresh_name, taken_name)]
    assert [r.status_code for r in freed] == [201, 201]
    assert login(host, existing.email, existing.password).status_code == 200
