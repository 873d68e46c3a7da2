"""Passwords: /api/auth/change-password (signed in), /forgot-password and /reset-password (by mail)."""

from __future__ import annotations

from functions.auth import bp, rate_rules
from shared.domain.accounts import recovery
from shared.domain.accounts.models import ChangePasswordBody, EmailOnlyBody, Message, ResetPasswordBody
from shared.http.endpoint import Call, Reply, endpoint


@bp.route(route="auth/change-password", methods=["POST"])
@endpoint(summary="Change the password (the current one is required; other sessions end)", auth="user",
          body=ChangePasswordBody, response=Message, errors=[401, 403, 422, 429],
          rate_limits=[rate_rules.SENSITIVE])
async def auth_change_password(call: Call[ChangePasswordBody]) -> Message:
    return await recovery.check_change_password(call.user, call.body)


@bp.route(route="auth/forgot-password", methods=["POST"])
@endpoint(summary="Mail a password reset link", auth="none", body=EmailOnlyBody, response=Message, status=202,
          errors=[422, 429], rate_limits=[rate_rules.FORGOT_PASSWORD],
          description="Answers the same whether or not an account uses the address.")
async def auth_forgot_password(call: Call[EmailOnlyBody]) -> Reply:
    return Reply(await recovery.check_forgot_password(str(call.body.email)), status=202)


@bp.route(route="auth/reset-password", methods=["POST"])
@endpoint(summary="Set a new password with the mailed token (ends every session)", auth="none",
          body=ResetPasswordBody, response=Message, errors=[422, 429], rate_limits=[rate_rules.RESET_PASSWORD])
async def auth_reset_password(call: Call[ResetPasswordBody]) -> Message:
    return await recovery.check_reset_password(call.body)
