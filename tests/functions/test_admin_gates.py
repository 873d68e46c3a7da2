"""Administrators' decisions are made by the domain's access gates, not only by the routes' `auth="admin"`: each
domain function behind an admin route (or an admin-only mode of a route) refuses a non-administrator itself, with
403 `admin_required`, even when called directly as another entry point (a queue handler, a CLI, a future route)
would call it. Run on the host's loop, on the stack under test; the same decisions through HTTP come last."""

from __future__ import annotations

import pytest

from shared.domain.accounts import admin as accounts_admin
from shared.domain.accounts.models import BanBody
from shared.domain.communities import comments, post_moderation, topics
from shared.domain.communities.post_models import DeleteQuery
from shared.domain.communities.topic_models import MyTopicsQuery
from shared.domain.models import manage
from shared.domain.models.schemas import ModelListQuery
from shared.errors import Forbidden
from tests.support.communities import create_topic, new_comment, new_post, ok, principal_of


@pytest.fixture(scope="module")
def stage(host, people):
    """A topic whose owner asked for its deletion, and a live topic with a post and a comment by its owner."""
    api = host.api
    doomed = create_topic(host, people.owner)
    ok(api.delete(f"/api/topics/{doomed['id']}", headers=people.owner.headers), 202)
    live = create_topic(host, people.owner)
    post = new_post(api, live["id"], people.owner)
    comment = new_comment(api, post["id"], people.owner)
    return {"doomed": doomed["id"], "post": post["id"], "comment": comment["id"]}


def decisions(stage, target_user_id):
    return {
        "list pending deletions": lambda p: topics.check_list_pending_deletions(p, MyTopicsQuery()),
        "approve a deletion": lambda p: topics.check_approve_deletion(p, stage["doomed"]),
        "reject a deletion": lambda p: topics.check_reject_deletion(p, stage["doomed"]),
        "ban a user": lambda p: accounts_admin.check_ban_user(p, target_user_id, BanBody(reason="spam and abuse")),
        "unban a user": lambda p: accounts_admin.check_unban_user(p, target_user_id),
        "delete a post for good": lambda p: post_moderation.check_delete_post(p, stage["post"],
                                                                              DeleteQuery(mode="hard")),
        "delete a comment for good": lambda p: comments.check_delete_comment(p, stage["comment"],
                                                                             DeleteQuery(mode="hard")),
        "list every model": lambda p: manage.check_list_models(p, ModelListQuery(scope="all")),
    }


@pytest.mark.parametrize("role", ["owner", "moderator", "member"])
def test_every_admin_decision_refuses_a_non_administrator_in_the_domain(host, people, stage, role):
    caller = principal_of(getattr(people, role))
    for name, decide in decisions(stage, people.other.id).items():
        with pytest.raises(Forbidden) as refused:
            host.run(lambda decide=decide: decide(caller))
        assert refused.value.code == "admin_required", name
    # nothing happened: the deletion still waits, the post, the comment and the user are still there
    pending = host.run(lambda: topics.check_list_pending_deletions(principal_of(people.admin, admin=True),
                                                                   MyTopicsQuery(limit=100)))
    assert stage["doomed"] in [t.id for t in pending.items]
    assert ok(host.api.get(f"/api/posts/{stage['post']}"))["id"] == stage["post"]
    assert ok(host.api.get(f"/api/comments/{stage['comment']}"))["id"] == stage["comment"]
    assert ok(host.api.get(f"/api/users/{people.other.id}"))["id"] == people.other.id


def test_an_administrator_passes_the_same_gates(host, people, stage):
    caller = principal_of(people.admin, admin=True)
    assert host.run(lambda: manage.check_list_models(caller, ModelListQuery(scope="all"))) is not None
    assert host.run(lambda: topics.check_reject_deletion(caller, stage["doomed"])).status == "active"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/admin/topics/pending-deletions"), ("POST", "/api/admin/topics/{topic}/approve-deletion"),
    ("POST", "/api/admin/topics/{topic}/reject-deletion"), ("GET", "/api/models?scope=all"),
    ("DELETE", "/api/posts/{post}?mode=hard"), ("DELETE", "/api/comments/{comment}?mode=hard")])
def test_through_http_the_same_decisions_answer_403_admin_required(host, api, people, stage, method, path):
    url = path.format(topic=stage["doomed"], post=stage["post"], comment=stage["comment"])
    refused = api.request(method, url, headers=people.owner.headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "admin_required"
