"""The content filter refuses (422 content_blocked), never rewrites: block lists from the settings and the
critical-content check, on posts and comments, created or edited."""

from __future__ import annotations

import pytest

from tests.support.communities import new_comment, new_post, ok


@pytest.fixture
def blocked_words(monkeypatch):
    from shared.settings import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "content_blocked_words", ["Scamcoin", "buy followers"])
    monkeypatch.setattr(settings, "content_blocked_patterns", [r"free\s+v-?bucks", "(unclosed"])
    yield


def refused(response, rule, field):
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "content_blocked" and error["details"] == {"field": field, "rule": rule}
    assert "scamcoin" not in response.text.lower()


def test_blocked_words_and_patterns_refuse_posts_and_comments(host, api, places, people, blocked_words):
    topic = places.here.id
    url = f"/api/posts/topics/{topic}/posts"
    refused(api.post(url, json={"title": "Get SCAMCOIN now"}, headers=people.member.headers), "blocked_word",
            "body.title")
    refused(api.post(url, json={"title": "hello", "content": "Free  vbucks here"}, headers=people.member.headers),
            "blocked_pattern", "body.content")
    # whole words only, and what is allowed is stored exactly as written (line breaks, spacing, links)
    text = "Scamcoins are a word I made up.\n\n  Two  spaces, https://example.org stays."
    post = new_post(api, topic, people.member, content=text)
    assert ok(api.get(f"/api/posts/{post['id']}", headers=people.other.headers))["content"] == text
    refused(api.put(f"/api/posts/{post['id']}", json={"content": "buy followers cheap"},
                    headers=people.member.headers), "blocked_word", "body.content")
    refused(api.post(f"/api/comments/posts/{post['id']}/comments", json={"content": "scamcoin!"},
                     headers=people.other.headers), "blocked_word", "body.content")
    comment = new_comment(api, post["id"], people.other, "fine words")
    refused(api.put(f"/api/comments/{comment['id']}", json={"content": "Buy Followers"},
                    headers=people.other.headers), "blocked_word", "body.content")
    refused(api.post(f"/api/comments/{comment['id']}/reply", json={"content": "scamcoin"},
                     headers=people.member.headers), "blocked_word", "body.content")
    posts = ok(api.get(url, params={"limit": 100}, headers=people.other.headers))["items"]
    assert all("scamcoin" not in (p["title"] + (p.get("content") or "")).lower().split() for p in posts)


def test_the_critical_check_refuses_threats_without_any_settings(host, api, places, people):
    url = f"/api/posts/topics/{places.here.id}/posts"
    refused(api.post(url, json={"title": "listen", "content": "I am going to kill you tomorrow"},
                     headers=people.member.headers), "critical", "body.content")
    refused(api.post(url, json={"title": "vou te matar"}, headers=people.member.headers), "critical", "body.title")
    ok(api.post(url, json={"title": "This bug is killing me"}, headers=people.member.headers), 201)


def test_chat_can_call_the_same_check():
    from shared.domain.moderation import content_filter
    from shared.errors import ValidationFailed

    content_filter.check_text(message="hello there")
    with pytest.raises(ValidationFailed) as refusal:
        content_filter.check_text(message="kys")
    assert refusal.value.code == "content_blocked"
