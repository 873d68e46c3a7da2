"""`python -m devhost` (what `make dev` runs): the app on http://localhost:7071, like `func start`."""

from __future__ import annotations

import logging
import os

import uvicorn

from devhost.app import create_app
from shared.settings import get_settings


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    port = int(os.environ.get("PORT", "7071"))
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"Dev host on http://localhost:{port} (stack: {settings.app_stack}); developer page at /dev")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", ws="websockets")


if __name__ == "__main__":
    main()
