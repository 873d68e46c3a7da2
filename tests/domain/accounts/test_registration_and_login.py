import asyncio
import re

import pytest

from shared import errors, wiring
from shared.domain.accounts import login, passwords, registration, store
from shared.domain.accounts.models import LoginBody, RegisterBody, VerifyEmailBody

PASSWORD = "sunflower-ladder-92"
CLIENT = login.Client(ip="203.0.113.9", user_agent="pytest")


def body(username="alice", email="alice@example.com", password=PASSWORD, **extra):
    return RegisterBody(username=username, email=email, password=password, **extra)


async def code_for(stack, email: str) -> str:
    for mail in await stack.mails_to(email):
        found = re.search(r"^Your code: (\d{6})\s*$", mail["text"], re.M)
        if found:
            return found.group(1)
    raise AssertionError("no code mailed")


async def test_sign_up_writes_profile_credentials_and_lookups_and_queues_the_code(stack):
    await registration.check_register(body())
    user_id = await store.lookup("username", "alice")
    assert user_id and await store.lookup("email", "alice@example.com") == user_id
    user, credentials = await store.get_user(user_id), await store.get_credentials(user_id)
    assert user["status"] == "pending" and "email" not in user and "password_hash" not in user
    assert credentials["password_hash"].startswith("$argon2id$") and PASSWORD not in str(credentials)
    mails = await stack.mails_to("alice@example.com")
    assert len(mails) == 1 and "Your code: " in mails[0]["text"] and mails[0]["html"].startswith("<!doctype html>")


async def test_verifying_the_mailed_code_activates_the_account(stack):
    await registration.check_register(body())
    code = await code_for(stack, "alice@example.com")
    await registration.check_verify_email(VerifyEmailBody(email="alice@example.com", code=code))
    user_id = await store.lookup("username", "alice")
    assert (await store.get_user(user_id))["status"] == "active"
    assert (await store.get_credentials(user_id))["email_verified"] is True
    with pytest.raises(errors.ValidationFailed):  # used up
        await registration.check_verify_email(VerifyEmailBody(email="alice@example.com", code=code))


async def test_a_taken_username_is_a_conflict_but_a_taken_email_answers_like_a_new_one(stack):
    first = await registration.check_register(body())
    with pytest.raises(errors.Conflict) as taken:
        await registration.check_register(body(email="other@example.com"))
    assert taken.value.code == "username_taken"
    again = await registration.check_register(body(username="bob"))
    assert again == first
    # held like any pending sign-up's (releasing it would tell that the address was taken), with no address
    bob = await store.lookup("username", "bob")
    assert bob is not None and (await store.get_user(bob))["status"] == "pending"
    assert (await store.get_credentials(bob))["email"] is None
    assert await store.lookup("email", "alice@example.com") != bob
    mails = await stack.mails_to("alice@example.com")
    assert mails[0]["subject"] == "Your sign-up is waiting for confirmation"


async def test_the_purge_frees_the_username_of_a_sign_up_whose_address_was_taken(stack):
    await registration.check_register(body())
    await registration.check_register(body(username="bob"))
    owner = await store.lookup("email", "alice@example.com")
    bob = await store.lookup("username", "bob")
    await store.patch_user(bob, {"created_at": "2020-01-01T00:00:00.000Z"})
    assert await registration.purge_stale_registrations() == 1
    assert await store.lookup("username", "bob") is None
    assert await store.lookup("email", "alice@example.com") == owner  # the address stays its owner's


async def test_concurrent_sign_ups_for_one_username_have_exactly_one_winner(stack):
    results = await asyncio.gather(*(registration.check_register(body(email=f"a{i}@example.com"))
                                     for i in range(8)), return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, errors.Conflict) for r in results if isinstance(r, Exception))


async def test_a_stale_unverified_sign_up_gives_way_to_a_new_one(stack):
    await registration.check_register(body())
    stale_id = await store.lookup("username", "alice")
    await store.patch_user(stale_id, {"created_at": "2020-01-01T00:00:00.000Z"})
    await registration.check_register(body(username="alice2"))
    fresh_id = await store.lookup("email", "alice@example.com")
    assert fresh_id != stale_id and await store.get_user(stale_id) is None
    assert await store.lookup("username", "alice") is None


async def test_the_daily_purge_removes_sign_ups_left_unverified(stack):
    await registration.check_register(body())
    await registration.check_register(body(username="bob", email="bob@example.com"))
    stale_id = await store.lookup("username", "alice")
    await store.patch_user(stale_id, {"created_at": "2020-01-01T00:00:00.000Z"})
    assert await registration.purge_stale_registrations() == 1
    assert await store.get_user(stale_id) is None and await store.get_credentials(stale_id) is None
    assert await store.lookup("email", "alice@example.com") is None
    assert await store.lookup("username", "bob") is not None


async def activated(stack, username="alice", email="alice@example.com"):
    await registration.check_register(body(username=username, email=email))
    await registration.check_verify_email(VerifyEmailBody(email=email, code=await code_for(stack, email)))
    return await store.lookup("username", username)


async def test_login_by_username_or_email_starts_a_fresh_session_each_time(stack):
    user_id = await activated(stack)
    first = await login.check_login(LoginBody(identifier="ALICE", password=PASSWORD, token=True), CLIENT)
    second = await login.check_login(LoginBody(identifier="Alice@Example.com", password=PASSWORD), CLIENT)
    assert first.token != second.token and first.result.user.id == user_id
    resolved = await wiring.sessions().resolve(first.token)
    assert resolved.user_id == user_id and resolved.ip == CLIENT.ip


async def test_login_for_an_unknown_account_fails_like_a_wrong_password_after_the_same_work(stack):
    await activated(stack)
    outcomes = []
    for identifier, password in (("alice", "wrong-password-1"), ("nobody", "wrong-password-1")):
        before = passwords.verify_calls()
        with pytest.raises(errors.Unauthorized) as failed:
            await login.check_login(LoginBody(identifier=identifier, password=password), CLIENT)
        outcomes.append((failed.value.status, failed.value.code, failed.value.message,
                         passwords.verify_calls() - before))
    assert outcomes[0] == outcomes[1] and outcomes[0][3] == 1


async def test_an_unverified_account_cannot_log_in(stack):
    await registration.check_register(body())
    with pytest.raises(errors.Forbidden) as refused:
        await login.check_login(LoginBody(identifier="alice", password=PASSWORD), CLIENT)
    assert refused.value.code == "email_not_verified"


async def test_a_weak_hash_is_upgraded_at_the_next_login(stack):
    from argon2 import PasswordHasher

    user_id = await activated(stack)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    await store.patch_credentials(user_id, {"password_hash": weak})
    await login.check_login(LoginBody(identifier="alice", password=PASSWORD), CLIENT)
    upgraded = (await store.get_credentials(user_id))["password_hash"]
    assert upgraded != weak and not passwords.needs_rehash(upgraded)
