import pytest

from shared import errors, wiring
from shared.domain.accounts import blocks, erasure, login, registration, store, views
from shared.domain.accounts.models import LoginBody, RegisterBody
from shared.domain.identity import Principal
from tests.domain.accounts.test_registration_and_login import PASSWORD, activated

CLIENT = login.Client(ip="203.0.113.9")


def principal_for(outcome) -> Principal:
    s = outcome.session
    return Principal(user_id=s.user_id, username=s.username, is_admin=s.is_admin, sid=s.sid,
                     token_hash=s.token_hash, csrf=s.csrf)


@pytest.fixture
def erasers():
    saved = erasure.registered_erasers()
    yield
    erasure._erasers.clear()
    erasure._erasers.update(saved)


async def test_erasure_runs_every_registered_eraser_then_removes_everything_of_the_account(stack, erasers):
    alice = await activated(stack)
    bob = await activated(stack, "bob", "bob@example.com")
    outcome = await login.check_login(LoginBody(identifier="alice", password=PASSWORD), CLIENT)
    alice_p = principal_for(outcome)
    bob_p = principal_for(await login.check_login(LoginBody(identifier="bob", password=PASSWORD), CLIENT))
    await blocks.check_block(alice_p, bob)
    await blocks.check_block(bob_p, alice)
    await wiring.blobs().put(views.IMAGES_CONTAINER, f"{alice}/avatar/x", b"\x89PNG\r\n\x1a\n",
                             content_type="image/png")
    seen = []

    async def record(user_id: str) -> None:
        seen.append(user_id)

    erasure.register_eraser("test.recorder", record)
    ran = await erasure.do_erase_account(alice)

    assert "test.recorder" in ran and seen == [alice]
    assert await store.get_user(alice) is None and await store.get_credentials(alice) is None
    assert await store.lookup("username", "alice") is None and await store.lookup("email", "alice@example.com") is None
    assert await wiring.sessions().resolve(outcome.token) is None
    assert not await blocks.is_blocked(bob, alice) and not await blocks.is_blocked(alice, bob)
    assert await wiring.blobs().list(views.IMAGES_CONTAINER, prefix=f"{alice}/") == []
    assert (await store.get_user(bob))["status"] == "active"
    # the address and the username can be used again
    await registration.check_register(RegisterBody(username="alice", email="alice@example.com", password=PASSWORD))


async def test_a_failing_eraser_keeps_the_account_so_the_retried_job_can_finish(stack, erasers):
    alice = await activated(stack)
    calls = {"n": 0}

    async def flaky(user_id: str) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("storage hiccup")

    erasure.register_eraser("test.flaky", flaky)
    with pytest.raises(RuntimeError):
        await erasure.do_erase_account(alice)
    assert await store.get_user(alice) is not None
    await erasure.do_erase_account(alice)
    assert await store.get_user(alice) is None
    await erasure.do_erase_account(alice)  # a redelivered message finds nothing left and succeeds


async def test_the_erasure_job_is_queued_once_per_account(stack):
    await erasure.enqueue_erasure("u1")
    await erasure.enqueue_erasure("u1")
    assert [body for _, body in stack.queued(erasure.ERASURE_QUEUE)] == [{"user_id": "u1"}]


async def test_blocking_yourself_or_an_unknown_user_is_refused(stack):
    alice = await activated(stack)
    p = principal_for(await login.check_login(LoginBody(identifier="alice", password=PASSWORD), CLIENT))
    with pytest.raises(errors.ValidationFailed):
        await blocks.check_block(p, alice)
    with pytest.raises(errors.NotFound):
        await blocks.check_block(p, "0" * 32)
