"""Fixtures for this API suite: the people and topic builders of tests/functions/posts/helpers.py."""

from __future__ import annotations

import pytest

from tests.functions.posts.helpers import People, build_world, make_people


@pytest.fixture(scope="module")
def people(host) -> People:
    return make_people(host)


@pytest.fixture
def world(host, people):
    def make(*, private: bool = False, **topic_fields):
        return build_world(host, people, private=private, **topic_fields)

    return make
