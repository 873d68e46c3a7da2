import pytest

from tests.support.communities import everyone, forget_user_limits

RULES = ("reports_create", "report_actions", "tickets_create", "tickets_write")


@pytest.fixture(autouse=True)
def fresh_moderation_limits(request):
    if "people" in request.fixturenames:
        host, people = request.getfixturevalue("host"), request.getfixturevalue("people")
        forget_user_limits(host, *everyone(people), rules=RULES)
