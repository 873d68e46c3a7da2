import pytest

from tests.support.users import forget_ip_limits


@pytest.fixture(autouse=True)
def fresh_ip_limits(request):
    """Each API test starts with the loopback's per-IP windows empty (every request here comes from 127.0.0.1)."""
    if "host" in request.fixturenames:
        forget_ip_limits(request.getfixturevalue("host"))
