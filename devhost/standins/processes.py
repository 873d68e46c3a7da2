"""Start a local stand-in on a free loopback port, wait until it answers, stop it by pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "node_modules" / ".bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@dataclass
class StandIn:
    name: str
    process: subprocess.Popen
    ports: dict[str, int]
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)


def start(name: str, argv: list[str], ports: dict[str, int], log_dir: Path,
          ready: Callable[[], bool] | None = None, timeout: float = 60.0, env: dict[str, str] | None = None) -> StandIn:
    """Runs argv in its own process group so stop() ends its children too."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True,
                               env={**os.environ, **(env or {})})
    check = ready or (lambda: all(port_open(p) for p in ports.values()))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text()[-2000:]
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log_path}:\n{tail}")
        if check():
            return StandIn(name, process, ports, log_path)
        time.sleep(0.1)
    StandIn(name, process, ports, log_path).stop()
    raise RuntimeError(f"{name} did not become ready in {timeout:.0f}s; see {log_path}")
