"""Direct-message benchmark: send-to-receive latency, and the conversation list at 10 and 1,000 conversations.

On one dev host (embedded stack), in one run:
- **send to receive**: POST /api/messages/private by one user until `new_private_message` arrives on the
  recipient's socket. Baseline: the same user's cheapest authenticated read (GET /api/messages/private-settings,
  one point read) plus a bare server send to the recipient's user group until it arrives, i.e. an HTTP round
  trip and a hub delivery with no DM logic between them.
- **the conversation list**: GET /api/messages/private/conversations?limit=10 (pages of one size) for a user
  with 10 conversations and for one with 1,000 (their per-side summaries seeded through the store, the
  partners' accounts absent), each against the same baseline read, with the store calls of one list call
  counted: the list reads the caller's summaries, never the messages, so its cost must not grow with the number
  of conversations.

    python -m bench.dm [--sends 200] [--lists 100] [--tiny]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench import percentile


def row(name: str, values: list[float]) -> str:
    return (f"{name:>34} {percentile(values, 0.5) * 1000:>8.2f} {percentile(values, 0.99) * 1000:>8.2f} "
            f"{statistics.mean(values) * 1000:>8.2f}")


async def seed(user_id: str, count: int) -> None:
    from shared import clock
    from shared.domain.dm.containers import conversation_id
    from shared.domain.dm.documents import conversation_docs

    async def one(n: int) -> None:
        other = uuid.uuid4().hex
        conv = conversation_id(user_id, other)
        at = clock.later_iso(seconds=-n)
        await conversation_docs.create({
            "id": conv, "pk": user_id, "conversation_id": conv, "user_id": user_id, "other_user_id": other,
            "started_by": other, "created_at": at, "last_activity": at,
            "last_message": {"id": f"{conv}_m0000000001", "seq": 1, "author_id": other, "preview": f"hello {n}",
                             "has_gif": False, "state": "visible", "created_at": at},
            "unread_count": 1, "read_seq": 0, "read_at": None, "partner_read_seq": 0, "muted_until": None,
            "hidden": False})

    for start in range(0, count, 50):
        await asyncio.gather(*(one(n) for n in range(start, min(count, start + 50))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=200, help="DMs (and baseline round trips) to time")
    parser.add_argument("--lists", type=int, default=100, help="list calls (and baseline reads) per size")
    parser.add_argument("--tiny", action="store_true", help="5 of each (the test suite's run)")
    args = parser.parse_args()
    sends, lists = (5, 5) if args.tiny else (args.sends, args.lists)

    from shared import wiring
    from tests.support.call_signalling import PumpedSocket
    from tests.support.counting import count_store_calls
    from tests.support.devhost import DevHostHandle
    from tests.support.realtime import connect, negotiate
    from tests.support.users import signup

    work = Path(tempfile.mkdtemp(prefix="bench-dm-"))
    host = DevHostHandle(work / "data", {"APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost",
                                         "MAIL_BACKEND": "outbox"}).start()
    try:
        alice, bob, small, large = signup(host), signup(host), signup(host), signup(host)
        api = host.api

        def forget_limits() -> None:
            keys = [f"rl:{rule}:user:{alice.id}" for rule in ("dm_send", "dm_write")]
            host.run(lambda: wiring.kv().delete(*keys))

        async def latency() -> tuple[list[float], list[float]]:
            b = PumpedSocket(await connect((await asyncio.to_thread(negotiate, api, bob))["url"]))
            relayed, bare = [], []
            for n in range(sends):
                if n % 50 == 0:
                    await asyncio.to_thread(forget_limits)
                started = time.perf_counter()
                response = await asyncio.to_thread(api.post, "/api/messages/private",
                                                   json={"to_user_id": bob.id, "content": f"dm {n}"},
                                                   headers=alice.headers)
                assert response.status_code == 201, response.text
                while (await b.app_events.get())["type"] != "new_private_message":
                    pass
                relayed.append(time.perf_counter() - started)
                started = time.perf_counter()
                response = await asyncio.to_thread(api.get, "/api/messages/private-settings", headers=alice.headers)
                assert response.status_code == 200, response.text
                await asyncio.to_thread(host.run, lambda n=n: wiring.realtime().send_to_user(
                    bob.id, {"type": "bare", "data": {"n": n}}))
                while (await b.app_events.get())["type"] != "bare":
                    pass
                bare.append(time.perf_counter() - started)
            await b.close()
            await b.client.close()
            return relayed, bare

        relayed, bare = asyncio.run(latency())

        host.run(lambda: seed(small.id, 10))
        host.run(lambda: seed(large.id, 1000))

        def timed(user, path: str, params: dict | None = None) -> list[float]:
            values = []
            for _ in range(lists):
                started = time.perf_counter()
                response = api.get(path, params=params, headers=user.headers)
                assert response.status_code == 200, response.text
                values.append(time.perf_counter() - started)
            return values

        listing = {}
        for name, user in (("10", small), ("1000", large)):
            with count_store_calls(host) as calls:
                page = api.get("/api/messages/private/conversations", params={"limit": 10}, headers=user.headers)
            assert len(page.json()["data"]["items"]) == 10
            listing[name] = (timed(user, "/api/messages/private/conversations", {"limit": 10}),
                             timed(user, "/api/messages/private-settings"), calls.total)
    finally:
        host.stop()

    print(f"bench.dm run {uuid.uuid4().hex[:6]}: {sends} DMs, {lists} list calls per size, embedded stack")
    print(f"{'':>34} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    print(row("DM send to receive", relayed))
    print(row("baseline: GET + bare hub send", bare))
    print(f"{'send p50 ratio':>34} {percentile(relayed, 0.5) / percentile(bare, 0.5):>8.2f}")
    print(f"{'send p99 ratio':>34} {percentile(relayed, 0.99) / percentile(bare, 0.99):>8.2f}")
    for name, (values, baseline, calls) in listing.items():
        print(row(f"list at {name} conversations", values))
        print(row(f"baseline GET at {name}", baseline))
        print(f"{f'list p50 ratio at {name}':>34} {percentile(values, 0.5) / percentile(baseline, 0.5):>8.2f}")
        print(f"{f'store calls at {name}':>34} {calls:>8}")
    (v10, _, c10), (v1000, _, c1000) = listing["10"], listing["1000"]
    print(f"{'list p50 ratio 1000 / 10':>34} {percentile(v1000, 0.5) / percentile(v10, 0.5):>8.2f}")
    print(f"{'store calls 1000 / 10':>34} {c1000:>4} / {c10}")


if __name__ == "__main__":
    main()
