"""Jobs that stop before their fit ends never keep a model, a quota slot or a CPU:

- a worker that dies mid-fit: once the job's heartbeat is older than MODELS_JOB_STALE_SECONDS, the
  `models_fail_stale_jobs` timer fails the job, which frees the model and the quota slot, and the model trains
  again. The worker here is a real separate process, killed with SIGKILL while its fit is under way, so its
  heartbeats stop the way they do when a host goes down;
- a cancelled job: its fit runs in a child process (fit_process.py), which is terminated before the job ends, so
  cancel-and-resubmit never piles fits up in the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.functions.models.helpers import create_model, get_job, regression_rows, submit
from tests.support.users import ok, signup

STALE_SECONDS = 1.5
MODELS_ENV_OVERRIDES = {"MODELS_JOB_STALE_SECONDS": str(STALE_SECONDS), "MODELS_MAX_ACTIVE_JOBS_PER_USER": "1"}
ROOT = Path(__file__).resolve().parents[3]

# The worker: runs one job the way the queue trigger does, with a fit that never ends (it waits on an event
# nobody sets). It tells the test when the fit has started by writing the job id to a file.
WORKER = """
import asyncio, sys, threading
from pathlib import Path

from shared.domain.models import faults
from shared.domain.models.worker import run_job

def fit_for_ever(job):
    Path(sys.argv[2]).write_text(job["id"])
    threading.Event().wait()

faults.install("fitting", fit_for_ever)
asyncio.run(run_job(sys.argv[1], delivery_count=1))
"""


@pytest.fixture(scope="module")
def owner(host):
    # With a bound this small, only the test decides when the stale-job timer runs: a job's saving step (no
    # heartbeat) may take longer than the bound on a busy machine.
    host.run(lambda: host.devhost.timers.stop())
    return signup(host)


def start_worker(host, job_id: str, marker: Path) -> subprocess.Popen:
    env = {**os.environ, **host.env, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WORKER, job_id, str(marker)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_job_whose_worker_is_killed_mid_fit_is_failed_after_the_bound_and_the_model_trains_again(
        host, api, owner, tmp_path):
    model = create_model(api, owner, "linear_regression")
    job = submit(api, owner, model["id"], regression_rows(40), "y")  # its message waits in the (stopped) queue
    marker = tmp_path / "fitting"
    worker = start_worker(host, job["id"], marker)
    try:
        wait_for(lambda: marker.exists() or worker.poll() is not None, 120, "the worker never started the fit")
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        running = get_job(api, owner, job["id"])
        assert running["state"] == "running" and running["stage"] == "training"
        time.sleep(STALE_SECONDS + 0.5)
        host.run_timer("models_fail_stale_jobs")  # a live worker heartbeats: its job is left alone
        assert get_job(api, owner, job["id"])["state"] == "running"
    finally:
        worker.kill()
        worker.wait(30)

    busy = api.post(f"/api/models/{model['id']}/train", json={"data": regression_rows(40), "target": "y"},
                    headers=owner.headers)
    assert busy.status_code in (403, 409)  # still held by the dead worker's job (and its quota slot)
    time.sleep(STALE_SECONDS + 0.5)
    host.run_timer("models_fail_stale_jobs")
    failed = get_job(api, owner, job["id"])
    assert failed["state"] == "failed" and failed["error"]["code"] == "worker_lost"
    freed = ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))
    assert freed["active_job_id"] is None

    again = submit(api, owner, model["id"], regression_rows(40, seed=3), "y")
    host.drain()  # the dead worker's message too: its job is over, so it is dropped
    finished = get_job(api, owner, again["id"])
    assert finished["state"] == "succeeded", finished
    assert get_job(api, owner, job["id"])["state"] == "failed"
    assert ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))["current_version"] == 1


def fit_processes() -> list:
    import multiprocessing

    return [p for p in multiprocessing.active_children() if p.name == "model-fit"]


def test_a_cancelled_fit_is_terminated_before_its_job_ends_and_frees_its_slot(host, api, owner):
    from tests.functions.models.helpers import drain_in_background

    model = create_model(api, owner, "gradient_boosting_regressor",
                         {"n_estimators": 1000, "max_depth": 12, "learning_rate": 0.01, "random_state": 0})
    job = submit(api, owner, model["id"], regression_rows(600), "y")
    worker = drain_in_background(host)
    try:
        wait_for(lambda: bool(fit_processes()), 120, "the fit process never started")
        (fit,) = fit_processes()
        assert get_job(api, owner, job["id"])["stage"] == "training"
        assert api.post(f"/api/jobs/{job['id']}/cancel", headers=owner.headers).status_code == 202
        wait_for(lambda: get_job(api, owner, job["id"])["state"] == "cancelled", 30, "the cancel was not noticed")
        assert not fit.is_alive()  # gone before the job said it was over
    finally:
        worker.join(60)
    assert fit_processes() == []
    again = submit(api, owner, model["id"], regression_rows(40), "y")  # the one slot this user has is free again
    host.drain()
    finished = get_job(api, owner, again["id"])
    assert finished["state"] == "succeeded", finished
