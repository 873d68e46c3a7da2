"""The dev host: one Starlette app that does locally what the Functions host and its neighbours do on Azure.

- /api/...             the app's HTTP functions (devhost/http_dispatch.py)
- /client/hubs/{hub}   the Web PubSub client endpoint, and /api/hubs/{hub}/... its REST data plane (devhost/hub)
- /devstorage/...      signed blob URLs of the local blob adapter (devhost/blob_routes.py)
- /dev, /dev/api/...   the developer page: routes, queues with dead letters, outbox mail (never deployed)
Service Bus-triggered functions are fed by the queue stand-in and timer functions run on their schedules.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import azure.functions as func
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from devhost import devpage
from devhost.blob_routes import blob_routes
from devhost.function_index import FunctionIndex
from devhost.http_dispatch import build_router, dispatch
from devhost.hub import HubState, hub_routes
from devhost.queue_runner import QueueRunner
from devhost.timers import TimerRunner
from shared import wiring
from shared.adapters.queue_store import QueueStore
from shared.http.cors import preflight_headers
from shared.settings import Settings, get_settings

# The app's own clients (the Web PubSub SDK's aiohttp pool keeps idle connections 15 s) call the dev host; if the
# host closed idle connections sooner (uvicorn's default is 5 s), a request could go out on a connection the host
# was closing and be reset. Like Azure's front ends, keep them open longer than any client does.
KEEP_ALIVE_SECONDS = 75

log = logging.getLogger("devhost")


class AnythingConvertor(Convertor[str]):
    """Starlette's `path` stops at a line break (`.*`); the Functions host hands any path to its router, so do we."""

    regex = "(?s:.*)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("anything", AnythingConvertor())


@dataclass
class DevHost:
    """What tests and the dev page reach into: the function index, the queue runner, timers and the hub."""

    settings: Settings
    index: FunctionIndex
    queue_store: QueueStore
    queue_runner: QueueRunner
    timers: TimerRunner
    hub: HubState


def create_app(settings: Settings | None = None, functions: func.FunctionApp | None = None,
               *, run_background: bool = True) -> Starlette:
    settings = settings or get_settings()
    if functions is None:
        from function_app import app as functions
    index = FunctionIndex.from_app(functions)
    router = build_router(index)
    store = QueueStore.from_settings(settings)
    host = DevHost(settings=settings, index=index, queue_store=store,
                   queue_runner=QueueRunner(index, store, settings), timers=TimerRunner(index),
                   hub=HubState.from_settings(settings))

    async def functions_endpoint(request: Request) -> Response:
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            headers = preflight_headers(request.headers.get("origin"), settings.cors_origins)
            return Response(status_code=204 if headers else 403, headers=headers or {})
        return await dispatch(router, request, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if run_background:
            host.queue_runner.start()
            host.timers.start()
        try:
            yield
        finally:
            await host.timers.stop()
            await host.queue_runner.stop()
            await host.hub.close()
            await wiring.close_all()
            store.close()

    prefix = index.route_prefix
    routes: list[Any] = [
        *hub_routes(host.hub, settings),
        *(blob_routes(settings) if settings.app_stack == "embedded" else []),
        Mount("/dev", routes=devpage.routes(host, router)),
        Route(f"/{prefix}" if prefix else "/", functions_endpoint, methods=_ALL_METHODS),
        Route(f"/{prefix}/{{rest:anything}}" if prefix else "/{rest:anything}", functions_endpoint,
              methods=_ALL_METHODS),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.devhost = host
    return app


_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
