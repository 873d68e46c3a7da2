"""Other people: public cards (never the email), username search (never by email), blocking."""

from tests.support.users import ok, signup


def test_a_public_card_by_id_or_username_never_carries_the_email(host, api):
    user, viewer = signup(host), signup(host)
    by_id = ok(api.get(f"/api/users/{user.id}", headers=viewer.headers))
    by_name = ok(api.get(f"/api/users/by-username/{user.username.upper()}"))
    assert by_id == by_name and by_id["username"] == user.username
    assert set(by_id) == {"id", "username", "display_name", "bio", "avatar_url", "banner_url", "created_at"}
    assert user.email not in str(by_id)
    assert api.get(f"/api/users/{'f' * 32}").status_code == 404
    assert api.get("/api/users/by-username/no_such_person").status_code == 404


def test_search_matches_username_prefixes_only_and_pages_with_a_cursor(host, api):
    prefix = "srch" + signup(host).username[-6:]
    users = [signup(host, f"{prefix}{i}") for i in range(5)]
    searcher = users[0]
    first = ok(api.get("/api/users/search", params={"q": prefix.upper(), "limit": 2}, headers=searcher.headers))
    assert len(first["items"]) == 2 and first["next_cursor"]
    seen = [u["username"] for u in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = ok(api.get("/api/users/search", params={"q": prefix, "limit": 2, "cursor": cursor},
                          headers=searcher.headers))
        seen += [u["username"] for u in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted(u.username for u in users)
    assert all("email" not in u for u in first["items"])


def test_search_never_matches_or_returns_email_addresses(host, api):
    user = signup(host)
    hidden = signup(host, email=f"zzhidden{user.username[-6:]}@example.com")
    local_part = hidden.email.split("@")[0]
    assert ok(api.get("/api/users/search", params={"q": local_part}, headers=user.headers))["items"] == []
    for q in (hidden.email, "@example.com", "example.com"):
        response = api.get("/api/users/search", params={"q": q}, headers=user.headers)
        assert response.status_code == 422 or response.json()["data"]["items"] == []
    found = ok(api.get("/api/users/search", params={"q": hidden.username}, headers=user.headers))["items"]
    assert [u["id"] for u in found] == [hidden.id] and hidden.email not in str(found)


def test_search_needs_a_short_username_like_prefix(host, api):
    user = signup(host)
    for q in ("a", "x" * 21, "a b", ".*", "a%", ""):
        assert api.get("/api/users/search", params={"q": q}, headers=user.headers).status_code == 422


def test_blocking_is_idempotent_listed_newest_first_and_undone_by_unblocking(host, api):
    user, first, second = signup(host), signup(host), signup(host)
    ok(api.post(f"/api/users/{first.id}/block", headers=user.headers), 201)
    ok(api.post(f"/api/users/{first.id}/block", headers=user.headers), 201)
    ok(api.post(f"/api/users/{second.id}/block", headers=user.headers), 201)
    listed = ok(api.get("/api/users/me/blocked", headers=user.headers))["items"]
    assert [u["id"] for u in listed] == [second.id, first.id]
    assert ok(api.get("/api/users/me/blocked", headers=first.headers))["items"] == []
    assert api.delete(f"/api/users/{first.id}/block", headers=user.headers).status_code == 204
    assert api.delete(f"/api/users/{first.id}/block", headers=user.headers).status_code == 404
    assert [u["id"] for u in ok(api.get("/api/users/me/blocked", headers=user.headers))["items"]] == [second.id]


def test_blocking_yourself_or_nobody_is_refused(host, api):
    user = signup(host)
    assert api.post(f"/api/users/{user.id}/block", headers=user.headers).status_code == 422
    assert api.post(f"/api/users/{'e' * 32}/block", headers=user.headers).status_code == 404
