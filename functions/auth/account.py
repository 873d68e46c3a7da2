"""The account itself: /api/auth/change-email (+ /confirm) and /delete-account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, cookies, rate_rules
from shared.http.endpoint import Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import deletion, email_change, models
else:
    deletion = lazy_module("shared.domain.accounts.deletion")
    email_change = lazy_module("shared.domain.accounts.email_change")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="auth/change-email", methods=["POST"])
@endpoint(summary="Start changing the email address (password required; a code goes to the new address)",
          auth="user", body=models.ChangeEmailBody, response=models.Message, status=202,
          errors=[401, 403, 422, 429, 503],
          rate_limits=[rate_rules.SENSITIVE], idempotent=True)
async def auth_change_email(call: Call[models.ChangeEmailBody]) -> models.Message:
    return await email_change.check_request_email_change(call.user, call.body)


@bp.route(route="auth/change-email/confirm", methods=["POST"])
@endpoint(summary="Finish changing the email address with the code", auth="user", body=models.ConfirmEmailChangeBody,
          response=models.Me, errors=[401, 403, 409, 422, 429, 503], rate_limits=[rate_rules.SENSITIVE])
async def auth_confirm_email_change(call: Call[models.ConfirmEmailChangeBody]) -> models.Me:
    return await email_change.check_confirm_email_change(call.user, call.body)


@bp.route(route="auth/delete-account", methods=["POST"])
@endpoint(summary="Delete the account (password, and a code when 2FA is on); content is erased by a job",
          auth="user", body=models.DeleteAccountBody, response=models.Deletion, status=202,
          errors=[401, 403, 422, 429, 503],
          rate_limits=[rate_rules.SENSITIVE], idempotent=True)
async def auth_delete_account(call: Call[models.DeleteAccountBody]) -> Reply:
    result = await deletion.check_delete_account(call.user, call.body)
    return Reply(result, cookies=[cookies.clear_session_cookie()])
