"""Profiles: one's own (read, partial update, images, preferences) and everyone else's public card and search.

Cards and search never carry or match an email address: search runs on the lower-cased username only.
Images are uploaded straight to storage through a short-lived signed URL, then confirmed: the confirm step reads
the first bytes and accepts only PNG, JPEG, GIF or WebP by their magic numbers (never the client's word), within
the size limit; anything else is deleted.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, TypeVar

from shared import clock, errors, wiring
from shared.domain import cursors
from shared.domain.accounts import access, rules, store, views
from shared.domain.accounts.documents import UserDoc, UserFields, user_docs
from shared.domain.accounts.fields import invalid
from shared.domain.accounts.models import (
    ImageConfirmBody,
    Me,
    Preferences,
    PreferencesUpdate,
    ProfileImageUpload,
    ProfileImageUploadBody,
    ProfileUpdate,
    UserCard,
    UserCardPage,
)
from shared.domain.stored import Container, DocPage
from shared.ports import Patch, Query, Where

if TYPE_CHECKING:
    from shared.domain.identity import Principal

D = TypeVar("D")

IMAGE_LIMITS = {"avatar": 2 * 1024 * 1024, "banner": 5 * 1024 * 1024}
UPLOAD_URL_SECONDS = 10 * 60
_MAGIC: list[tuple[str, bytes, int]] = [
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/gif", b"GIF87a", 0),
    ("image/gif", b"GIF89a", 0),
]


def sniff_image(head: bytes) -> str | None:
    """The image type from the file's first bytes, or None when it is none of the accepted ones."""
    for content_type, magic, offset in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return content_type
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


async def check_get_me(principal: Principal) -> Me:
    user, credentials = await access.access_own_account(principal)
    return await views.me(user, credentials)


async def check_update_profile(principal: Principal, body: ProfileUpdate) -> Me:
    user, credentials = await access.access_own_account(principal)
    sent = body.model_fields_set
    if "username" in sent and body.username is None:
        raise invalid("body.username", "A username cannot be removed.", reason="required")
    username = body.username
    changes: UserFields = {}
    if "display_name" in sent:  # an empty text removes it
        changes["display_name"] = body.display_name or None
    if "bio" in sent:
        changes["bio"] = body.bio or None
    if username is not None and username != user["username"]:
        user = await _rename(principal, user, username, changes)
    elif changes:
        user = await store.patch_user(principal.user_id, changes)
    return await views.me(user, credentials)


async def _rename(principal: Principal, user: UserDoc, username: str, other: UserFields) -> UserDoc:
    """Claims the new name, switches the profile to it (ETag-guarded), then frees the old one."""
    new_key, old_key = rules.normalize_username(username), user["username_lower"]
    if new_key != old_key:
        await store.claim("username", new_key, principal.user_id)
    try:
        updated = await store.patch_user(principal.user_id, {**other, "username": username, "username_lower": new_key},
                                         if_match=user.get("_etag"))
    except errors.PreconditionFailed:
        if new_key != old_key:
            await store.release("username", new_key, principal.user_id)
        raise errors.PreconditionFailed("Your profile changed at the same time; try again.",
                                        code="profile_changed") from None
    if new_key != old_key:
        await store.release("username", old_key, principal.user_id)
    await wiring.sessions().refresh_identity(principal.user_id, username=username,
                                             is_admin=bool(updated.get("is_admin")))
    return updated


# ---------------------------------------------------------------------------------------------------------
# images


def _image_name(user_id: str, kind: str, upload_id: str) -> str:
    return f"{user_id}/{kind}/{upload_id}"


async def check_image_upload(principal: Principal, kind: str, body: ProfileImageUploadBody) -> ProfileImageUpload:
    await access.access_own_account(principal)
    upload_id = uuid.uuid4().hex
    target = await wiring.blobs().upload_url(views.IMAGES_CONTAINER, _image_name(principal.user_id, kind, upload_id),
                                             expires_in_seconds=UPLOAD_URL_SECONDS, max_bytes=IMAGE_LIMITS[kind],
                                             content_type=body.content_type)
    expires = clock.iso(target.expires_at)
    return ProfileImageUpload(upload_id=upload_id, url=target.url, method=target.method, headers=dict(target.headers),
                       expires_at=expires, max_bytes=target.max_bytes)


async def check_image_confirm(principal: Principal, kind: str, body: ImageConfirmBody) -> Me:
    user, credentials = await access.access_own_account(principal)
    blobs = wiring.blobs()
    name = _image_name(principal.user_id, kind, body.upload_id)
    try:
        info = await blobs.info(views.IMAGES_CONTAINER, name)
    except errors.NotFound:
        raise errors.NotFound("No upload with this id; upload the file first.", code="upload_not_found") from None
    if info.size > IMAGE_LIMITS[kind]:
        await _delete_image(name)
        raise errors.PayloadTooLarge(f"The {kind} may be at most {IMAGE_LIMITS[kind]} bytes.",
                                     code="image_too_large", details={"max_bytes": IMAGE_LIMITS[kind]})
    head = (await blobs.get(views.IMAGES_CONTAINER, name, offset=0, length=min(16, info.size))).data \
        if info.size else b""
    if sniff_image(head) is None:
        await _delete_image(name)
        raise invalid("body.upload_id", "The file is not a PNG, JPEG, GIF or WebP image.",
                      code="unsupported_image", reason="unsupported_type")
    previous = user.get(kind)
    updated = await store.patch_user(principal.user_id, _image_change(kind, name))
    if previous and previous != name:
        await _delete_image(previous)
    return await views.me(updated, credentials)


async def check_image_delete(principal: Principal, kind: str) -> None:
    user, _ = await access.access_own_account(principal)
    previous = user.get(kind)
    if previous:
        await store.patch_user(principal.user_id, _image_change(kind, None))
        await _delete_image(previous)


async def do_remove_image(user_id: str, kind: str = "avatar") -> bool:
    """A moderator's removal of a reported profile image (shared/domain/moderation/targets.py); False if none."""
    user = await store.get_user(user_id)
    previous = user.get(kind) if user else None
    if not previous:
        return False
    await store.patch_user(user_id, _image_change(kind, None))
    await _delete_image(previous)
    return True


def _image_change(kind: str, name: str | None) -> UserFields:
    return {"avatar": name} if kind == "avatar" else {"banner": name}


async def _delete_image(name: str) -> None:
    try:
        await wiring.blobs().delete(views.IMAGES_CONTAINER, name)
    except errors.NotFound:
        pass


async def delete_all_images(user_id: str) -> None:
    for info in await wiring.blobs().list(views.IMAGES_CONTAINER, prefix=f"{user_id}/"):
        await _delete_image(info.name)


# ---------------------------------------------------------------------------------------------------------
# preferences


async def check_get_preferences(principal: Principal) -> Preferences:
    user, _ = await access.access_own_account(principal)
    return Preferences(**(user.get("preferences") or {}))


async def check_update_preferences(principal: Principal, body: PreferencesUpdate) -> Preferences:
    """Sets only the fields sent; the others keep their values (a partial update, never a replace)."""
    user, _ = await access.access_own_account(principal)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if not changes:
        return Preferences(**(user.get("preferences") or {}))
    ops = [Patch("set", f"/preferences/{name}", value) for name, value in changes.items()]
    updated = await user_docs.patch(principal.user_id, principal.user_id, ops)
    before = (user.get("preferences") or {}).get("show_online_status", True)
    if "show_online_status" in changes and changes["show_online_status"] != before:
        from shared.domain.dm import presence  # hiding or showing oneself is seen at once

        await presence.on_visibility_changed(principal.user_id, bool(changes["show_online_status"]))
    return Preferences(**(updated.get("preferences") or {}))


# ---------------------------------------------------------------------------------------------------------
# other people


async def check_get_card(user_id: str) -> UserCard:
    return await views.card(await access.access_user_profile(user_id))


async def check_get_card_by_username(username: str) -> UserCard:
    return await views.card(await access.access_user_by_username(username))


async def check_search(q: str, *, limit: int, cursor: str | None) -> UserCardPage:
    query = Query(where=[Where("username_lower", "starts_with", rules.normalize_username(q)),
                         Where("status", "=", "active")],
                  order_by=[("username_lower", "asc")])
    scope = cursors.scope("users.search", rules.normalize_username(q))
    page = await paged_query(user_docs, query, limit=limit, cursor=cursor, scope=scope)
    return UserCardPage(items=[await views.card(u) for u in page.items],
                        next_cursor=cursors.next_cursor(scope, page.continuation))


async def paged_query(container: Container[D], query: Query, *, limit: int, cursor: str | None, scope: str,
                      pk: str | None = None) -> DocPage[D]:
    """One page of a query; `cursor` must be one this listing (`scope`) handed out, else 400 invalid_cursor."""
    continuation = cursors.continuation(scope, cursor)
    return await container.query(query, pk=pk, limit=limit, continuation=continuation)
