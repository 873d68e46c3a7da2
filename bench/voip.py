"""VoIP benchmark: signalling latency, an offer sent by one participant to the offer received by the other.

Two users in one DM call on the dev host, each with a socket. Measured: `voip_offer` sent over the caller's
socket until the relayed `voip_offer` arrives on the callee's (the app checks both are participants, then
publishes to the callee's user group). Baseline, in the same run on the same hub: a bare server send to the
callee's user group until it arrives, the least any relay through the hub can cost.

    python -m bench.voip [--offers 200] [--tiny]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=200, help="offers (and baseline sends) to time")
    parser.add_argument("--tiny", action="store_true", help="5 of each (the test suite's run)")
    args = parser.parse_args()
    count = 5 if args.tiny else args.offers

    from shared import wiring
    from tests.support.call_signalling import PumpedSocket
    from tests.support.devhost import DevHostHandle
    from tests.support.realtime import connect, negotiate
    from tests.support.users import signup

    work = Path(tempfile.mkdtemp(prefix="bench-voip-"))
    host = DevHostHandle(work / "data", {"APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost",
                                         "MAIL_BACKEND": "outbox"}).start()
    try:
        alice, bob = signup(host), signup(host)

        async def run() -> tuple[list[float], list[float]]:
            a = PumpedSocket(await connect((await asyncio.to_thread(negotiate, host.api, alice))["url"]))
            b = PumpedSocket(await connect((await asyncio.to_thread(negotiate, host.api, bob))["url"]))
            created = await a.event("voip_create_call", {"room_id": bob.id, "room_type": "dm"})
            call_id = created["data"]["call"]["id"]
            assert (await b.event("voip_join_call", {"call_id": call_id}))["success"]
            await b.app_events.get()  # voip_incoming_call
            relayed, bare = [], []
            for n in range(count):
                started = time.perf_counter()
                send = asyncio.create_task(a.event("voip_offer", {"call_id": call_id, "target_user_id": bob.id,
                                                                  "offer": {"type": "offer", "sdp": f"v=0 {n}"}}))
                while (await b.app_events.get())["type"] != "voip_offer":
                    pass
                relayed.append(time.perf_counter() - started)
                await send
                started = time.perf_counter()
                await asyncio.to_thread(host.run, lambda n=n: wiring.realtime().send_to_user(
                    bob.id, {"type": "bare", "data": {"n": n}}))
                while (await b.app_events.get())["type"] != "bare":
                    pass
                bare.append(time.perf_counter() - started)
            for socket in (a, b):
                await socket.close()
                await socket.client.close()
            return relayed, bare

        relayed, bare = asyncio.run(run())
    finally:
        host.stop()

    print(f"bench.voip run {uuid.uuid4().hex[:6]}: {count} offers through the app vs bare hub sends to the same user")
    print(f"{'':>22} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, values in (("offer relayed", relayed), ("bare hub send", bare)):
        print(f"{name:>22} {percentile(values, 0.5) * 1000:>8.2f} {percentile(values, 0.99) * 1000:>8.2f} "
              f"{statistics.mean(values) * 1000:>8.2f}")
    print(f"{'p50 ratio':>22} {percentile(relayed, 0.5) / percentile(bare, 0.5):>8.2f}")
    print(f"{'p99 ratio':>22} {percentile(relayed, 0.99) / percentile(bare, 0.99):>8.2f}")


if __name__ == "__main__":
    main()
