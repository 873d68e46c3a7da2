"""De-anonymisation: walk every route and event that can show an anonymous post or comment, as every kind of
reader below administrator (and the author), and find no trace of the author's id or username.

TopicsFlow leaked anonymous authors through GET responses (`user_id`), mention notifications, voter lists and
a silent fall-back to the real name; each of those paths is walked here.
"""

from __future__ import annotations

import json

import httpx

from tests.support.communities import ok, signup

CONTENT_EVENTS = {"new_post", "post_updated", "post_deleted", "post_voted", "new_comment", "comment_updated",
                  "comment_deleted", "comment_voted", "new_notification"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_nothing_a_reader_or_a_group_receives_names_the_anonymous_author(api, host, world):
    w = world()
    p = w.people
    author = signup(host)
    ok(api.post(f"/api/topics/{w.id}/join", headers=author.headers))
    secrets = (author.id, author.username, author.username.lower(), author.email)
    readers = {"anonymous": {}, "other": p.other.headers, "member": p.member.headers,
               "moderator": p.moderator.headers, "owner": p.owner.headers, "author": author.headers}
    seen: list[tuple[str, str]] = []

    def look(label, response):
        assert response.status_code < 400, (label, response.status_code, response.text)
        seen.append((label, response.text))
        return response.json().get("data") if response.content else None

    # the author writes: an anonymous post with an image and a mention, an edit, anonymous comments and replies
    target = ok(api.post("/api/posts/images/upload-url", json={"content_type": "image/png", "size": len(PNG)},
                         headers=author.headers), 201)
    httpx.request(target["method"], target["upload_url"], content=PNG, headers=target["headers"])
    post = look("create post", api.post(f"/api/posts/topics/{w.id}/posts", headers=author.headers, json={
        "title": "asking for a friend", "content": f"hello @{p.other.username}", "use_anonymous": True,
        "image_id": target["image_id"]}))
    pid = post["id"]
    look("edit post", api.put(f"/api/posts/{pid}", json={"content": f"edited, @{p.member.username}"},
                              headers=author.headers))
    look("vote own post", api.put(f"/api/posts/{pid}/vote", json={"value": 1}, headers=author.headers))
    look("vote", api.post(f"/api/posts/{pid}/upvote", headers=p.other.headers))
    named = look("named comment", api.post(f"/api/comments/posts/{pid}/comments", json={"content": "named"},
                                           headers=p.owner.headers))
    comment = look("anonymous comment", api.post(f"/api/comments/posts/{pid}/comments", headers=author.headers,
                                                 json={"content": f"me again @{p.owner.username}",
                                                       "use_anonymous": True}))
    reply = look("anonymous reply", api.post(f"/api/comments/{named['id']}/reply", headers=author.headers,
                                             json={"content": "replying anonymously", "use_anonymous": True}))
    look("reply to anonymous", api.post(f"/api/comments/{comment['id']}/reply", json={"content": "who are you?"},
                                        headers=p.member.headers))
    look("edit comment", api.put(f"/api/comments/{comment['id']}", json={"content": "edited comment"},
                                 headers=author.headers))
    look("vote comment", api.put(f"/api/comments/{comment['id']}/vote", json={"value": 1}, headers=author.headers))
    look("report", api.post(f"/api/posts/{pid}/report", json={"reason": "who wrote this"}, headers=p.other.headers))
    look("report comment", api.post(f"/api/comments/{comment['id']}/report", json={"reason": "hmm"},
                                    headers=p.member.headers))
    look("pin", api.post(f"/api/posts/{pid}/pin", headers=p.moderator.headers))
    host.drain()

    # every reader reads everything that shows the post or the comments
    for label, headers in readers.items():
        for sort in ("new", "old", "top", "hot", "active"):
            look(f"{label} list {sort}", api.get(f"/api/posts/topics/{w.id}/posts", params={"sort": sort},
                                                 headers=headers))
        for url in (f"/api/posts/{pid}", f"/api/posts/{pid}/history", "/api/posts/recent", "/api/posts/feed",
                    f"/api/comments/posts/{pid}/comments", f"/api/comments/{comment['id']}",
                    f"/api/comments/{comment['id']}/replies", f"/api/comments/{comment['id']}/history",
                    f"/api/comments/{named['id']}/replies", f"/api/comments/{reply['id']}"):
            look(f"{label} {url}", api.get(url, headers=headers))
        if headers:
            look(f"{label} notifications", api.get("/api/notifications", headers=headers))
    look("reports queue", api.get(f"/api/posts/topics/{w.id}/reports", headers=p.moderator.headers))
    look("moderator remove", api.post(f"/api/comments/{reply['id']}/remove", json={"reason": "test"},
                                      headers=p.moderator.headers))
    look("moderator removes post", api.post(f"/api/posts/{pid}/remove", json={"reason": "test"},
                                            headers=p.moderator.headers))
    look("moderator reads removed", api.get(f"/api/posts/{pid}", headers=p.moderator.headers))
    look("author deletes comment", api.delete(f"/api/comments/{comment['id']}", headers=author.headers))

    # the mentioned and replied-to users were notified, under the alias
    for user in (p.other, p.member, p.owner):
        kinds = {n["type"] for n in ok(api.get("/api/notifications", headers=user.headers))["items"]}
        assert "mention" in kinds, (user.username, kinds)
    assert "reply" in {n["type"] for n in ok(api.get("/api/notifications", headers=p.owner.headers))["items"]}

    # every posts, comments and notifications event the hub delivered, to any group (joining the topic is not
    # anonymous, so the topics part's membership events are not part of this walk)
    for event in host.events():
        if event["type"] not in CONTENT_EVENTS:
            continue
        seen.append((f"event {event['group']} {event['type']}", json.dumps(event["data"])))
    assert any(label.startswith("event topic_") for label, _ in seen)
    assert any(label.startswith("event post_") for label, _ in seen)
    assert any("new_notification" in label for label, _ in seen)

    for label, text in seen:
        lowered = text.lower()
        for secret in secrets:
            assert secret.lower() not in lowered, f"{label} shows {secret!r}: {text[:400]}"

    # only an administrator may see who it was
    admin_view = ok(api.get(f"/api/posts/{pid}", headers=p.admin.headers))
    assert admin_view["moderation"]["real_author_id"] == author.id
