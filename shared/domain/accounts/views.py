"""Stored documents -> what callers may see. The only place a user document becomes a response."""

from __future__ import annotations

from shared import wiring
from shared.domain.accounts import store
from shared.domain.accounts.documents import CredentialsDoc, UserDoc
from shared.domain.accounts.models import Me, Preferences, UserCard

IMAGES_CONTAINER = "profile-images"
IMAGE_URL_SECONDS = 3600


async def image_url(name: str | None) -> str | None:
    if not name:
        return None
    return await wiring.blobs().read_url(IMAGES_CONTAINER, name, expires_in_seconds=IMAGE_URL_SECONDS)


async def card(user: UserDoc) -> UserCard:
    return UserCard(id=user["id"], username=user["username"], display_name=user.get("display_name"),
                    bio=user.get("bio"), avatar_url=await image_url(user.get("avatar")),
                    banner_url=await image_url(user.get("banner")), created_at=user["created_at"])


async def me(user: UserDoc, credentials: CredentialsDoc) -> Me:
    base = await card(user)
    return Me(**base.model_dump(), email=store.mail_address(credentials),
              email_verified=bool(credentials.get("email_verified")),
              is_admin=bool(user.get("is_admin")),
              two_factor_enabled=bool((credentials.get("totp") or {}).get("enabled")),
              has_password=bool(credentials.get("password_hash")),
              preferences=Preferences(**(user.get("preferences") or {})))
