"""An optional image on a post, uploaded by the client straight to storage through a signed URL.

1. `POST /api/posts/images/upload-url` {content_type, size} -> an upload target and an `image_id` (a random
   blob name). Who asked for it is kept in the key-value store for an hour, never in the blob's name or
   metadata: those travel with the file, and an anonymous post's image must not name its author.
2. The client PUTs the bytes, then creates the post with `image_id`.
3. `claim` checks the caller asked for that id, the blob exists, is within the size limit and really is a PNG,
   JPEG, GIF or WebP (magic numbers, not the declared type); it is then bound to the post and the claim
   forgotten, so an image belongs to one post.
"""

from __future__ import annotations

import secrets

from shared import clock, wiring
from shared.domain.communities.post_models import PostImageUpload, PostImageUploadBody
from shared.domain.communities.post_views import IMAGE_CONTAINER
from shared.domain.identity import Principal
from shared.errors import NotFound, PayloadTooLarge, ValidationFailed
from shared.settings import get_settings

UPLOAD_SECONDS = 600
CLAIM_SECONDS = 3600
IMAGE_MAX_BYTES = 5 * 1024 * 1024
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
          (b"GIF89a", "image/gif"))


def _claim_key(image_id: str) -> str:
    return f"post-image:{image_id}"


def max_bytes() -> int:
    return min(IMAGE_MAX_BYTES, get_settings().blob_max_upload_bytes)


def _image_problem(field: str, message: str, code: str = "image_invalid") -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": message}])


def sniff(head: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


async def check_request_upload(principal: Principal, body: PostImageUploadBody) -> PostImageUpload:
    limit = max_bytes()
    if body.size > limit:
        raise PayloadTooLarge(f"Images are at most {limit} bytes.", code="image_too_large",
                              details={"max_bytes": limit})
    image_id = secrets.token_hex(16)
    target = await wiring.blobs().upload_url(IMAGE_CONTAINER, image_id, expires_in_seconds=UPLOAD_SECONDS,
                                             max_bytes=limit, content_type=body.content_type)
    await wiring.kv().set(_claim_key(image_id), principal.user_id, ttl_seconds=CLAIM_SECONDS)
    return PostImageUpload(image_id=image_id, upload_url=target.url, method=target.method, headers=target.headers,
                       expires_at=clock.iso(target.expires_at), max_bytes=target.max_bytes)


async def claim(user_id: str, image_id: str) -> str:
    """The blob name to store on the post; 422 unless this caller uploaded a real image under this id."""
    owner = await wiring.kv().get(_claim_key(image_id))
    if owner is None or owner.decode() != user_id:
        raise _image_problem("body.image_id", "Unknown or expired image id; request a new upload URL.",
                             "image_not_found")
    blobs = wiring.blobs()
    try:
        info = await blobs.info(IMAGE_CONTAINER, image_id)
    except NotFound:
        raise _image_problem("body.image_id", "Upload the image before creating the post.",
                             "image_not_uploaded") from None
    if info.size > max_bytes():
        await blobs.delete(IMAGE_CONTAINER, image_id)
        raise PayloadTooLarge(f"Images are at most {max_bytes()} bytes.", code="image_too_large")
    head = (await blobs.get(IMAGE_CONTAINER, image_id, offset=0, length=min(16, info.size))).data if info.size else b""
    if sniff(head) is None:
        await blobs.delete(IMAGE_CONTAINER, image_id)
        raise _image_problem("body.image_id", "The file is not a PNG, JPEG, GIF or WebP image.")
    return image_id


async def forget_claim(image_id: str) -> None:
    await wiring.kv().delete(_claim_key(image_id))


async def delete_image(image_id: str | None) -> None:
    if not image_id:
        return
    try:
        await wiring.blobs().delete(IMAGE_CONTAINER, image_id)
    except NotFound:
        pass
