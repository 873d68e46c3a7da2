"""Chat attachments through the HTTP API (both stacks): signed uploads, the type sniffed from the bytes against an
allow-list, files readable only by who may read the message, served inline only when a safe image."""

from __future__ import annotations

import httpx

from tests.functions.messages.conftest import build_room, code
from tests.support.communities import ok

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
HTML = b"<html><script>alert(1)</script></html>"


def upload(api, user, data, filename="file.bin", content_type="application/octet-stream"):
    target = ok(api.post("/api/attachments/upload-url", json={"filename": filename, "content_type": content_type,
                                                                "size": len(data)}, headers=user.headers), 201)
    put = httpx.request(target["method"], target["upload_url"], content=data, headers=target["headers"])
    assert put.status_code < 300, put.text
    return target["attachment_id"]


def test_files_are_sniffed_attached_and_served_to_readers_only(host, api, public):
    chat = build_room(host, public, public=False)
    p = chat.people
    image, pdf = upload(api, p.member, PNG, "cat.png", "image/png"), upload(api, p.member, PDF, "doc.pdf")
    message = ok(api.post(f"/api/chat-rooms/{chat.id}/messages", json={"content": "files",
                                                                       "attachments": [image, pdf]},
                          headers=p.member.headers), 201)
    assert [(a["filename"], a["mime_type"]) for a in message["attachments"]] == [("cat.png", "image/png"),
                                                                                 ("doc.pdf", "application/pdf")]
    shown = ok(api.get(f"/api/attachments/{image}", headers=p.moderator.headers))
    assert shown["disposition"] == "inline" and shown["mime_type"] == "image/png"
    assert httpx.get(shown["url"]).content == PNG
    download = ok(api.get(f"/api/attachments/{pdf}", headers=p.owner.headers))
    assert download["disposition"] == "attachment"
    assert httpx.get(download["url"]).content == PDF
    for outsider in (p.other.headers, {}):
        assert code(api.get(f"/api/attachments/{image}", headers=outsider)) == "attachment_not_found"
    # a file belongs to one message
    again = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"attachments": [image]}, headers=p.member.headers)
    assert again.status_code == 422 and code(again) == "attachment_not_found"
    # unsent: the file is no longer served
    ok(api.delete(f"/api/chat-rooms/{chat.id}/messages/{message['id']}", headers=p.member.headers))
    assert code(api.get(f"/api/attachments/{image}", headers=p.moderator.headers)) == "attachment_not_found"


def test_what_is_not_allowed_is_refused(host, api, public):
    chat = build_room(host, public)
    p = chat.people
    disguised = upload(api, p.member, HTML, "cat.png", "image/png")
    refused = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"attachments": [disguised]},
                       headers=p.member.headers)
    assert refused.status_code == 422 and code(refused) == "attachment_type_not_allowed"
    someone_elses = upload(api, p.moderator, PNG, "x.png")
    stolen = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"attachments": [someone_elses]},
                      headers=p.member.headers)
    assert stolen.status_code == 422 and code(stolen) == "attachment_not_found"
    not_uploaded = ok(api.post("/api/attachments/upload-url", json={"filename": "a.png", "content_type": "image/png",
                                                                     "size": 10}, headers=p.member.headers), 201)
    early = api.post(f"/api/chat-rooms/{chat.id}/messages", json={"attachments": [not_uploaded["attachment_id"]]},
                     headers=p.member.headers)
    assert early.status_code == 422 and code(early) == "attachment_not_uploaded"
    huge = api.post("/api/attachments/upload-url", json={"filename": "big.zip", "content_type": "application/zip",
                                                         "size": 10**10}, headers=p.member.headers)
    assert huge.status_code == 413 and code(huge) == "attachment_too_large"
    assert api.post("/api/attachments/upload-url", json={"filename": "a", "content_type": "a/b", "size": 1}
                    ).status_code == 401


def test_room_picture_and_background_are_uploaded_images(host, api, public):
    chat = build_room(host, public, public=False)
    p = chat.people
    assert code(api.get(f"/api/chat-rooms/{chat.id}/picture", headers=p.member.headers)) == "image_not_found"
    picture = upload(api, p.moderator, PNG, "room.png", "image/png")
    room = ok(api.put(f"/api/chat-rooms/{chat.id}/picture", json={"attachment_id": picture},
                      headers=p.moderator.headers))
    assert room["has_picture"] and not room["has_background"]
    shown = ok(api.get(f"/api/chat-rooms/{chat.id}/picture", headers=p.member.headers))
    assert httpx.get(shown["url"]).content == PNG
    assert api.get(f"/api/chat-rooms/{chat.id}/picture", headers=p.other.headers).status_code == 404
    pdf = upload(api, p.moderator, PDF, "doc.pdf")
    refused = api.put(f"/api/chat-rooms/{chat.id}/background", json={"attachment_id": pdf},
                      headers=p.moderator.headers)
    assert refused.status_code == 422 and code(refused) == "image_required"
    mine = upload(api, p.member, PNG, "bg.png")
    assert code(api.put(f"/api/chat-rooms/{chat.id}/background", json={"attachment_id": mine},
                        headers=p.member.headers)) == "moderators_only"
    background = upload(api, p.owner, PNG, "bg.png")
    assert ok(api.put(f"/api/chat-rooms/{chat.id}/background", json={"attachment_id": background},
                      headers=p.owner.headers))["has_background"]
