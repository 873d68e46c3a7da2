import asyncio
import json
import time

from shared import wiring
from shared.domain.accounts import codes, totp


async def test_a_totp_code_is_accepted_once(stack):
    secret = totp.new_secret()
    code = totp.current_code(secret)
    assert await totp.verify_totp("u1", secret, code)
    assert not await totp.verify_totp("u1", secret, code)


async def test_concurrent_uses_of_one_totp_code_have_exactly_one_winner(stack):
    secret = totp.new_secret()
    code = totp.current_code(secret)
    results = await asyncio.gather(*(totp.verify_totp("u2", secret, code) for _ in range(20)))
    assert results.count(True) == 1


async def test_a_code_from_an_earlier_step_is_refused_after_a_later_one_was_used(stack):
    secret = totp.new_secret()
    now = time.time()
    previous = totp.current_code(secret, at=now - totp.STEP_SECONDS)
    assert await totp.verify_totp("u3", secret, totp.current_code(secret, at=now))
    if previous != totp.current_code(secret, at=now):
        assert not await totp.verify_totp("u3", secret, previous)


async def test_one_step_of_clock_drift_is_tolerated_but_two_are_not(stack):
    secret = totp.new_secret()
    now = time.time()
    assert await totp.verify_totp("u4", secret, totp.current_code(secret, at=now - totp.STEP_SECONDS))
    window = {totp.current_code(secret, at=now + k * totp.STEP_SECONDS) for k in (-1, 0, 1)}
    too_old = totp.current_code(secret, at=now - 2 * totp.STEP_SECONDS)
    if too_old not in window:  # two steps' codes coincide once in a million
        assert not await totp.verify_totp("u5", secret, too_old)


async def test_malformed_totp_codes_are_refused(stack):
    secret = totp.new_secret()
    for code in ("", "12345", "1234567", "abcdef", "12 456"):
        assert not await totp.verify_totp("u6", secret, code)


def test_backup_codes_are_ten_distinct_random_codes_hashed_under_a_key():
    backup = totp.new_backup_codes()
    assert len(backup) == 10 and len(set(backup)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in backup)
    hashed = totp.backup_code_hash("u1", backup[0])
    assert backup[0] not in hashed and len(hashed) == 64
    assert totp.backup_code_hash("u1", backup[0].lower().replace("-", " ")) == hashed
    assert totp.backup_code_hash("u2", backup[0]) != hashed


async def test_a_mailed_code_works_once_and_is_stored_only_as_a_keyed_hash(stack):
    code = await codes.issue_code("verify-email", "u1", ttl_seconds=60, data={"x": 1})
    raw = await wiring.kv().get("code:verify-email:u1")
    assert code not in raw.decode() and json.loads(raw)["hash"]
    assert await codes.consume_code("verify-email", "u1", code) == {"x": 1}
    assert await codes.consume_code("verify-email", "u1", code) is None


async def test_five_wrong_guesses_burn_a_code(stack):
    code = await codes.issue_code("verify-email", "u2", ttl_seconds=60)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(codes.MAX_CODE_ATTEMPTS):
        assert await codes.consume_code("verify-email", "u2", wrong) is None
    assert await codes.consume_code("verify-email", "u2", code) is None


async def test_a_new_code_replaces_the_previous_one(stack):
    first = await codes.issue_code("verify-email", "u3", ttl_seconds=60)
    second = await codes.issue_code("verify-email", "u3", ttl_seconds=60)
    if first != second:
        assert await codes.consume_code("verify-email", "u3", first) is None
    assert await codes.consume_code("verify-email", "u3", second) == {}


async def test_a_token_is_single_use_even_under_concurrency(stack):
    token = await codes.issue_token("password-reset", {"user_id": "u1"}, ttl_seconds=60)
    assert len(token) >= 43
    results = await asyncio.gather(*(codes.consume_token("password-reset", token) for _ in range(20)))
    assert sum(r is not None for r in results) == 1


async def test_only_the_newest_token_per_user_works_when_asked(stack):
    old = await codes.issue_token("password-reset", {"user_id": "u1"}, ttl_seconds=60, one_per="u1")
    new = await codes.issue_token("password-reset", {"user_id": "u1"}, ttl_seconds=60, one_per="u1")
    assert await codes.peek_token("password-reset", old) is None
    assert await codes.consume_token("password-reset", new) == {"user_id": "u1"}


async def test_tokens_expire(stack):
    token = await codes.issue_token("pending-login", {"user_id": "u1"}, ttl_seconds=0.2)
    await asyncio.sleep(0.3)
    assert await codes.consume_token("pending-login", token) is None
