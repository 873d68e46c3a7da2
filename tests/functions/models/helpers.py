"""Small steps the models API tests share: data sets, creating and training models, reading jobs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from tests.support.users import TestUser, new_username, ok


def regression_rows(n: int = 60, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.RandomState(seed)
    x = rng.uniform(-5, 5, size=(n, 3))
    y = 1.5 * x[:, 0] - 2.0 * x[:, 1] + 0.5 * x[:, 2] + rng.normal(0, 0.3, n)
    return [{"a": float(r[0]), "b": float(r[1]), "c": float(r[2]), "y": float(t)} for r, t in zip(x, y, strict=True)]


def classification_rows(n: int = 80, seed: int = 1) -> list[dict[str, Any]]:
    rng = np.random.RandomState(seed)
    x = rng.normal(0, 1, size=(n, 2))
    labels = np.where(x[:, 0] + x[:, 1] > 0.3, "spam", np.where(x[:, 0] - x[:, 1] > 0.5, "ham", "eggs"))
    return [{"f1": float(r[0]), "f2": float(r[1]), "label": str(t)} for r, t in zip(x, labels, strict=True)]


def cluster_rows(n: int = 45, seed: int = 2) -> list[dict[str, Any]]:
    rng = np.random.RandomState(seed)
    centres = np.array([[0, 0], [6, 6], [0, 8]])
    points = np.vstack([c + rng.normal(0, 0.6, size=(n // 3, 2)) for c in centres])
    return [{"u": float(p[0]), "v": float(p[1])} for p in points]


def matrix(rows: list[dict[str, Any]], columns: list[str]) -> np.ndarray:
    return np.asarray([[row[c] for c in columns] for row in rows], dtype=float)


def create_model(api, user: TestUser, type_key: str, params: dict[str, Any] | None = None, **extra: Any) -> dict:
    body = {"name": extra.pop("name", new_username("m")), "type": type_key, "params": params or {}, **extra}
    return ok(api.post("/api/models", json=body, headers=user.headers), 201)


def submit(api, user: TestUser, model_id: str, rows: list[dict[str, Any]], target: str | None = None,
           kind: str = "train", **options: Any) -> dict[str, Any]:
    body = {"data": rows, **({"target": target} if target else {}), **options}
    return ok(api.post(f"/api/models/{model_id}/{kind}", json=body, headers=user.headers), 202)["job"]


def get_job(api, user: TestUser, job_id: str) -> dict[str, Any]:
    return ok(api.get(f"/api/jobs/{job_id}", headers=user.headers))


def trained_model(host, user: TestUser, type_key: str, rows: list[dict[str, Any]], target: str | None,
                  params: dict[str, Any] | None = None, **options: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    model = create_model(host.api, user, type_key, params)
    job = submit(host.api, user, model["id"], rows, target, **options)
    host.drain()
    job = get_job(host.api, user, job["id"])
    assert job["state"] == "succeeded", job
    return ok(host.api.get(f"/api/models/{model['id']}", headers=user.headers)), job


def install_fault(host, point: str, hook: Callable[[dict[str, Any]], Any]) -> None:
    from shared.domain.models import faults

    async def install() -> None:
        faults.install(point, hook)

    host.run(install)


class Gate:
    """Holds a job at a checkpoint until the test lets it go, without blocking the host's event loop."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    async def __call__(self, job: dict[str, Any]) -> None:
        self.reached.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)


def drain_in_background(host) -> threading.Thread:
    thread = threading.Thread(target=host.drain, daemon=True)
    thread.start()
    return thread
