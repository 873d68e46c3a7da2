"""Two topics for the moderation suites: `here` (where the people of tests/support/communities.py hold their parts)
and `there`, a second topic with a moderator of its own (`elsewhere`, a spare) who moderates nothing in `here`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support.communities import World, build_world, forget_user_limits, ok
from tests.support.users import TestUser

MODERATION_RULES = ("reports_create", "report_actions", "tickets_create", "tickets_write")


@dataclass
class Places:
    here: World
    there: World
    elsewhere: TestUser  # moderates `there` only


@pytest.fixture(scope="module")
def places(host, people) -> Places:
    here, there = build_world(host, people), build_world(host, people)
    elsewhere = people.spares[3]
    ok(host.api.post(f"/api/topics/{there.id}/moderators", json={"user_id": elsewhere.id},
                     headers=people.owner.headers))
    return Places(here=here, there=there, elsewhere=elsewhere)


@pytest.fixture(autouse=True)
def fresh_moderation_limits(request):
    if "people" in request.fixturenames:
        host, people = request.getfixturevalue("host"), request.getfixturevalue("people")
        from tests.support.communities import everyone

        forget_user_limits(host, *everyone(people), rules=MODERATION_RULES)
