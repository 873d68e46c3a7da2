"""Chat benchmark: send-to-receive latency in one room, and history pages, each against a baseline of the same run.

1. N clients (real sockets on the dev host's hub, joined through the app's `join_chat_room`) sit in one room; a
   member sends over HTTP and we time until every client holds the `new_chat_room_message` (p50 and p99 over the
   clients and rounds), and count the REST calls to the hub per event (one, whatever N). Baseline, same clients,
   same run: a bare document write plus a bare hub publish to the room's group.
2. History pages of 20 and 100 messages (GET .../messages?limit=N&before=...): latency and store calls per page.
   Baseline: the bare store query of the same N documents.

    python -m bench.chat [--clients 10,100,500] [--pages 20,100] [--rounds 5] [--tiny]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="10,100,500", help="clients in the room, comma separated")
    parser.add_argument("--pages", default="20,100", help="history page sizes, comma separated")
    parser.add_argument("--rounds", type=int, default=5, help="messages sent per size")
    parser.add_argument("--tiny", action="store_true", help="2 and 3 clients, pages of 5, 2 rounds (the test suite's)")
    args = parser.parse_args()
    if args.tiny:
        args.clients, args.pages, args.rounds = "2,3", "5", 2
    sizes = [int(n) for n in args.clients.split(",") if n.strip()]
    pages = [int(n) for n in args.pages.split(",") if n.strip()]

    from shared import clock, wiring
    from shared.domain.chat.containers import message_id
    from shared.domain.chat.message_models import MessageCreate
    from shared.domain.chat.room_messages import check_send
    from shared.ports import Query, Where
    from tests.support.communities import create_topic, ok, principal_of
    from tests.support.counting import count_store_calls
    from tests.support.devhost import DevHostHandle
    from tests.support.realtime import socket_of
    from tests.support.users import signup

    work = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    host = DevHostHandle(work / "data", {"APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost",
                                         "MAIL_BACKEND": "outbox"}).start()
    hub = host.devhost.hub
    latency_rows, history_rows = [], []
    try:
        owner = signup(host)
        topic = create_topic(host, owner)
        users = [signup(host) for _ in range(min(max(sizes), 20))]  # sockets share accounts beyond 20

        for n in sizes:
            room = ok(host.api.post(f"/api/chat-rooms/topics/{topic['id']}/conversations",
                                    json={"name": f"bench {uuid.uuid4().hex[:8]}"}, headers=owner.headers), 201)
            rid = room["id"]

            async def measure(rid=rid, n=n):
                from contextlib import AsyncExitStack

                async with AsyncExitStack() as stack:
                    clients = [await stack.enter_async_context(socket_of(host.api, users[i % len(users)]))
                               for i in range(n)]
                    for client in clients:
                        assert (await client.event("join_chat_room", {"room_id": rid}))["success"]
                    app, bare, calls = [], [], []
                    for round_ in range(args.rounds):
                        before = len(hub.rest_calls())
                        started = time.perf_counter()
                        send = asyncio.create_task(asyncio.to_thread(
                            host.api.post, f"/api/chat-rooms/{rid}/messages",
                            json={"content": f"round {round_}"}, headers=owner.headers))
                        app += await _arrivals(clients, "new_chat_room_message", started)
                        assert (await send).status_code == 201
                        calls.append(sum(1 for c in hub.rest_calls()[before:] if "group" in c.operation.lower()))
                        started = time.perf_counter()
                        await asyncio.to_thread(host.run, lambda r=round_: _bare_write_and_publish(rid, r))
                        bare += await _arrivals(clients, "bench_bare", started)
                    return app, bare, calls

            async def _bare_write_and_publish(rid, round_):
                await wiring.documents().create("messages", {"id": f"bare-{uuid.uuid4().hex}", "pk": f"bench-{rid}",
                                                             "kind": "bare", "content": f"round {round_}",
                                                             "created_at": clock.now_iso()})
                await wiring.realtime().send_to_group(f"chat_room_{rid}", {"type": "bench_bare", "data": {}})

            async def _arrivals(clients, kind, started):
                async def one(client):
                    await client.app_event(kind, timeout=60)
                    return time.perf_counter() - started

                return list(await asyncio.gather(*(one(c) for c in clients)))

            app, bare, calls = asyncio.run(measure())
            latency_rows.append((n, app, bare, calls))

        # history pages
        room = ok(host.api.post(f"/api/chat-rooms/topics/{topic['id']}/conversations",
                                json={"name": f"history {uuid.uuid4().hex[:8]}"}, headers=owner.headers), 201)
        rid = room["id"]
        total = max(pages) * 2 + 1
        for i in range(total):
            host.run(lambda i=i: check_send(principal_of(owner), rid, MessageCreate(content=f"message {i}")))
        anchor = message_id(rid, total)
        for size in pages:
            times, bare_times, store_calls = [], [], 0
            for _ in range(args.rounds):
                with count_store_calls(host) as counted:
                    started = time.perf_counter()
                    page = ok(host.api.get(f"/api/chat-rooms/{rid}/messages?limit={size}&before={anchor}",
                                           headers=owner.headers))
                    times.append(time.perf_counter() - started)
                store_calls = counted.total
                assert len(page["items"]) == size
                started = time.perf_counter()
                host.run(lambda size=size: wiring.documents().query(
                    "messages", Query(where=[Where("kind", "=", "message"), Where("seq", "<", total)],
                                      order_by=[("seq", "desc")]), pk=rid, limit=size))
                bare_times.append(time.perf_counter() - started)
            history_rows.append((size, times, bare_times, store_calls))
    finally:
        host.stop()

    print(f"bench.chat run {uuid.uuid4().hex[:6]}: send-to-receive in one room (HTTP send -> every socket), "
          f"{args.rounds} rounds")
    print(f"{'clients':>8} {'p50 ms':>8} {'p99 ms':>8} {'bare p50':>9} {'bare p99':>9} {'p50 ratio':>10} "
          f"{'p99 ratio':>10} {'REST calls per event':>21}")
    for n, app, bare, calls in latency_rows:
        p50, p99, b50, b99 = pct(app, .5), pct(app, .99), pct(bare, .5), pct(bare, .99)
        print(f"{n:>8} {p50 * 1000:>8.1f} {p99 * 1000:>8.1f} {b50 * 1000:>9.1f} {b99 * 1000:>9.1f} "
              f"{p50 / b50:>10.2f} {p99 / b99:>10.2f} {max(calls):>21}")
    print("history pages (GET .../messages?limit=N&before=<id>) vs the bare store query of the same page")
    print(f"{'page':>6} {'median ms':>10} {'bare ms':>8} {'median ratio':>13} {'store calls':>12}")
    for size, times, bare_times, store_calls in history_rows:
        median, bare_median = statistics.median(times), statistics.median(bare_times)
        print(f"{size:>6} {median * 1000:>10.1f} {bare_median * 1000:>8.1f} {median / bare_median:>13.2f} "
              f"{store_calls:>12}")


if __name__ == "__main__":
    main()
