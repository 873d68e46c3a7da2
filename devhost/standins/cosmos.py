"""Start the Cosmos DB stand-in (@vercel/cosmosdb-server behind our launcher) on a free loopback port.

Connect with endpoint https://127.0.0.1:<port>/ and any base64 key (the SDK signs with it; the server checks
nothing): EMULATOR_KEY is the well-known public key of the official emulator. azure-cosmos skips TLS verification
by itself for 127.0.0.1 and localhost.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from devhost.standins.processes import ROOT, StandIn, free_port, start

LAUNCHER = ROOT / "devhost" / "standins" / "cosmos-launcher.js"
READY_LINE = "cosmos stand-in ready"
EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


def endpoint(standin: StandIn) -> str:
    return f"https://127.0.0.1:{standin.ports['https']}/"


def start_cosmos(log_dir: Path, timeout: float = 30.0) -> StandIn:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH; the Cosmos stand-in needs node >= 20")
    if not (ROOT / "node_modules" / "@vercel" / "cosmosdb-server").is_dir():
        raise RuntimeError("node_modules/@vercel/cosmosdb-server is missing; run `npm ci`")
    port = free_port()
    log_path = log_dir / "cosmos.log"

    def ready() -> bool:
        return log_path.is_file() and READY_LINE in log_path.read_text(errors="replace")

    return start("cosmos", [node, str(LAUNCHER), "--port", str(port), "--host", "127.0.0.1"],
                 {"https": port}, log_dir, ready=ready, timeout=timeout)
