"""Exact under concurrency, through the HTTP API (both stacks): fifty users reacting at once, one user's twenty
identical sends with one Idempotency-Key."""

from __future__ import annotations

from tests.functions.messages.conftest import forget_chat_limits
from tests.functions.posts.test_posts_concurrency import at_once
from tests.support.communities import everyone, ok, signup


def test_fifty_users_reacting_at_once_count_fifty(host, api, public, people):
    forget_chat_limits(host, *everyone(people))
    rid = f"{public.id}_general"
    message = ok(api.post(f"/api/chat-rooms/{rid}/messages", json={"content": "react!"},
                          headers=people.member.headers), 201)
    users = [signup(host) for _ in range(50)]
    url = f"/api/chat-rooms/{rid}/messages/{message['id']}/reactions/🎉"
    responses = at_once([("PUT", (host.url, url), {"headers": u.headers}) for u in users])
    assert [r.status_code for r in responses] == [200] * 50
    assert ok(api.get(f"/api/messages/{message['id']}"))["reactions"] == [{"emoji": "🎉", "count": 50}]
    # and one user's fifty identical ones count once
    same = at_once([("PUT", (host.url, url), {"headers": people.member.headers}) for _ in range(50)])
    assert {r.status_code for r in same} == {200}
    assert ok(api.get(f"/api/messages/{message['id']}"))["reactions"] == [{"emoji": "🎉", "count": 51}]
    taken_back = at_once([("DELETE", (host.url, url), {"headers": u.headers}) for u in users[:25]])
    assert {r.status_code for r in taken_back} == {200}
    assert ok(api.get(f"/api/messages/{message['id']}"))["reactions"] == [{"emoji": "🎉", "count": 26}]


def test_twenty_sends_with_one_idempotency_key_store_one_message(host, api, public, people):
    forget_chat_limits(host, *everyone(people))
    rid = f"{public.id}_general"
    before = ok(api.get(f"/api/chat-rooms/{rid}/messages?limit=1"))["items"]
    headers = {**people.member.headers, "Idempotency-Key": f"send-{rid}-{len(before)}-once"}
    url = f"/api/chat-rooms/{rid}/messages"
    responses = at_once([("POST", (host.url, url), {"json": {"content": "exactly once"}, "headers": headers})
                         for _ in range(20)])
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409} and 201 in statuses
    ids = {r.json()["data"]["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    again = api.post(url, json={"content": "exactly once"}, headers=headers)
    assert again.status_code == 201 and again.json()["data"]["id"] in ids
    page = ok(api.get(f"/api/chat-rooms/{rid}/messages?limit=100"))["items"]
    assert [m["content"] for m in page].count("exactly once") == 1
    # what the store holds, past the HTTP layer's replay: one message, one marker
    from shared.domain.chat.documents import message_docs
    from shared.ports import Query, Where

    async def stored():
        return (await message_docs.query(Query(where=[Where("content", "=", "exactly once")]), pk=rid)).items

    assert len(host.run(stored)) == 1
