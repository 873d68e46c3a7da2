"""Fixtures shared by every suite. API tests run on the stack named by APP_STACK (embedded by default);
`make test` runs them once per stack."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.devhost import DevHostHandle

STACK = os.environ.get("APP_STACK", "embedded")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def stand_ins(tmp_path_factory) -> Iterator[dict[str, str]]:
    """The azure stack's local stand-ins, started once per session: Cosmos emulator and Azurite."""
    if STACK != "azure":
        yield {}
        return
    from devhost.standins.azurite import start_azurite
    from devhost.standins.cosmos import EMULATOR_KEY, endpoint, start_cosmos

    logs = tmp_path_factory.mktemp("stand-in-logs")
    cosmos = start_cosmos(logs)
    azurite = start_azurite(logs)
    try:
        yield {"COSMOS_ENDPOINT": endpoint(cosmos), "COSMOS_KEY": EMULATOR_KEY,
               "STORAGE_CONNECTION_STRING": azurite.connection_string}
    finally:
        cosmos.stop()
        azurite.stop()


def stack_env(stand_ins: dict[str, str]) -> dict[str, str]:
    if STACK != "azure":
        return {"APP_STACK": "embedded", "REDIS_URL": "", "QUEUE_BACKEND": "devhost", "MAIL_BACKEND": "outbox"}
    return {"APP_STACK": "azure", **stand_ins, "COSMOS_DATABASE": f"test-{uuid.uuid4().hex[:10]}",
            "REDIS_URL": REDIS_TEST_URL, "QUEUE_BACKEND": "devhost", "MAIL_BACKEND": "outbox"}


@pytest.fixture(scope="module")
def host(tmp_path_factory, stand_ins) -> Iterator[DevHostHandle]:
    handle = DevHostHandle(Path(tmp_path_factory.mktemp("devhost")), stack_env(stand_ins)).start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def api(host: DevHostHandle):
    return host.api


class ContractViolations(logging.Handler):
    """Collects the dev host's response contract violations (shared/http/contract.py), which are logged as well as
    answered with a 500: a test that checks no status (or expects a 5xx) still fails on one."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("response contract violation"):
            self.found.append(record.getMessage())


@pytest.fixture(autouse=True)
def keeps_the_api_contract(request):
    handler = ContractViolations()
    logger = logging.getLogger("topicsflow.http")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    if handler.found and request.node.get_closest_marker("breaks_the_contract") is None:
        pytest.fail("the API broke its contract:\n" + "\n".join(handler.found[:20]), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    """`make test` must never silently skip a suite: a skipped test fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"FAILED: {len(skipped)} test(s) were skipped; no suite may be skipped.", red=True)
