"""Sign-up and email verification: /api/auth/register, /verify-email, /resend-verification."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, rate_rules
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import models, registration
else:
    registration = lazy_module("shared.domain.accounts.registration")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="auth/register", methods=["POST"])
@endpoint(summary="Sign up (a verification code is mailed)", auth="none", body=models.RegisterBody,
          response=models.Message, status=201, errors=[409, 422, 429, 503], rate_limits=[rate_rules.REGISTER],
          description="Answers the same for a new address and one that already has an account; the address "
                      "owner learns the difference by mail. A taken username is a 409 (usernames are public).",
          idempotent=True)
async def auth_register(call: Call[models.RegisterBody]) -> models.Message:
    return await registration.check_register(call.body)


@bp.route(route="auth/verify-email", methods=["POST"])
@endpoint(summary="Confirm the email address with the mailed code", auth="none", body=models.VerifyEmailBody,
          response=models.EmailVerified, errors=[422, 429], rate_limits=[rate_rules.VERIFY_EMAIL],
          description="For a passwordless sign-up the answer carries the enrolment token for its first way in.")
async def auth_verify_email(call: Call[models.VerifyEmailBody]) -> models.EmailVerified:
    return await registration.check_verify_email(call.body)


@bp.route(route="auth/resend-verification", methods=["POST"])
@endpoint(summary="Mail a new verification code", auth="none", body=models.EmailOnlyBody, response=models.Message,
          status=202, errors=[422, 429, 503], rate_limits=[rate_rules.RESEND_VERIFICATION], idempotent=True)
async def auth_resend_verification(call: Call[models.EmailOnlyBody]) -> models.Message:
    return await registration.check_resend_verification(str(call.body.email))
