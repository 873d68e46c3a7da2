"""Domain tests for communities run on the real SQLite documents adapter in a temporary file.

Realtime delivery is not what these tests are about (the API suites assert published events through the dev
host's real Web PubSub hub), so the realtime port here only records what was sent: no hub runs in these tests,
and the SDK client would spend seconds retrying a hub that is not there.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared import wiring
from shared.adapters.documents_sqlite import SqliteDocuments
from shared.domain.communities.containers import USERS


class RecordedRealtime:
    """Keeps the calls made to the realtime port, in order, as (method, args)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, method: str):
        async def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((method, args))

        return record


@pytest.fixture
async def store(tmp_path):
    wiring.reset()
    docs = SqliteDocuments(tmp_path / "documents.sqlite3")
    wiring.override("documents", docs)
    wiring.override("realtime", RecordedRealtime())
    yield docs
    await docs.close()
    wiring.reset()


@pytest.fixture
def make_user(store):
    async def make(name: str) -> str:
        await store.create(USERS, {"id": f"u_{name}", "pk": f"u_{name}", "username": name})
        return f"u_{name}"

    return make
