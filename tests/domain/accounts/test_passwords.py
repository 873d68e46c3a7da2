import re

from shared.domain.accounts import passwords


async def test_passwords_are_hashed_with_argon2id_at_or_above_the_asvs_minimum():
    stored = await passwords.hash_password("sunflower-ladder-92")
    found = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$", stored)
    assert found, stored
    memory, time_cost, parallelism = map(int, found.groups())
    assert (memory, time_cost, parallelism) >= (19456, 2, 1) and parallelism == 1
    assert "sunflower" not in stored


async def test_verification_accepts_the_password_exactly_as_typed():
    stored = await passwords.hash_password("Sunflower-Ladder-92")
    assert await passwords.verify_password(stored, "Sunflower-Ladder-92")
    assert not await passwords.verify_password(stored, "sunflower-ladder-92")
    assert not await passwords.verify_password(stored, "Sunflower-Ladder-92 ")


async def test_an_unknown_account_costs_one_argon2_verify_like_a_real_one():
    stored = await passwords.hash_password("sunflower-ladder-92")
    before = passwords.verify_calls()
    assert not await passwords.verify_password(None, "sunflower-ladder-92")
    assert passwords.verify_calls() == before + 1
    assert not await passwords.verify_password(stored, "wrong-password-here")
    assert passwords.verify_calls() == before + 2


def test_hashes_made_with_weaker_parameters_are_flagged_for_rehash():
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("sunflower-ladder-92")
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hasher().hash("sunflower-ladder-92"))
    assert passwords.needs_rehash("not a hash")


def test_the_policy_refuses_short_common_and_self_derived_passwords():
    assert passwords.password_problem("short1!") is not None
    assert passwords.password_problem("password1") is not None
    assert passwords.password_problem("qwertyuiop") is not None
    assert passwords.password_problem("aaaaaaaaaaaa") is not None
    assert passwords.password_problem("alice_wonder", user_inputs=["alice_wonder", "a@example.com"]) is not None
    assert passwords.password_problem("x" * 257) is not None


def test_the_policy_has_no_composition_rules_and_takes_long_passphrases():
    assert passwords.password_problem("sunflower ladder ninety") is None  # no digits, no capitals, no symbols
    assert passwords.password_problem("correct horse battery staple " * 8) is None  # 232 characters
    assert passwords.password_problem("é" * 3 + "ünïcödé-pässphrase") is None
