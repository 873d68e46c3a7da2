"""Platform benchmark: cold import of function_app, and dev host throughput on /api/health.

Both figures are ratios against a baseline measured in the same run on the same machine:
- import: `import function_app` vs `import azure.functions, pydantic` (fresh interpreters; target <= 1.5). The
  interpreters may read and write bytecode caches (__pycache__), as a deployed worker with compiled packages does:
  PYTHONDONTWRITEBYTECODE is removed from their environment, and each statement runs once untimed first so that
  both variants are measured with warm caches.
- requests: the dev host's /api/health vs a bare Starlette app answering a JSON body, both on uvicorn in their own
  process and driven by the same load generator (target >= 0.5)

    python -m bench.platform [--imports 15] [--requests 3000] [--concurrency 16] [--tiny]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BARE_APP = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def health(request):
    return JSONResponse({"success": True, "data": {"status": "ok"}})

app = Starlette(routes=[Route("/api/health", health)])
"""


def import_seconds(statement: str, runs: int) -> list[float]:
    """Seconds `statement` takes in each of `runs` fresh interpreters, after one untimed run that writes the
    bytecode caches."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                             env=env)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times[1:]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(argv: list[str], port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code in (200, 503):
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read().decode()[-2000:]}")


async def load(url: str, total: int, concurrency: int) -> float:
    """Requests per second for `total` GETs with `concurrency` in flight; every answer must be 200."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        for _ in range(50):  # warm-up
            (await client.get(url)).raise_for_status()
        remaining = total
        started = time.perf_counter()

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                (await client.get(url)).raise_for_status()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - started)


def measure_requests(total: int, concurrency: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        bare_file = Path(tmp) / "bare_app.py"
        bare_file.write_text(BARE_APP)
        bare_port, host_port = free_port(), free_port()
        uvicorn_args = ["--log-level", "warning", "--no-access-log"]
        bare = start_server([sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(bare_port),
                             "--app-dir", tmp, *uvicorn_args], bare_port, {})
        devhost = start_server([sys.executable, "-m", "devhost"], host_port,
                               {"PORT": str(host_port), "DATA_DIR": str(Path(tmp) / "data"), "APP_STACK": "embedded",
                                "LOG_LEVEL": "WARNING",
                                "PUBLIC_BASE_URL": f"http://127.0.0.1:{host_port}"})
        try:
            bare_rps = asyncio.run(load(f"http://127.0.0.1:{bare_port}/api/health", total, concurrency))
            host_rps = asyncio.run(load(f"http://127.0.0.1:{host_port}/api/health", total, concurrency))
        finally:
            for process in (bare, devhost):
                process.terminate()
                process.wait(10)
    return host_rps, bare_rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--imports", type=int, default=15)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tiny", action="store_true", help="two imports and a few requests (the test suite's run)")
    args = parser.parse_args()
    if args.tiny:
        args.imports, args.requests, args.concurrency = 2, 50, 4

    app_times = import_seconds("import function_app", args.imports)
    base_times = import_seconds("import azure.functions, pydantic", args.imports)
    app_median, base_median = statistics.median(app_times), statistics.median(base_times)
    print(f"cold import (median of {args.imports} fresh interpreters)")
    print(f"  import function_app               {app_median * 1000:8.1f} ms")
    print(f"  import azure.functions, pydantic  {base_median * 1000:8.1f} ms")
    print(f"  ratio                             {app_median / base_median:8.2f}   (target <= 1.5)")

    host_rps, bare_rps = measure_requests(args.requests, args.concurrency)
    print(f"requests per second, {args.requests} GETs, {args.concurrency} in flight, uvicorn in both")
    print(f"  dev host  GET /api/health         {host_rps:8.0f} /s")
    print(f"  bare Starlette GET /api/health    {bare_rps:8.0f} /s")
    print(f"  ratio                             {host_rps / bare_rps:8.2f}   (target >= 0.5)")


if __name__ == "__main__":
    main()
