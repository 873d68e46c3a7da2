"""`python -m devhost` (what `make dev` runs): the app on http://localhost:7071, like `func start`."""

from __future__ import annotations

import logging
import os

import uvicorn

from devhost.app import KEEP_ALIVE_SECONDS, create_app
from shared.settings import Settings, get_settings

DEFAULT_PORT = 7071


def follow_port(settings: Settings, port: int) -> Settings:
    """On another PORT, the defaults that name localhost:7071 (our own URL, the hub's endpoint) follow it."""
    if port == DEFAULT_PORT:
        return settings
    default, actual = f"localhost:{DEFAULT_PORT}", f"localhost:{port}"
    return settings.model_copy(update={
        "public_base_url": settings.public_base_url.replace(default, actual),
        "webpubsub_connection_string": settings.webpubsub_connection_string.replace(default, actual)})


def main() -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(message)s")
    # The Azure SDKs log every request and response at INFO; keep the console for the app's own messages.
    logging.getLogger("azure").setLevel(logging.WARNING)
    port = int(os.environ.get("PORT", str(DEFAULT_PORT)))
    followed = follow_port(get_settings(), port)
    # Every part of the app reads settings through get_settings(); the environment is how they all see the change.
    os.environ["PUBLIC_BASE_URL"] = followed.public_base_url
    os.environ["WEBPUBSUB_CONNECTION_STRING"] = followed.webpubsub_connection_string
    get_settings.cache_clear()
    settings = get_settings()
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"Dev host on http://localhost:{port} (stack: {settings.app_stack}); developer page at /dev")
    # proxy_headers=False: the dev host is the edge; it must not believe a client's own X-Forwarded-For.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", ws="websockets-sansio",
                proxy_headers=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)


if __name__ == "__main__":
    main()
