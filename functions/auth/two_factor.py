"""Two-factor authentication of the signed-in account: /api/auth/2fa/setup, /confirm, /disable, /backup-codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, rate_rules
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import models, two_factor
else:
    two_factor = lazy_module("shared.domain.accounts.two_factor")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="auth/2fa/setup", methods=["POST"])
@endpoint(summary="Start two-factor setup: a new authenticator secret (password required)", auth="user",
          body=models.PasswordConfirmBody, response=models.TwoFactorSetup, errors=[401, 403, 409, 422, 429],
          rate_limits=[rate_rules.SENSITIVE])
async def auth_set_up_two_factor(call: Call[models.PasswordConfirmBody]) -> models.TwoFactorSetup:
    return await two_factor.check_setup(call.user, call.body)


@bp.route(route="auth/2fa/confirm", methods=["POST"])
@endpoint(summary="Turn two-factor on with a code from the app; returns the backup codes once", auth="user",
          body=models.TwoFactorConfirmBody, response=models.BackupCodes, errors=[401, 403, 409, 422, 429, 503],
          rate_limits=[rate_rules.SENSITIVE])
async def auth_confirm_two_factor(call: Call[models.TwoFactorConfirmBody]) -> models.BackupCodes:
    return await two_factor.check_confirm(call.user, call.body)


@bp.route(route="auth/2fa/disable", methods=["POST"])
@endpoint(summary="Turn two-factor off (password and a code required)", auth="user", body=models.PasswordAndCodeBody,
          status=204, errors=[401, 403, 409, 422, 429, 503], rate_limits=[rate_rules.SENSITIVE])
async def auth_disable_two_factor(call: Call[models.PasswordAndCodeBody]) -> None:
    await two_factor.check_disable(call.user, call.body)


@bp.route(route="auth/2fa/backup-codes", methods=["POST"])
@endpoint(summary="Replace the backup codes (password and a code required)", auth="user",
          body=models.PasswordAndCodeBody, response=models.BackupCodes, errors=[401, 403, 409, 422, 429],
          rate_limits=[rate_rules.SENSITIVE])
async def auth_regenerate_backup_codes(call: Call[models.PasswordAndCodeBody]) -> models.BackupCodes:
    return await two_factor.check_regenerate_backup_codes(call.user, call.body)
