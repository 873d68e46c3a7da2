"""Communities benchmark: the per-request cost of listing posts and of creating a comment.

Runs the real dev host in this process (embedded stack unless --stack azure, which starts the local stand-ins),
seeds a topic with posts and a thread, then for each measured request prints, as ratios against a baseline
measured in the same run on the same host (GET /api/topics/{id}: the access check and one point read, through
HTTP and in the domain alone):
- wall time through HTTP (client-side, median and p95) / the baseline's HTTP median,
- time inside the domain call alone (on the host's loop, median) / the baseline's domain median,
- document store calls per request (the counting wrapper around the real adapter).
The baseline's own medians are printed too, in microseconds, so the ratios can be turned back into times.

    python -m bench.communities [--requests 200] [--posts 300] [--page 20] [--stack embedded|azure] [--tiny]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stack_env(stack: str, logs: Path) -> tuple[dict[str, str], list]:
    if stack != "azure":
        return {"APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost", "MAIL_BACKEND": "outbox"}, []
    from devhost.standins.azurite import start_azurite
    from devhost.standins.cosmos import EMULATOR_KEY, endpoint, start_cosmos

    cosmos, azurite = start_cosmos(logs), start_azurite(logs)
    env = {"APP_STACK": "azure", "COSMOS_ENDPOINT": endpoint(cosmos), "COSMOS_KEY": EMULATOR_KEY,
           "COSMOS_DATABASE": f"bench-{uuid.uuid4().hex[:8]}", "STORAGE_CONNECTION_STRING": azurite.connection_string,
           "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"), "QUEUE_BACKEND": "devhost",
           "MAIL_BACKEND": "outbox"}
    return env, [cosmos, azurite]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--page", type=int, default=20)
    parser.add_argument("--stack", choices=["embedded", "azure"], default="embedded")
    parser.add_argument("--tiny", action="store_true", help="a few requests on a small topic (the test suite's run)")
    args = parser.parse_args()
    if args.tiny:
        args.requests, args.posts, args.page = 3, 3, 2

    from shared.domain.communities import comments, posts, topics
    from shared.domain.communities.comment_models import CommentCreate
    from shared.domain.communities.post_models import PostListQuery
    from tests.support.communities import principal_of, seed_post
    from tests.support.counting import count_store_calls
    from tests.support.devhost import DevHostHandle
    from tests.support.users import signup

    work = Path(tempfile.mkdtemp(prefix="bench-communities-"))
    env, stand_ins = stack_env(args.stack, work)
    host = DevHostHandle(work / "data", env).start()
    try:
        api = host.api
        owner, reader = signup(host), signup(host)
        writers = [signup(host) for _ in range(max(1, args.requests // 50 + 1))]
        topic = api.post("/api/topics", json={"title": f"Bench {uuid.uuid4().hex[:8]}"},
                         headers=owner.headers).json()["data"]
        for writer in writers:
            api.post(f"/api/topics/{topic['id']}/join", headers=writer.headers)
        for _ in range(args.posts):
            seed_post(host, topic["id"], owner)
        thread = seed_post(host, topic["id"], owner)
        url = f"/api/posts/topics/{topic['id']}/posts"
        params = {"limit": args.page, "sort": "hot"}
        for _ in range(10):  # warm up
            api.get(url, params=params, headers=reader.headers)

        rows = []
        reader_principal = principal_of(reader)

        # the baseline: reading the topic
        topic_url = f"/api/topics/{topic['id']}"
        base_http, base_domain = [], []
        for _ in range(max(10, args.requests)):
            started = time.perf_counter()
            response = api.get(topic_url, headers=reader.headers)
            base_http.append((time.perf_counter() - started) * 1e6)
            assert response.status_code == 200, response.text
            started = time.perf_counter()
            host.run(lambda: topics.check_get_topic(reader_principal, topic["id"]))
            base_domain.append((time.perf_counter() - started) * 1e6)
        with count_store_calls(host) as calls:
            api.get(topic_url, headers=reader.headers)
        rows.append(("GET a topic (the baseline)", base_http, base_domain, calls))

        # listing posts
        http_us = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = api.get(url, params=params, headers=reader.headers)
            http_us.append((time.perf_counter() - started) * 1e6)
            assert response.status_code == 200, response.text
        query = PostListQuery(limit=args.page, sort="hot")
        domain_us = []
        for _ in range(args.requests):
            started = time.perf_counter()
            host.run(lambda: posts.check_list_posts(reader_principal, topic["id"], query))
            domain_us.append((time.perf_counter() - started) * 1e6)
        with count_store_calls(host) as calls:
            api.get(url, params=params, headers=reader.headers)
        rows.append((f"GET list posts (limit {args.page})", http_us, domain_us, calls))

        # creating a comment
        http_us = []
        for i in range(args.requests):
            writer = writers[i // 50]
            started = time.perf_counter()
            response = api.post(f"/api/comments/posts/{thread['id']}/comments", json={"content": f"comment {i}"},
                                headers=writer.headers)
            http_us.append((time.perf_counter() - started) * 1e6)
            assert response.status_code == 201, response.text
        body = CommentCreate(content="domain comment")
        writer_principal = principal_of(writers[0])
        domain_us = []
        for _ in range(args.requests):
            started = time.perf_counter()
            host.run(lambda: comments.check_create_comment(writer_principal, thread["id"], body))
            domain_us.append((time.perf_counter() - started) * 1e6)
        # The follower fan-out runs from the queue right after; hold the runner so the count is the request's own,
        # then count the fan-out on its own.
        runner = host.devhost.queue_runner
        host.drain()
        host.run(runner.stop)
        with count_store_calls(host) as calls:
            api.post(f"/api/comments/posts/{thread['id']}/comments", json={"content": "counted"},
                     headers=writers[-1].headers)
        with count_store_calls(host) as fanout:
            host.drain()

        async def restart() -> None:
            runner.start()

        host.run(restart)
        rows.append(("POST create comment", http_us, domain_us, calls))
        rows.append(("  then: queued follower fan-out", [0.0], [0.0], fanout))

        http_base, domain_base = statistics.median(base_http), statistics.median(base_domain)
        print(f"stack={args.stack} requests={args.requests} posts={args.posts}; baseline GET a topic: "
              f"http median {http_base:.0f} us, domain median {domain_base:.0f} us")
        print(f"{'request':34} {'http median ratio':>18} {'http p95 ratio':>15} {'domain median ratio':>20} "
              f"{'store calls':>12}")
        for name, http, domain, counted in rows:
            domain_ratio = f"{statistics.median(domain) / domain_base:20.2f}" if any(domain) else f"{'-':>20}"
            http_ratio = (f"{statistics.median(http) / http_base:18.2f} {percentile(http, 0.95) / http_base:15.2f}"
                          if any(http) else f"{'-':>18} {'-':>15}")
            print(f"{name:34} {http_ratio} {domain_ratio} {counted.total:12d}")
            print(f"{'':34} calls: {counted.summary()}")
    finally:
        host.stop()
        for stand_in in stand_ins:
            stand_in.stop()


if __name__ == "__main__":
    main()
