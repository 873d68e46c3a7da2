"""`make dev-azure`: the azure stack on this machine. Starts the Cosmos emulator and Azurite on free loopback
ports, points the Cosmos and Blob adapters and real Redis at them, then runs the dev host (which keeps its queue
stand-in and hub: Service Bus has no emulator that runs here). The stand-ins keep data in memory only."""

from __future__ import annotations

import os
import signal
import sys

from devhost import __main__ as devhost_main
from devhost.standins.azurite import start_azurite
from devhost.standins.cosmos import EMULATOR_KEY, endpoint, start_cosmos
from shared.settings import PROJECT_ROOT


def main() -> None:
    # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit lets `finally` stop the
    # stand-ins instead of leaving them running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    logs = PROJECT_ROOT / ".data" / "stand-ins"
    cosmos = start_cosmos(logs)
    azurite = start_azurite(logs)
    try:
        os.environ.update({
            "APP_STACK": "azure",
            "COSMOS_ENDPOINT": endpoint(cosmos),
            "COSMOS_KEY": EMULATOR_KEY,
            "STORAGE_CONNECTION_STRING": azurite.connection_string,
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "QUEUE_BACKEND": "devhost",
        })
        print(f"Cosmos emulator at {endpoint(cosmos)}, Azurite blobs at {azurite.blob_endpoint} (logs in {logs})")
        devhost_main.main()
    finally:
        azurite.stop()
        cosmos.stop()


if __name__ == "__main__":
    main()
