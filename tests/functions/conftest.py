"""Fixtures of the community API suites: the people who play each part in a topic, and fresh topics
(tests/support/communities.py builds both through the HTTP API)."""

from __future__ import annotations

import pytest

from tests.support.communities import People, build_world, make_people

contract_runs = pytest.StashKey[list]()  # what test_api_contract.py ran, printed at the end of the session


@pytest.fixture(scope="module")
def people(host) -> People:
    return make_people(host)


@pytest.fixture
def world(host, people):
    def make(*, private: bool = False, **topic_fields):
        return build_world(host, people, private=private, **topic_fields)

    return make


@pytest.fixture(scope="module")
def public(host, people):
    """A public topic shared by a module's tests."""
    return build_world(host, people)


@pytest.fixture(scope="module")
def private(host, people):
    """An invite-only topic shared by a module's tests."""
    return build_world(host, people, private=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    runs = config.stash.get(contract_runs, [])
    if not runs:
        return
    failed = sum(1 for report in terminalreporter.stats.get("failed", [])
                 if "test_api_contract.py" in report.nodeid)
    for run in runs:
        terminalreporter.write_line(
            f"schemathesis, every check ({run['stack']} stack): {run['operations']} operations, {run['requests']} "
            f"requests, {failed} failed, {run['seconds']} s")
