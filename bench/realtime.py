"""Realtime benchmark: what it costs to take a removed member's sockets out of a topic, its posts included.

A member of an invite-only topic has one socket open, joined (through the app's `join_post` events) to the
topic's group and N post groups. They are removed from the topic; we count the REST calls the app makes to the
hub and time them. Baseline, measured in the same run on the same hub: removing the same connection from the same
groups one call per group (what tracking-free code would have to do, after scanning for the groups).

    python -m bench.realtime [--sizes 1,10,100] [--tiny]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100", help="numbers of joined post groups, comma separated")
    parser.add_argument("--tiny", action="store_true", help="sizes 1 and 2 (the test suite's run)")
    args = parser.parse_args()
    if args.tiny:
        args.sizes = "1,2"
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]

    from shared import wiring
    from shared.domain.realtime.groups import Scope
    from shared.domain.realtime.revocation import topic_access_lost
    from tests.support.communities import create_topic, enter, ok, seed_post
    from tests.support.devhost import DevHostHandle
    from tests.support.realtime import socket_of
    from tests.support.users import signup

    work = Path(tempfile.mkdtemp(prefix="bench-realtime-"))
    host = DevHostHandle(work / "data", {"APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost",
                                         "MAIL_BACKEND": "outbox"}).start()
    hub = host.devhost.hub
    rows = []
    try:
        owner = signup(host)
        for n in sizes:
            topic = create_topic(host, owner, private=True)
            member, twin = signup(host), signup(host)
            for user in (member, twin):
                enter(host.api, topic, owner, user)
            posts = [seed_post(host, topic["id"], owner) for _ in range(n)]

            async def joined(user, baseline, topic=topic, posts=posts):
                async with socket_of(host.api, user) as client:
                    assert (await client.event("join_topic", {"topic_id": topic["id"]}))["success"]
                    for post in posts:
                        assert (await client.event("join_post", {"post_id": post["id"]}))["success"]
                    return client.connection_id, await _measure(client, user, topic["id"], baseline)

            async def _measure(client, user, topic_id, baseline, posts=posts):
                before = len(hub.rest_calls())
                started = time.perf_counter()
                if not baseline:
                    await asyncio.to_thread(host.run, lambda: topic_access_lost(user.id, topic_id))
                else:  # the baseline: one call per group the connection is in
                    groups = [f"topic_{topic_id}", Scope("topic", topic_id).guard,
                              *(f"post_{post['id']}" for post in posts)]
                    for group in groups:
                        await asyncio.to_thread(host.run, lambda group=group: wiring.realtime()
                                                .remove_connection_from_group(group, client.connection_id))
                seconds = time.perf_counter() - started
                return len(hub.rest_calls()) - before, seconds

            _, (calls, seconds) = asyncio.run(joined(member, False))
            _, (base_calls, base_seconds) = asyncio.run(joined(twin, True))
            rows.append((n, calls, seconds, base_calls, base_seconds))
            ok(host.api.get(f"/api/topics/{topic['id']}", headers=owner.headers))
    finally:
        host.stop()

    print(f"bench.realtime run {uuid.uuid4().hex[:6]}: removing a member whose socket joined N post groups")
    print(f"{'N posts':>8} {'REST calls':>11} {'baseline calls':>15} {'calls ratio':>12} {'ms':>8} {'baseline ms':>12} "
          f"{'time ratio':>11}")
    for n, calls, seconds, base_calls, base_seconds in rows:
        print(f"{n:>8} {calls:>11} {base_calls:>15} {calls / base_calls:>12.3f} {seconds * 1000:>8.1f} "
              f"{base_seconds * 1000:>12.1f} {seconds / base_seconds:>11.3f}")


if __name__ == "__main__":
    main()
