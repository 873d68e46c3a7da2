"""The caller's own profile: /api/users/me (+ images and preferences)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import rate_rules
from functions.users import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import models, profiles
else:
    profiles = lazy_module("shared.domain.accounts.profiles")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="users/me", methods=["GET"])
@endpoint(summary="My profile (with my email address and preferences)", auth="user", response=models.Me, errors=[401])
async def users_get_my_profile(call: Call) -> models.Me:
    return await profiles.check_get_me(call.user)


@bp.route(route="users/me", methods=["PATCH"])
@endpoint(summary="Change some of my profile fields (username rules apply)", auth="user", body=models.ProfileUpdate,
          response=models.Me, errors=[401, 403, 409, 412, 422, 429], rate_limits=[rate_rules.PROFILE_UPDATE])
async def users_update_my_profile(call: Call[models.ProfileUpdate]) -> models.Me:
    return await profiles.check_update_profile(call.user, call.body)


@bp.route(route="users/me/{kind}/upload", methods=["POST"])
@endpoint(summary="Get a signed URL to upload my avatar or banner", auth="user", path=models.ImageKindPath,
          body=models.ProfileImageUploadBody, response=models.ProfileImageUpload, errors=[401, 403, 422, 429],
          rate_limits=[rate_rules.IMAGE_UPLOAD],
          description="PUT the file to the URL with the given headers, then call .../confirm with upload_id.")
async def users_start_image_upload(call: Call[models.ProfileImageUploadBody]) -> models.ProfileImageUpload:
    return await profiles.check_image_upload(call.user, call.path.kind, call.body)


@bp.route(route="users/me/{kind}/confirm", methods=["POST"])
@endpoint(summary="Use an uploaded file as my avatar or banner (checked: PNG, JPEG, GIF, WebP; size)",
          auth="user", path=models.ImageKindPath, body=models.ImageConfirmBody, response=models.Me,
          errors=[401, 403, 404, 413, 422, 429], rate_limits=[rate_rules.IMAGE_UPLOAD])
async def users_confirm_image_upload(call: Call[models.ImageConfirmBody]) -> models.Me:
    return await profiles.check_image_confirm(call.user, call.path.kind, call.body)


# The constraint keeps DELETE /users/me/blocked (and any other literal under /users/me) from landing here.
@bp.route(route="users/me/{kind:regex(^avatar$|^banner$)}", methods=["DELETE"])
@endpoint(summary="Remove my avatar or banner", auth="user", path=models.ImageKindPath, status=204,
          errors=[401, 403, 422, 429], rate_limits=[rate_rules.PROFILE_UPDATE])
async def users_delete_image(call: Call) -> None:
    await profiles.check_image_delete(call.user, call.path.kind)


@bp.route(route="users/me/preferences", methods=["GET"])
@endpoint(summary="My preferences", auth="user", response=models.Preferences, errors=[401])
async def users_get_preferences(call: Call) -> models.Preferences:
    return await profiles.check_get_preferences(call.user)


@bp.route(route="users/me/preferences", methods=["PATCH"])
@endpoint(summary="Change some preferences (the fields not sent keep their values)", auth="user",
          body=models.PreferencesUpdate, response=models.Preferences, errors=[401, 403, 422, 429],
          rate_limits=[rate_rules.PROFILE_UPDATE])
async def users_update_preferences(call: Call[models.PreferencesUpdate]) -> models.Preferences:
    return await profiles.check_update_preferences(call.user, call.body)
