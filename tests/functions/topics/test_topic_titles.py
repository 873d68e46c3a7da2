"""Title uniqueness never gives an invite-only topic away. Titles are unique among public topics only: an
invite-only topic reserves no title, so creating or renaming a topic to the title of an invite-only topic answers
exactly as for a title nobody uses, and a 409 `topic_title_taken` only ever points at a public topic, which the
caller could find in the public list anyway (docs/data-model.md)."""

from __future__ import annotations

from tests.support.communities import create_topic, new_title, ok, reset_topic_quota


def create(host, user, title: str, *, private: bool = False):
    reset_topic_quota(host, user)
    return host.api.post("/api/topics", json={"title": title, "require_approval": private}, headers=user.headers)


def shape(response) -> tuple[int, list[str]]:
    return response.status_code, sorted(response.json()["data"])


def test_an_outsider_creating_an_invite_only_topics_title_is_answered_like_for_an_unused_title(host, api, people):
    secret = create_topic(host, people.owner, private=True, title=new_title("Secret"))
    outsider = people.other
    same = create(host, outsider, secret["title"])
    unused = create(host, outsider, new_title("Unused"))
    assert shape(same) == shape(unused) and same.status_code == 201
    assert create(host, outsider, secret["title"].upper(), private=True).status_code == 201
    # the public topic now holds the title for public topics, and only that shows
    clash = create(host, people.member, secret["title"])
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "topic_title_taken"
    assert ok(api.get(f"/api/topics/{same.json()['data']['id']}"))["visibility"] == "public"


def test_renaming_to_an_invite_only_topics_title_is_answered_like_any_free_title(host, api, people):
    secret = create_topic(host, people.owner, private=True)
    mine = create_topic(host, people.other)
    renamed = api.put(f"/api/topics/{mine['id']}", json={"title": secret["title"]}, headers=people.other.headers)
    assert renamed.status_code == 200 and renamed.json()["data"]["title"] == secret["title"]


def test_invite_only_topics_may_share_titles_and_take_a_public_title(host, api, people):
    public = create_topic(host, people.owner)
    first = create(host, people.member, public["title"], private=True)
    second = create(host, people.other, public["title"], private=True)
    assert first.status_code == second.status_code == 201
    renamed = api.put(f"/api/topics/{first.json()['data']['id']}", json={"title": new_title("Renamed")},
                      headers=people.member.headers)
    assert renamed.status_code == 200
    back = api.put(f"/api/topics/{first.json()['data']['id']}", json={"title": public["title"]},
                   headers=people.member.headers)
    assert back.status_code == 200


def test_a_public_title_stays_unique_and_is_freed_by_a_rename(host, api, people):
    public = create_topic(host, people.owner)
    assert create(host, people.member, public["title"]).status_code == 409
    ok(api.put(f"/api/topics/{public['id']}", json={"title": new_title("Moved")}, headers=people.owner.headers))
    assert create(host, people.member, public["title"]).status_code == 201
