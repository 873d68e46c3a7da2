"""One's own profile: read, partial update with the username rules, images through signed uploads, preferences."""

import httpx

from shared.domain.accounts.profiles import IMAGE_LIMITS
from tests.support.users import login, ok, signup

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 200


def test_my_profile_has_my_private_fields_and_a_partial_update_changes_only_what_was_sent(host, api):
    user = signup(host)
    me = ok(api.get("/api/users/me", headers=user.headers))
    assert me["email"] == user.email and me["preferences"]["language"] == "en"
    ok(api.patch("/api/users/me", json={"display_name": "Alice A.", "bio": "hello"}, headers=user.headers))
    me = ok(api.patch("/api/users/me", json={"bio": "changed"}, headers=user.headers))
    assert (me["display_name"], me["bio"], me["username"]) == ("Alice A.", "changed", user.username)
    assert ok(api.patch("/api/users/me", json={"bio": None}, headers=user.headers))["bio"] is None


def test_a_username_change_rechecks_the_rules_and_frees_the_old_name(host, api):
    user, other = signup(host), signup(host)
    for bad in ("ab", "has space", "-dash", "admin", "x" * 21, "emoji🙂"):
        refused = api.patch("/api/users/me", json={"username": bad}, headers=user.headers)
        assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "body.username"
    taken = api.patch("/api/users/me", json={"username": other.username.upper()}, headers=user.headers)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "username_taken"
    assert api.patch("/api/users/me", json={"username": None}, headers=user.headers).status_code == 422

    new_name = "renamed_" + user.username[-8:]
    assert ok(api.patch("/api/users/me", json={"username": new_name}, headers=user.headers))["username"] == new_name
    assert ok(api.get("/api/auth/me", headers=user.headers))["user"]["username"] == new_name
    ok(login(host, new_name, user.password))
    assert login(host, user.username, user.password).status_code == 401
    assert ok(api.get(f"/api/users/by-username/{new_name}"))["id"] == user.id
    assert api.get(f"/api/users/by-username/{user.username}").status_code == 404
    # the old name is free for someone else
    ok(api.patch("/api/users/me", json={"username": user.username}, headers=other.headers))
    # changing only the letter case keeps the name
    assert ok(api.patch("/api/users/me", json={"username": new_name.upper()}, headers=user.headers))["username"] \
        == new_name.upper()


def upload(api, user, kind: str, data: bytes, content_type: str = "image/png") -> tuple[dict, httpx.Response]:
    target = ok(api.post(f"/api/users/me/{kind}/upload", json={"content_type": content_type}, headers=user.headers))
    assert target["max_bytes"] == IMAGE_LIMITS[kind]
    with httpx.Client(timeout=60) as storage:
        put = storage.request(target["method"], target["url"], content=data, headers=target["headers"])
    return target, put


def test_an_avatar_is_uploaded_through_a_signed_url_checked_and_shown_on_the_card(host, api):
    user, viewer = signup(host), signup(host)
    target, put = upload(api, user, "avatar", PNG)
    assert put.status_code in (200, 201)
    me = ok(api.post("/api/users/me/avatar/confirm", json={"upload_id": target["upload_id"]}, headers=user.headers))
    assert me["avatar_url"]
    card = ok(api.get(f"/api/users/{user.id}", headers=viewer.headers))
    with httpx.Client(timeout=60) as storage:
        assert storage.get(card["avatar_url"]).content == PNG

    second, _ = upload(api, user, "avatar", WEBP, "image/webp")
    me = ok(api.post("/api/users/me/avatar/confirm", json={"upload_id": second["upload_id"]}, headers=user.headers))
    with httpx.Client(timeout=60) as storage:
        assert storage.get(me["avatar_url"]).content == WEBP
    # the replaced file is gone, and its upload id cannot be confirmed again
    assert api.post("/api/users/me/avatar/confirm", json={"upload_id": target["upload_id"]},
                    headers=user.headers).status_code == 404
    assert api.delete("/api/users/me/avatar", headers=user.headers).status_code == 204
    assert ok(api.get("/api/users/me", headers=user.headers))["avatar_url"] is None


def test_a_file_that_is_not_an_image_is_refused_and_deleted_whatever_its_declared_type(host, api):
    user = signup(host)
    target, put = upload(api, user, "banner", b"<!doctype html><script>alert(1)</script>" + b" " * 100)
    assert put.status_code in (200, 201)
    refused = api.post("/api/users/me/banner/confirm", json={"upload_id": target["upload_id"]}, headers=user.headers)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unsupported_image"
    assert api.post("/api/users/me/banner/confirm", json={"upload_id": target["upload_id"]},
                    headers=user.headers).status_code == 404
    assert ok(api.get("/api/users/me", headers=user.headers))["banner_url"] is None


def test_an_image_over_the_size_limit_never_becomes_the_avatar(host, api):
    user = signup(host)
    target, put = upload(api, user, "avatar", PNG + b"\x00" * IMAGE_LIMITS["avatar"])
    if put.status_code in (200, 201):  # Blob Storage SAS cannot cap the size: the confirm step checks it
        refused = api.post("/api/users/me/avatar/confirm", json={"upload_id": target["upload_id"]},
                           headers=user.headers)
        assert refused.status_code == 413 and refused.json()["error"]["code"] == "image_too_large"
    else:  # the dev host's signed URLs refuse it while reading the body
        assert put.status_code == 413
    assert ok(api.get("/api/users/me", headers=user.headers))["avatar_url"] is None


def test_only_image_types_can_be_requested_for_upload(host, api):
    user = signup(host)
    for content_type in ("text/html", "image/svg+xml", "application/pdf"):
        refused = api.post("/api/users/me/avatar/upload", json={"content_type": content_type}, headers=user.headers)
        assert refused.status_code == 422
    assert api.post("/api/users/me/cover/upload", json={"content_type": "image/png"},
                    headers=user.headers).status_code in (404, 422)


def test_preferences_are_a_partial_update_not_a_replace(host, api):
    user = signup(host)
    ok(api.patch("/api/users/me/preferences", json={"theme": "dark"}, headers=user.headers))
    prefs = ok(api.patch("/api/users/me/preferences", json={"language": "pt"}, headers=user.headers))
    assert (prefs["theme"], prefs["language"], prefs["email_notifications"]) == ("dark", "pt", True)
    assert ok(api.get("/api/users/me/preferences", headers=user.headers)) == prefs
    refused = api.patch("/api/users/me/preferences", json={"theme": "neon"}, headers=user.headers)
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "body.theme"


def test_mail_follows_the_language_preference(host, api):
    user = signup(host)
    ok(api.patch("/api/users/me/preferences", json={"language": "pt"}, headers=user.headers))
    api.post("/api/auth/forgot-password", json={"email": user.email})
    from tests.support.users import mails_to

    newest = mails_to(host, user.email)[0]
    assert newest["subject"] == "Reponha a sua palavra-passe" and "O seu token:" in newest["text"]


def test_empty_and_truncated_files_are_refused(host, api):
    user = signup(host)
    for data in (b"", b"GIF", b"\x89PN"):
        target, put = upload(api, user, "avatar", data)
        assert put.status_code in (200, 201), put.text
        refused = api.post("/api/users/me/avatar/confirm", json={"upload_id": target["upload_id"]},
                           headers=user.headers)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "unsupported_image"
