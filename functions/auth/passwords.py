"""Passwords: /api/auth/change-password (signed in), /forgot-password and /reset-password (by mail)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, rate_rules
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import models, recovery
else:
    recovery = lazy_module("shared.domain.accounts.recovery")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="auth/change-password", methods=["POST"])
@endpoint(summary="Change the password (the current one is required; other sessions end)", auth="user",
          body=models.ChangePasswordBody, response=models.Message, errors=[401, 403, 422, 429, 503],
          rate_limits=[rate_rules.SENSITIVE])
async def auth_change_password(call: Call[models.ChangePasswordBody]) -> models.Message:
    return await recovery.check_change_password(call.user, call.body)


@bp.route(route="auth/forgot-password", methods=["POST"])
@endpoint(summary="Mail a password reset link", auth="none", body=models.EmailOnlyBody, response=models.Message,
          status=202, errors=[422, 429, 503], rate_limits=[rate_rules.FORGOT_PASSWORD],
          description="Answers the same whether or not an account uses the address.", idempotent=True)
async def auth_forgot_password(call: Call[models.EmailOnlyBody]) -> models.Message:
    return await recovery.check_forgot_password(str(call.body.email))


@bp.route(route="auth/reset-password", methods=["POST"])
@endpoint(summary="Set a new password with the mailed token (ends every session)", auth="none",
          body=models.ResetPasswordBody, response=models.Message, errors=[422, 429, 503],
          rate_limits=[rate_rules.RESET_PASSWORD])
async def auth_reset_password(call: Call[models.ResetPasswordBody]) -> models.Message:
    return await recovery.check_reset_password(call.body)
