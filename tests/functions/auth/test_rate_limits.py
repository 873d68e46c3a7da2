"""Rate limits: per IP on the route, per account on failed logins, and nothing a client says about its own address
buys it extra attempts. (Old system: limits keyed on a client-supplied X-Forwarded-For; inventory §4.6, §9.1.4.)"""

from functions.auth import rate_rules
from shared.domain.accounts import limits
from tests.support.users import forget_ip_limits, login, new_password, ok, signup

RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def test_the_login_route_answers_429_with_rate_limit_headers_after_its_per_ip_limit(host, api):
    user = signup(host)
    forget_ip_limits(host)
    first = login(host, user.username, user.password)
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == str(rate_rules.LOGIN.limit)
    assert int(first.headers["X-RateLimit-Remaining"]) == rate_rules.LOGIN.limit - 1
    for _ in range(rate_rules.LOGIN.limit - 1):
        assert login(host, user.username, user.password).status_code == 200
    refused = login(host, user.username, user.password)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert all(h in refused.headers for h in RATE_HEADERS)
    assert 0 < int(refused.headers["Retry-After"]) <= rate_rules.LOGIN.window_seconds


def test_spoofing_x_forwarded_for_gives_no_extra_attempts_without_a_trusted_proxy(host, api):
    forget_ip_limits(host)
    body = {"email": "someone@example.com"}
    for i in range(rate_rules.FORGOT_PASSWORD.limit):
        spoofed = {"X-Forwarded-For": f"198.51.100.{i}", "X-Real-IP": f"198.51.100.{i}"}
        assert api.post("/api/auth/forgot-password", json=body, headers=spoofed).status_code == 202
    for fake in ("203.0.113.7", "10.0.0.1, 203.0.113.8", "::1"):
        refused = api.post("/api/auth/forgot-password", json=body, headers={"X-Forwarded-For": fake})
        assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_failed_logins_for_one_account_are_throttled_from_any_address(host, api):
    user = signup(host)
    for i in range(limits.LOGIN_FAILURES_UNTRUSTED.limit):
        wrong = login(host, user.username, "not-the-password", headers={"X-Forwarded-For": f"192.0.2.{i}"})
        assert wrong.status_code == 401
    forget_ip_limits(host)  # a botnet: every request from a fresh address
    refused = login(host, user.username, "not-the-password", headers={"X-Forwarded-For": "192.0.2.200"})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) > 0 and refused.headers["X-RateLimit-Remaining"] == "0"
    # the right password from an unknown client is refused too: the budget guards the account, not the guess
    assert login(host, user.username, user.password).status_code == 429
    assert limits.LOGIN_FAILURES_UNTRUSTED.limit * 3600 // limits.LOGIN_FAILURES_UNTRUSTED.window_seconds < 100


def test_an_attacker_burning_the_budget_cannot_lock_the_owner_out_of_a_known_device(host, api):
    user = signup(host)
    device = ok(login(host, user.username, user.password))["device_token"]
    assert device
    for _ in range(limits.LOGIN_FAILURES_UNTRUSTED.limit + 2):
        login(host, user.username, "attacker-guess-1")
    assert login(host, user.username, user.password).status_code == 429  # unknown clients are locked out...
    owner = login(host, user.username, user.password, headers={"X-Device-Token": device})
    assert owner.status_code == 200 and owner.json()["data"]["token"]  # ...the owner's device is not
    # a device token is bound to its account: it gives no budget for another one
    other = signup(host)
    for _ in range(limits.LOGIN_FAILURES_UNTRUSTED.limit):
        login(host, other.username, "attacker-guess-2")
    assert login(host, other.username, other.password, headers={"X-Device-Token": device}).status_code == 429


def test_a_device_that_guesses_wrong_too_often_is_throttled_on_its_own(host, api):
    user = signup(host)
    device = ok(login(host, user.username, user.password))["device_token"]
    headers = {"X-Device-Token": device}
    for _ in range(limits.LOGIN_FAILURES_PER_DEVICE.limit):
        assert login(host, user.username, "fat-fingered", headers=headers).status_code == 401
    assert login(host, user.username, user.password, headers=headers).status_code == 429
    assert login(host, user.username, user.password).status_code == 200  # the shared budget is untouched


def test_unknown_accounts_are_throttled_exactly_like_real_ones(host, api):
    name = "nobody_" + new_password()[3:11]
    answers = [login(host, name, "some-guess-here").status_code
               for _ in range(limits.LOGIN_FAILURES_UNTRUSTED.limit + 1)]
    assert answers == [401] * limits.LOGIN_FAILURES_UNTRUSTED.limit + [429]
