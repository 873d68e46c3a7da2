"""Files in direct messages (both stacks): the same signed uploads and sniffing as chat, and only the two people of
the conversation may read them."""

from __future__ import annotations

import httpx

from tests.functions.messages.test_chat_attachments import PDF, PNG, upload
from tests.support.communities import ok
from tests.support.users import signup


def test_a_file_sent_in_a_dm_is_readable_by_the_pair_only(host, api):
    alice, bob, carol = signup(host), signup(host), signup(host)
    image, pdf = upload(api, alice, PNG, "cat.png", "image/png"), upload(api, alice, PDF, "doc.pdf")
    message = ok(api.post("/api/messages/private", json={"to_user_id": bob.id, "attachments": [image, pdf]},
                          headers=alice.headers), 201)
    assert [(a["filename"], a["mime_type"]) for a in message["attachments"]] == [("cat.png", "image/png"),
                                                                                 ("doc.pdf", "application/pdf")]
    for reader in (alice, bob):
        shown = ok(api.get(f"/api/attachments/{image}", headers=reader.headers))
        assert shown["disposition"] == "inline" and httpx.get(shown["url"]).content == PNG
    assert ok(api.get(f"/api/attachments/{pdf}", headers=bob.headers))["disposition"] == "attachment"
    for outsider in (carol.headers, {}):
        refused = api.get(f"/api/attachments/{image}", headers=outsider)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "attachment_not_found"


def test_a_file_can_be_sent_once_and_only_by_its_uploader(host, api):
    alice, bob = signup(host), signup(host)
    image = upload(api, alice, PNG, "cat.png", "image/png")
    stolen = api.post("/api/messages/private", json={"to_user_id": alice.id, "attachments": [image]},
                      headers=bob.headers)
    assert 400 <= stolen.status_code < 500
    ok(api.post("/api/messages/private", json={"to_user_id": bob.id, "attachments": [image]}, headers=alice.headers),
       201)
    again = api.post("/api/messages/private", json={"to_user_id": bob.id, "attachments": [image]},
                     headers=alice.headers)
    assert 400 <= again.status_code < 500
