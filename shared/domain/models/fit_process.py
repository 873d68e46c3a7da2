"""A fit runs in a child process, so a cancelled or abandoned job's fit really stops.

A thread cannot be interrupted: a cancelled fit in a thread would keep a CPU busy until it ended on its own, after
its job had freed the user's quota slot and the model, so cancel-and-resubmit could fill the worker with fits
nobody waits for. A process can be terminated. The worker's job code (training.py) supervises the child: it
heartbeats the job while the child fits, and when the job is cancelled (or was failed by the stale-job timer)
it terminates the child before the job ends, so the job's slot is only freed once its fit is gone.

Processes come from a fork server (spawn where there is none) that has numpy and scikit-learn imported already,
so each fit starts in milliseconds rather than paying the imports. The child receives the type key, parameters,
training data and (for updates) the base estimator by pickle, and sends back the FitOutcome. It also watches
its parent: if the worker dies, the child exits instead of fitting for nobody.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from typing import Any

from shared.domain.models.fitting import FitOutcome
from shared.domain.models.tabular import DataError, TrainingData

# What the fork server imports once, so that each forked fit starts with it loaded.
PRELOAD = ["shared.domain.models.fitting", "shared.domain.models.types", "numpy", "sklearn.model_selection",
           "sklearn.metrics", "sklearn.linear_model", "sklearn.ensemble", "sklearn.cluster"]
_context: Any = None
_context_lock = threading.Lock()


def context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            if "forkserver" in multiprocessing.get_all_start_methods():
                _context = multiprocessing.get_context("forkserver")
                _context.set_forkserver_preload(PRELOAD)
            else:
                _context = multiprocessing.get_context("spawn")
        return _context


class FitFailed(RuntimeError):
    """The child died or raised something other than a data error: the attempt failed and is retried."""


def _exit_when_parent_dies(alive: Connection) -> None:
    try:
        alive.recv()  # the parent never sends: this returns (EOFError) only when its end closes
    except (EOFError, OSError):
        pass
    os._exit(3)


def _child(results: Connection, alive: Connection, type_key: str, params: dict[str, Any], data: TrainingData,
           test_size: float, split_seed: int, base: Any) -> None:
    threading.Thread(target=_exit_when_parent_dies, args=(alive,), daemon=True).start()
    from shared.domain.models import fitting
    from shared.domain.models.types import get_type

    try:
        outcome = fitting.fit(get_type(type_key), params, data, test_size=test_size, split_seed=split_seed,
                              base=base)
        results.send(("ok", outcome))
    except DataError as exc:
        results.send(("data_error", (exc.message, exc.code, exc.details)))
    except BaseException as exc:
        results.send(("failed", type(exc).__name__))
    finally:
        results.close()


class FitProcess:
    """One fit in one child process: `outcome()` waits for it, `stop()` terminates it."""

    def __init__(self, type_key: str, params: dict[str, Any], data: TrainingData, *, test_size: float,
                 split_seed: int, base: Any = None):
        ctx = context()
        self._results, results_end = ctx.Pipe(duplex=False)
        alive_end, self._alive = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, name="model-fit", daemon=True,
                                    args=(results_end, alive_end, type_key, params, data, test_size, split_seed, base))
        self._process.start()
        # Only the child holds these ends now: the results pipe reads EOF when the child dies, and the child's
        # "alive" pipe reads EOF when we do.
        results_end.close()
        alive_end.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def _receive(self) -> tuple[str, Any]:
        try:
            return self._results.recv()
        except (EOFError, OSError):
            return "died", self._process.exitcode

    async def outcome(self) -> FitOutcome:
        try:
            kind, value = await asyncio.to_thread(self._receive)
        finally:
            await asyncio.to_thread(self._process.join, 5)
            self._results.close()
            self._alive.close()
        if kind == "ok":
            return value
        if kind == "data_error":
            message, code, details = value
            raise DataError(message, code=code, details=details)
        raise FitFailed(f"the fit process {'raised ' + str(value) if kind == 'failed' else 'died'}")

    def stop(self) -> None:
        """Terminates the child if it still runs (SIGTERM, then SIGKILL) and waits for it to be gone."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(2)
