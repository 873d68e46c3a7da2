"""Files attached to chat messages, uploaded by the client straight to storage through signed URLs.

1. `POST /api/attachments/upload-url` {filename, content_type, size} -> an upload target and an `attachment_id`
   (random: it names neither the author nor the room). Who asked, and the file name, are kept in the key-value
   store for an hour only (an anonymous message's file must not name its author).
2. The client PUTs the bytes (never base64 in JSON), then sends the message with `attachments: [ids]`.
3. `claim` checks the caller asked for that id, the blob exists, is within the size cap, and its type *sniffed
   from the bytes* is on the allow-list (the declared type counts for nothing); the file is then bound to the
   message by a lookup document (`attachments`, pk = id = attachment id -> conversation and message), and the
   claim forgotten, so a file belongs to one message.
4. `GET /api/attachments/{id}` answers only callers who may read the message (the conversation's gate), with a
   URL signed for a few minutes; only safe image types are served inline, everything else as a download.
"""

from __future__ import annotations

import json
import secrets
from typing import Literal

from shared import clock, wiring
from shared.domain.chat.attachment_models import AttachmentPublic, AttachmentUpload, AttachmentUploadBody
from shared.domain.identity import Principal
from shared.domain.stored import Container, Stored
from shared.errors import NotFound, PayloadTooLarge, ValidationFailed
from shared.settings import get_settings

BLOB_CONTAINER = "chat-attachments"
LOOKUPS = "attachments"
UPLOAD_SECONDS = 600
CLAIM_SECONDS = 3600
READ_SECONDS = 300
MAX_PER_MESSAGE = 5
SAFE_INLINE = {"image/png", "image/jpeg", "image/gif", "image/webp"}


class AttachmentLookupDoc(Stored):
    """pk = id = attachment id."""

    conversation_id: str
    message_id: str
    filename: str
    mime_type: str
    size: int
    created_at: str


lookup_docs = Container[AttachmentLookupDoc](LOOKUPS)


def sniff(head: bytes) -> str | None:
    """The type the bytes say, from an allow-list; None for anything else."""
    magic = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
             (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"), (b"PK\x03\x04", "application/zip"),
             (b"\x1a\x45\xdf\xa3", "video/webm"), (b"ID3", "audio/mpeg"), (b"OggS", "audio/ogg"))
    for prefix, kind in magic:
        if head.startswith(prefix):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def max_bytes() -> int:
    settings = get_settings()
    return min(settings.chat_attachment_max_bytes, settings.blob_max_upload_bytes)


def _claim_key(attachment_id: str) -> str:
    return f"chat-attachment:{attachment_id}"


def _problem(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details=[{"field": "body.attachments", "code": code,
                                                          "message": message}])


async def check_request_upload(principal: Principal, body: AttachmentUploadBody) -> AttachmentUpload:
    limit = max_bytes()
    if body.size > limit:
        raise PayloadTooLarge(f"Attachments are at most {limit} bytes.", code="attachment_too_large",
                              details={"max_bytes": limit})
    attachment_id = secrets.token_hex(16)
    target = await wiring.blobs().upload_url(BLOB_CONTAINER, attachment_id, expires_in_seconds=UPLOAD_SECONDS,
                                             max_bytes=limit, content_type=body.content_type)
    await wiring.kv().set(_claim_key(attachment_id), json.dumps({"user": principal.user_id,
                                                                 "filename": body.filename}),
                          ttl_seconds=CLAIM_SECONDS)
    return AttachmentUpload(attachment_id=attachment_id, upload_url=target.url, method=target.method,
                            headers=target.headers, expires_at=clock.iso(target.expires_at),
                            max_bytes=target.max_bytes)


async def claim(user_id: str, attachment_id: str) -> AttachmentPublic:
    """The checked file, ready to bind to a message; 422 unless this caller uploaded an allowed file under this id."""
    raw = await wiring.kv().get(_claim_key(attachment_id))
    claimed = json.loads(raw) if raw else None
    if not isinstance(claimed, dict) or claimed.get("user") != user_id:
        raise _problem("Unknown or expired attachment id; request a new upload URL.", "attachment_not_found")
    blobs = wiring.blobs()
    try:
        info = await blobs.info(BLOB_CONTAINER, attachment_id)
    except NotFound:
        raise _problem("Upload the file before sending the message.", "attachment_not_uploaded") from None
    if info.size > max_bytes():
        await blobs.delete(BLOB_CONTAINER, attachment_id)
        raise PayloadTooLarge(f"Attachments are at most {max_bytes()} bytes.", code="attachment_too_large")
    head = (await blobs.get(BLOB_CONTAINER, attachment_id, offset=0, length=min(16, info.size))).data \
        if info.size else b""
    kind = sniff(head)
    if kind is None:
        await blobs.delete(BLOB_CONTAINER, attachment_id)
        raise _problem("This type of file cannot be attached.", "attachment_type_not_allowed")
    return AttachmentPublic(id=attachment_id, filename=str(claimed.get("filename") or attachment_id),
                            mime_type=kind, size=info.size)


async def bind(conversation_id: str, message_id: str, files: list[AttachmentPublic]) -> None:
    """The lookup documents that tie each file to its message (and to whoever may read it)."""
    now = clock.now_iso()
    for f in files:
        await lookup_docs.upsert({"id": f.id, "pk": f.id, "conversation_id": conversation_id,
                                  "message_id": message_id, "filename": f.filename, "mime_type": f.mime_type,
                                  "size": f.size, "created_at": now})
        await wiring.kv().delete(_claim_key(f.id))


def attachment_not_found() -> NotFound:
    return NotFound("Attachment not found.", code="attachment_not_found")


async def lookup(attachment_id: str) -> AttachmentLookupDoc:
    found = await lookup_docs.find(attachment_id, attachment_id)
    if found is None:
        raise attachment_not_found()
    return found


async def signed_url(doc: AttachmentLookupDoc) -> tuple[str, Literal["inline", "attachment"]]:
    """(url, disposition): inline for safe images, a download for everything else."""
    inline = doc["mime_type"] in SAFE_INLINE
    url = await wiring.blobs().read_url(BLOB_CONTAINER, doc["id"], expires_in_seconds=READ_SECONDS,
                                        download_name=None if inline else doc["filename"])
    return url, "inline" if inline else "attachment"


async def forget(attachment_id: str) -> None:
    """The claim of a file used for something other than a message (a room's picture)."""
    await wiring.kv().delete(_claim_key(attachment_id))


async def delete_blob(name: str) -> None:
    try:
        await wiring.blobs().delete(BLOB_CONTAINER, name)
    except NotFound:
        pass


async def image_url(name: str) -> str:
    return await wiring.blobs().read_url(BLOB_CONTAINER, name, expires_in_seconds=READ_SECONDS)
