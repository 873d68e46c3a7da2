"""The KeyValue contract, run on the in-process fakeredis server and on the real Redis at 127.0.0.1:6379 db 15.

Each test gets a random key prefix and removes its keys afterwards. The real server is required: when it does
not answer, the tests fail rather than skip.
"""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
import time

import pytest

from devhost.standins.processes import ROOT, free_port
from shared.adapters.kv_redis import RedisKeyValue
from shared.http.endpoint import rate_limit_headers
from shared.ports import KeyValue
from shared.settings import Settings

REAL_REDIS_URL = "redis://127.0.0.1:6379/15"


def make_store(backend: str, prefix: str) -> RedisKeyValue:
    url = REAL_REDIS_URL if backend == "redis" else ""
    return RedisKeyValue.from_settings(Settings(redis_url=url, redis_key_prefix=prefix))


async def raw_keys(kv: RedisKeyValue) -> list[bytes]:
    return [key async for key in kv._client().scan_iter(match=f"{kv.prefix}*")]


@pytest.fixture(params=["fakeredis", "redis"])
async def kv(request):
    store = make_store(request.param, f"test:{secrets.token_hex(6)}:")
    if not await store.ping():
        pytest.fail(f"the real Redis at {REAL_REDIS_URL} does not answer; start redis-server on 127.0.0.1:6379")
    yield store
    leftovers = await raw_keys(store)
    if leftovers:
        await store._client().delete(*leftovers)
    await store.close()


async def test_the_adapter_implements_the_key_value_port(kv):
    assert isinstance(kv, KeyValue)
    assert await kv.ping() is True


# -- strings --------------------------------------------------------------------------------------------------


async def test_a_missing_key_reads_as_none(kv):
    assert await kv.get("nothing-here") is None


async def test_values_written_as_text_or_bytes_read_back_as_bytes(kv):
    assert await kv.set("text", "héllo") is True
    assert await kv.set("bytes", b"\x00\xffraw") is True
    assert await kv.get("text") == "héllo".encode()
    assert await kv.get("bytes") == b"\x00\xffraw"


async def test_get_many_reads_several_keys_in_their_order_with_none_for_the_missing(kv):
    await kv.set("many-a", "1")
    await kv.set("many-c", b"3")
    assert await kv.get_many(["many-a", "many-b", "many-c", "many-a"]) == [b"1", None, b"3", b"1"]
    assert await kv.get_many([]) == []


async def test_set_overwrites_unless_only_if_absent_is_asked(kv):
    await kv.set("k", "one")
    assert await kv.set("k", "two") is True
    assert await kv.get("k") == b"two"
    assert await kv.set("k", "three", only_if_absent=True) is False
    assert await kv.get("k") == b"two"
    assert await kv.set("fresh", "first", only_if_absent=True) is True
    assert await kv.get("fresh") == b"first"


async def test_a_value_with_a_ttl_reports_it_and_disappears_when_it_runs_out(kv):
    await kv.set("short", "v", ttl_seconds=0.2)
    left = await kv.ttl("short")
    assert left is not None and 0 < left <= 0.2
    await asyncio.sleep(0.3)
    assert await kv.get("short") is None
    assert await kv.ttl("short") is None


async def test_ttl_is_none_for_missing_keys_and_keys_that_never_expire(kv):
    await kv.set("forever", "v")
    assert await kv.ttl("forever") is None
    assert await kv.ttl("missing") is None


async def test_expire_sets_a_deadline_on_an_existing_key_only(kv):
    await kv.set("k", "v")
    assert await kv.expire("k", 0.15) is True
    assert 0 < await kv.ttl("k") <= 0.15
    assert await kv.expire("missing", 5) is False
    await asyncio.sleep(0.25)
    assert await kv.get("k") is None


async def test_delete_removes_several_keys_and_counts_those_that_existed(kv):
    await kv.set("a", "1")
    await kv.set("b", "2")
    assert await kv.delete("a", "b", "never-there") == 2
    assert await kv.get("a") is None and await kv.get("b") is None
    assert await kv.delete() == 0


async def test_incr_counts_up_and_down_from_zero(kv):
    assert await kv.incr("n") == 1
    assert await kv.incr("n", 5) == 6
    assert await kv.incr("n", -2) == 4
    assert await kv.get("n") == b"4"


async def test_incr_sets_the_ttl_of_a_fresh_counter_and_keeps_the_window_it_started_with(kv):
    assert await kv.incr("window", ttl_seconds=0.3) == 1
    first = await kv.ttl("window")
    await asyncio.sleep(0.1)
    assert await kv.incr("window", ttl_seconds=0.3) == 2
    second = await kv.ttl("window")
    assert second is not None and second < first  # not pushed back by the second increment
    await asyncio.sleep(0.3)
    assert await kv.get("window") is None
    assert await kv.incr("window", ttl_seconds=0.3) == 1  # a new window starts from zero


async def test_keys_live_under_the_prefix_and_stores_with_other_prefixes_do_not_see_them(kv):
    await kv.set("shared-name", "mine")
    assert await raw_keys(kv) == [f"{kv.prefix}shared-name".encode()]
    other = RedisKeyValue(kv._client(), prefix=f"other:{secrets.token_hex(6)}:")
    assert await other.get("shared-name") is None
    await other.set("shared-name", "theirs")
    assert await kv.get("shared-name") == b"mine"
    await other.delete("shared-name")


# -- sets -----------------------------------------------------------------------------------------------------


async def test_set_add_counts_new_members_and_set_members_lists_them_as_text(kv):
    assert await kv.set_add("s", "a", "b") == 2
    assert await kv.set_add("s", "b", "c") == 1
    assert await kv.set_members("s") == {"a", "b", "c"}
    assert await kv.set_add("s") == 0
    assert await kv.set_members("missing") == set()


async def test_set_remove_counts_the_members_it_removed(kv):
    await kv.set_add("s", "a", "b", "c")
    assert await kv.set_remove("s", "a", "zzz") == 1
    assert await kv.set_members("s") == {"b", "c"}
    assert await kv.set_remove("s") == 0
    assert await kv.set_remove("s", "b", "c") == 2
    assert await kv.set_members("s") == set()


async def test_a_set_with_a_ttl_expires_as_a_whole_and_each_add_renews_it(kv):
    await kv.set_add("s", "a", ttl_seconds=0.25)
    await asyncio.sleep(0.15)
    await kv.set_add("s", "b", ttl_seconds=0.25)
    await asyncio.sleep(0.15)
    assert await kv.set_members("s") == {"a", "b"}
    assert 0 < await kv.ttl("s") <= 0.25
    await asyncio.sleep(0.2)
    assert await kv.set_members("s") == set()


# -- the sliding-window limiter ---------------------------------------------------------------------------------

WINDOW = 0.3


async def test_the_limiter_allows_limit_hits_then_refuses_with_the_time_until_a_slot_frees(kv):
    decisions = [await kv.hit_window("rl", limit=3, window_seconds=WINDOW) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0, 0]
    assert all(d.limit == 3 for d in decisions)
    assert all(0 < d.reset_seconds <= WINDOW for d in decisions)
    assert decisions[4].reset_seconds <= decisions[3].reset_seconds  # counts down to the first hit's departure


async def test_refused_hits_are_not_recorded_so_the_window_reopens_after_it_passes(kv):
    for _ in range(2):
        assert (await kv.hit_window("rl", limit=2, window_seconds=WINDOW)).allowed
    refused = await kv.hit_window("rl", limit=2, window_seconds=WINDOW)
    assert not refused.allowed
    await asyncio.sleep(refused.reset_seconds + 0.05)
    reopened = await kv.hit_window("rl", limit=2, window_seconds=WINDOW)
    assert reopened.allowed and reopened.remaining == 1


async def test_the_window_slides_hit_by_hit_rather_than_resetting_all_at_once(kv):
    window = 0.6
    assert (await kv.hit_window("rl", limit=2, window_seconds=window)).allowed
    await asyncio.sleep(0.3)
    assert (await kv.hit_window("rl", limit=2, window_seconds=window)).allowed
    refused = await kv.hit_window("rl", limit=2, window_seconds=window)
    assert not refused.allowed
    assert refused.reset_seconds <= 0.3 + 0.01  # the first hit leaves first
    await asyncio.sleep(refused.reset_seconds + 0.05)
    after_first_left = await kv.hit_window("rl", limit=2, window_seconds=window)
    assert after_first_left.allowed and after_first_left.remaining == 0  # the second hit still counts
    assert not (await kv.hit_window("rl", limit=2, window_seconds=window)).allowed


async def test_the_limiter_is_exact_under_fifty_concurrent_hits_from_two_workers(kv):
    second_worker = RedisKeyValue(prefix=kv.prefix, factory=kv._factory)  # same server, its own connections
    hits = [store.hit_window("burst", limit=20, window_seconds=5) for store in [kv, second_worker] * 25]
    decisions = await asyncio.gather(*hits)
    allowed = [d for d in decisions if d.allowed]
    assert len(allowed) == 20
    assert sorted(d.remaining for d in allowed) == list(range(20))
    assert all(d.remaining == 0 for d in decisions if not d.allowed)
    assert (await kv.peek_window("burst", limit=20, window_seconds=5)).remaining == 0
    await second_worker.close()


async def test_a_burst_larger_than_the_connection_pool_waits_for_connections_instead_of_failing(kv):
    decisions = await asyncio.gather(*(kv.hit_window("burst", limit=150, window_seconds=5) for _ in range(200)))
    assert sum(d.allowed for d in decisions) == 150
    values = await asyncio.gather(*(kv.incr("counter") for _ in range(200)))
    assert sorted(values) == list(range(1, 201))


async def test_a_hit_with_a_cost_takes_several_slots_and_is_refused_whole_when_they_do_not_fit(kv):
    first = await kv.hit_window("rl", limit=5, window_seconds=WINDOW, cost=3)
    assert first.allowed and first.remaining == 2
    too_big = await kv.hit_window("rl", limit=5, window_seconds=WINDOW, cost=3)
    assert not too_big.allowed and too_big.remaining == 2
    fits = await kv.hit_window("rl", limit=5, window_seconds=WINDOW, cost=2)
    assert fits.allowed and fits.remaining == 0


async def test_a_cost_above_the_limit_is_always_refused_for_a_whole_window(kv):
    decision = await kv.hit_window("rl", limit=2, window_seconds=WINDOW, cost=3)
    assert not decision.allowed
    assert decision.reset_seconds == pytest.approx(WINDOW)
    assert (await kv.peek_window("rl", limit=2, window_seconds=WINDOW)).remaining == 2


async def test_peek_reports_the_window_without_recording_a_hit(kv):
    empty = await kv.peek_window("rl", limit=2, window_seconds=WINDOW)
    assert empty.allowed and empty.remaining == 2 and empty.reset_seconds == 0
    await kv.hit_window("rl", limit=2, window_seconds=WINDOW)
    for _ in range(3):
        peek = await kv.peek_window("rl", limit=2, window_seconds=WINDOW)
        assert peek.allowed and peek.remaining == 1 and 0 < peek.reset_seconds <= WINDOW
    await kv.hit_window("rl", limit=2, window_seconds=WINDOW)
    full = await kv.peek_window("rl", limit=2, window_seconds=WINDOW)
    assert not full.allowed and full.remaining == 0


async def test_the_window_key_expires_once_the_window_has_passed(kv):
    await kv.hit_window("rl", limit=2, window_seconds=WINDOW)
    assert 0 < await kv.ttl("rl") <= WINDOW
    await asyncio.sleep(WINDOW + 0.1)
    assert await raw_keys(kv) == []


async def test_limiter_decisions_become_rate_limit_headers(kv):
    allowed = await kv.hit_window("rl", limit=2, window_seconds=2)
    headers = rate_limit_headers(allowed)
    assert headers["X-RateLimit-Limit"] == "2"
    assert headers["X-RateLimit-Remaining"] == "1"
    assert headers["X-RateLimit-Reset"] == "2"  # 1.99x seconds rounds up to whole seconds
    await kv.hit_window("rl", limit=2, window_seconds=2)
    refused = await kv.hit_window("rl", limit=2, window_seconds=2)
    assert rate_limit_headers(refused) == {"X-RateLimit-Limit": "2", "X-RateLimit-Remaining": "0",
                                           "X-RateLimit-Reset": "2"}


async def test_the_limiter_refuses_nonsensical_arguments(kv):
    with pytest.raises(ValueError):
        await kv.hit_window("rl", limit=0, window_seconds=1)
    with pytest.raises(ValueError):
        await kv.hit_window("rl", limit=1, window_seconds=0)
    with pytest.raises(ValueError):
        await kv.hit_window("rl", limit=1, window_seconds=1, cost=0)


# -- outside the parametrized contract --------------------------------------------------------------------------


async def test_ping_is_false_when_the_server_does_not_answer():
    store = RedisKeyValue.from_settings(Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    started = time.monotonic()
    assert await store.ping() is False
    assert time.monotonic() - started < 5
    await store.close()


def test_the_embedded_store_keeps_its_data_across_event_loops():
    store = make_store("fakeredis", "loops:")

    async def write():
        await store.set("k", "v")

    async def read():
        return await store.get("k")

    asyncio.run(write())
    assert asyncio.run(read()) == b"v"


def test_importing_the_adapter_loads_neither_redis_nor_fakeredis():
    code = ("import sys, shared.adapters.kv_redis; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('redis', 'fakeredis')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
