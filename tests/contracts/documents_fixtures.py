"""Fixtures for the documents contract: one store per test, on SQLite (a temp file) or on Cosmos (the launcher).

The Cosmos stand-in starts once per session; each test gets its own database, so tests never see each other's
documents. When the stand-in cannot start, the cosmos tests fail (a fixture error), they are never skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from devhost.standins.cosmos import EMULATOR_KEY, endpoint, start_cosmos
from devhost.standins.processes import StandIn
from shared.adapters.documents_sqlite import SqliteDocuments

DOCUMENT_BACKENDS = ["sqlite", "cosmos"]


@pytest.fixture(scope="session")
def cosmos_standin(tmp_path_factory: pytest.TempPathFactory) -> StandIn:
    standin = start_cosmos(tmp_path_factory.mktemp("cosmos-standin"))
    yield standin
    standin.stop()


def make_store(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh, empty store: a new SQLite file, or a new Cosmos database (drop it with dispose)."""
    if backend == "sqlite":
        return SqliteDocuments(tmp_path / "documents.sqlite3")
    from shared.adapters.documents_cosmos import CosmosDocuments

    standin: StandIn = request.getfixturevalue("cosmos_standin")
    return CosmosDocuments(endpoint=endpoint(standin), key=EMULATOR_KEY, database=f"test-{uuid.uuid4().hex[:12]}")


async def dispose(store: Any) -> None:
    if hasattr(store, "drop_database"):
        await store.drop_database()
    await store.close()


@asynccontextmanager
async def documents_store_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator:
    store = make_store(backend, request, tmp_path)
    try:
        yield store
    finally:
        await dispose(store)
