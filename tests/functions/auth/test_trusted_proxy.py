"""With TRUSTED_PROXIES=1 (a proxy of ours, e.g. Front Door, in front of the edge), the client address is the one
that proxy appended to X-Forwarded-For, so clients behind it get separate per-IP budgets; entries further left,
written by the client itself, still count for nothing."""

from pathlib import Path

import pytest

from functions.auth import rate_rules
from tests.conftest import stack_env
from tests.support.devhost import DevHostHandle


@pytest.fixture(scope="module")
def host(tmp_path_factory, stand_ins):
    handle = DevHostHandle(Path(tmp_path_factory.mktemp("devhost")),
                           {**stack_env(stand_ins), "TRUSTED_PROXIES": "1"}).start()
    try:
        yield handle
    finally:
        handle.stop()


def forgot(api, forwarded: str):
    return api.post("/api/auth/forgot-password", json={"email": "someone@example.com"},
                    headers={"X-Forwarded-For": forwarded})


def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_budget(host, api):
    for _ in range(rate_rules.FORGOT_PASSWORD.limit):
        assert forgot(api, "198.51.100.1").status_code == 202
    assert forgot(api, "198.51.100.1").status_code == 429
    assert forgot(api, "198.51.100.2").status_code == 202
    # what the client wrote to the left of the proxy's entry changes nothing
    assert forgot(api, "203.0.113.50, 198.51.100.1").status_code == 429
