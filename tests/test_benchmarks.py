"""`make bench` cannot rot: every benchmark module runs here with its --tiny sizes, in a fresh interpreter as
`make bench` runs it, and must exit 0 and print its figures as ratios against a baseline of the same run. A new
bench module that is not listed in FIGURES fails the suite until it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# module -> lines its output must contain: the ratio columns or lines each benchmark prints
FIGURES = {
    "bench.dm": ["DM send to receive", "send p50 ratio", "send p99 ratio", "list p50 ratio at 10",
                 "list p50 ratio at 1000", "list p50 ratio 1000 / 10", "store calls 1000 / 10"],
    "bench.chat": ["p50 ratio", "p99 ratio", "REST calls per event", "median ratio", "store calls"],
    "bench.communities": ["http median ratio", "domain median ratio", "GET a topic (the baseline)",
                          "POST create comment"],
    "bench.models": ["ratio", "p50 ratio", "linear_regression", "random_forest_regressor"],
    "bench.platform": ["ratio", "(target <= 1.5)", "(target >= 0.5)"],
    "bench.realtime": ["calls ratio", "time ratio"],
    "bench.voip": ["offer relayed", "bare hub send", "p50 ratio", "p99 ratio"],
}


def bench_modules() -> list[str]:
    return sorted(f"bench.{path.stem}" for path in (ROOT / "bench").glob("*.py") if path.stem != "__init__")


def test_every_benchmark_module_is_run_by_this_suite():
    assert bench_modules() == sorted(FIGURES), "list the new benchmark (and what it prints) in FIGURES"


@pytest.mark.parametrize("module", sorted(FIGURES))
def test_the_benchmark_runs_at_tiny_sizes_and_prints_its_ratios(module):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APP_", "COSMOS_", "REDIS_", "QUEUE_"))}
    done = subprocess.run([sys.executable, "-m", module, "--tiny"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{module} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    missing = [figure for figure in FIGURES[module] if figure not in done.stdout]
    assert missing == [], f"{module} did not print {missing}:\n{done.stdout[-3000:]}"
    assert "ratio" in done.stdout
