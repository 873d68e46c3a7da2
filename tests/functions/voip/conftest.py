"""The call suites run on a dev host configured against a real coturn on loopback (tests/support/turn.py), with a
short participant timeout so the stale-call timer can be shown to work within a test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import stack_env
from tests.support.devhost import DevHostHandle
from tests.support.turn import TurnServer
from tests.support.turn import coturn_fixture as coturn  # noqa: F401 - the session's coturn

PARTICIPANT_TIMEOUT_SECONDS = 2


@pytest.fixture(scope="module")
def host(tmp_path_factory, stand_ins, coturn: TurnServer) -> Iterator[DevHostHandle]:  # noqa: F811
    env = {**stack_env(stand_ins), **coturn.app_settings(),
           "VOIP_PARTICIPANT_TIMEOUT_SECONDS": str(PARTICIPANT_TIMEOUT_SECONDS)}
    handle = DevHostHandle(Path(tmp_path_factory.mktemp("devhost")), env).start()
    try:
        yield handle
    finally:
        handle.stop()
