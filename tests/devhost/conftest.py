"""The dev hub on its own (no app) for the hub's suites; a module needing other hub options defines its own `hub`."""

import pytest

from shared.adapters.realtime_webpubsub import WebPubSubRealtime
from tests.devhost.hub_support import HUB, start_hub


@pytest.fixture(scope="module")
def hub():
    running = start_hub()
    yield running
    running.stop()


@pytest.fixture
async def realtime(hub):
    adapter = WebPubSubRealtime.from_connection_string(hub.connection_string(), HUB)
    yield adapter
    await adapter.close()
