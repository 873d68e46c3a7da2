"""Models benchmark: what the API adds on top of scikit-learn, measured against scikit-learn in the same run.

- predict: warm single-row POST /api/models/{id}/predict (p50, p99) against calling `predict` directly on the
  very same estimator (its artifact downloaded and loaded here), for a linear model and a random forest;
- training: a training job's wall time (202 -> succeeded, from the job's server timestamps) against the raw fit
  time of the same estimator on the same rows here, for the same two models, as ratios and absolute overhead.

The dev host runs in its own process (embedded stack, its queue poller delivering jobs), as `make dev` runs it.

    python -m bench.models [--requests 400] [--rows 2000] [--tiny]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASES = [("linear_regression", {}), ("random_forest_regressor", {"n_estimators": 100, "random_state": 0})]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_devhost(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PORT": str(port), "DATA_DIR": str(data_dir), "APP_STACK": "embedded",
           "LOG_LEVEL": "WARNING", "PUBLIC_BASE_URL": url, "MODELS_PREDICT_MAX_ROWS": "500",
           "MODELS_INLINE_MAX_ROWS": "10000", "MAX_REQUEST_BYTES": str(8 * 1024 * 1024)}
    process = subprocess.Popen([sys.executable, "-m", "devhost"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code in (200, 503):
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the dev host did not start: {process.stderr.read().decode()[-2000:]}")


def data(client: httpx.Response) -> dict:
    client.raise_for_status()
    return client.json()["data"]


def sign_up(api: httpx.Client) -> dict[str, str]:
    name = f"bench{uuid.uuid4().hex[:10]}"
    email, password = f"{name}@example.com", f"pw-{uuid.uuid4().hex}"
    data(api.post("/api/auth/register", json={"username": name, "email": email, "password": password}))
    code = None
    deadline = time.monotonic() + 30
    while code is None and time.monotonic() < deadline:
        for mail in api.get("/dev/api/outbox").json():
            found = re.search(r"^Your code: (\d{6})\s*$", mail["text"], re.M)
            if mail["to"] == email and found:
                code = found.group(1)
        time.sleep(0.1)
    data(api.post("/api/auth/verify-email", json={"email": email, "code": code}))
    token = data(api.post("/api/auth/login", json={"identifier": name, "password": password, "token": True}))["token"]
    return {"Authorization": f"Bearer {token}"}


def rows_for(n: int, seed: int = 0) -> tuple[list[dict], np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n, 8))
    y = x @ rng.normal(size=8) + rng.normal(0, 0.1, n)
    rows = [{**{f"f{i}": float(v) for i, v in enumerate(r)}, "y": float(t)} for r, t in zip(x, y, strict=True)]
    return rows, x, y


def seconds_between(start: str, end: str) -> float:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


def train(api: httpx.Client, headers: dict, type_key: str, params: dict, rows: list[dict]) -> tuple[str, dict]:
    model = data(api.post("/api/models", json={"name": f"bench {type_key} {uuid.uuid4().hex[:6]}", "type": type_key,
                                               "params": params}, headers=headers))
    job = data(api.post(f"/api/models/{model['id']}/train", json={"data": rows, "target": "y", "test_size": 0},
                        headers=headers))["job"]
    deadline = time.monotonic() + 300
    while job["state"] not in ("succeeded", "failed", "cancelled"):
        if time.monotonic() > deadline:
            raise RuntimeError("the training job did not finish")
        time.sleep(0.02)
        job = data(api.get(f"/api/jobs/{job['id']}", headers=headers))
    if job["state"] != "succeeded":
        raise RuntimeError(f"the training job ended {job['state']}: {job['error']}")
    return model["id"], job


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def direct_fit_seconds(type_key: str, params: dict, x: np.ndarray, y: np.ndarray, runs: int = 5) -> float:
    """Median raw fit time here, after one unmeasured fit (first calls pay for imports and caches)."""
    from shared.domain.models.types import get_type

    model_type = get_type(type_key)
    full = model_type.check_params(params)
    model_type.estimator_class()(**full).fit(x[:50], y[:50])
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        model_type.estimator_class()(**full).fit(x, y)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def loaded_artifact(api: httpx.Client, headers: dict, model_id: str, type_key: str):
    import skops.io

    from shared.domain.models.types import get_type

    download = data(api.get(f"/api/models/{model_id}/versions/1/artifact", headers=headers))
    blob = httpx.get(download["url"]).content
    return skops.io.loads(blob, trusted=list(get_type(type_key).trusted_types) or None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--tiny", action="store_true", help="a few requests on small data (the test suite's run)")
    args = parser.parse_args()
    if args.tiny:
        args.requests, args.rows = 5, 60
    rows, x, y = rows_for(args.rows)

    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_devhost(Path(tmp) / "data")
        try:
            with httpx.Client(base_url=url, timeout=120) as api:
                headers = sign_up(api)
                for type_key, params in CASES:  # warm-up: the worker's first job imports scikit-learn
                    train(api, headers, type_key, params, rows[:50])
                print(f"warm training jobs on {args.rows} rows x 8 features (fit on every row), dev host in its "
                      "own process; job total = 202 to succeeded by the job's own timestamps")
                print(f"  {'model':<26}{'raw fit':>10}{'in-worker fit':>15}{'queued':>9}{'running':>10}"
                      f"{'job total':>11}{'overhead':>10}{'ratio':>8}")
                trained = {}
                for type_key, params in CASES:
                    fit_direct = direct_fit_seconds(type_key, params, x, y)
                    model_id, job = train(api, headers, type_key, params, rows)
                    queued = seconds_between(job["created_at"], job["started_at"])
                    running = seconds_between(job["started_at"], job["finished_at"])
                    total = seconds_between(job["created_at"], job["finished_at"])
                    version = data(api.get(f"/api/models/{model_id}/versions/1", headers=headers))
                    trained[type_key] = model_id
                    print(f"  {type_key:<26}{fit_direct * 1000:8.1f}ms{version['fit_seconds'] * 1000:13.1f}ms"
                          f"{queued * 1000:7.1f}ms{running * 1000:8.1f}ms{total * 1000:9.1f}ms"
                          f"{(total - fit_direct) * 1000:8.1f}ms{total / fit_direct:7.1f}x")

                print(f"warm single-row predict, {args.requests} sequential requests after 50 warm-up ones")
                print(f"  {'model':<26}{'API p50':>10}{'API p99':>10}{'direct p50':>12}{'direct p99':>12}"
                      f"{'p50 ratio':>11}")
                for type_key, _ in CASES:
                    model_id = trained[type_key]
                    estimator = loaded_artifact(api, headers, model_id, type_key)
                    body = {"data": [{k: v for k, v in rows[0].items() if k != "y"}]}
                    path = f"/api/models/{model_id}/predict"
                    for _ in range(50):
                        data(api.post(path, json=body, headers=headers))
                    api_times = []
                    for _ in range(args.requests):
                        started = time.perf_counter()
                        answer = data(api.post(path, json=body, headers=headers))
                        api_times.append(time.perf_counter() - started)
                    row = x[:1]
                    direct_times = []
                    for _ in range(50 + args.requests):
                        started = time.perf_counter()
                        expected = estimator.predict(row)
                        direct_times.append(time.perf_counter() - started)
                    direct_times = direct_times[50:]
                    assert answer["predictions"] == expected.tolist(), "the API and the estimator disagree"
                    api50, api99 = percentile(api_times, 50), percentile(api_times, 99)
                    d50, d99 = percentile(direct_times, 50), percentile(direct_times, 99)
                    print(f"  {type_key:<26}{api50 * 1000:8.2f}ms{api99 * 1000:8.2f}ms{d50 * 1000:10.3f}ms"
                          f"{d99 * 1000:10.3f}ms{api50 / d50:10.1f}x")
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


if __name__ == "__main__":
    main()
