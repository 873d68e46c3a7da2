"""Sign-up and email verification: /api/auth/register, /verify-email, /resend-verification."""

from __future__ import annotations

from functions.auth import bp, rate_rules
from shared.domain.accounts import registration
from shared.domain.accounts.models import EmailOnlyBody, Message, RegisterBody, VerifyEmailBody
from shared.http.endpoint import Call, Reply, endpoint


@bp.route(route="auth/register", methods=["POST"])
@endpoint(summary="Sign up (a verification code is mailed)", auth="none", body=RegisterBody, response=Message,
          status=201, errors=[409, 422, 429], rate_limits=[rate_rules.REGISTER],
          description="Answers the same for a new address and one that already has an account; the address "
                      "owner learns the difference by mail. A taken username is a 409 (usernames are public).")
async def auth_register(call: Call[RegisterBody]) -> Reply:
    return Reply(await registration.check_register(call.body), status=201)


@bp.route(route="auth/verify-email", methods=["POST"])
@endpoint(summary="Confirm the email address with the mailed code", auth="none", body=VerifyEmailBody,
          response=Message, errors=[422, 429], rate_limits=[rate_rules.VERIFY_EMAIL])
async def auth_verify_email(call: Call[VerifyEmailBody]) -> Message:
    return await registration.check_verify_email(call.body)


@bp.route(route="auth/resend-verification", methods=["POST"])
@endpoint(summary="Mail a new verification code", auth="none", body=EmailOnlyBody, response=Message, status=202,
          errors=[422, 429], rate_limits=[rate_rules.RESEND_VERIFICATION])
async def auth_resend_verification(call: Call[EmailOnlyBody]) -> Reply:
    return Reply(await registration.check_resend_verification(str(call.body.email)), status=202)
