"""Accounts without a password: /api/auth/register-passwordless, /passwordless/totp/setup and /confirm (the first
factor), /login-passwordless (identifier + authenticator code), /recovery/initiate-passwordless and
/recovery/complete-passwordless (mailbox + backup code), and /set-password. docs/accounts.md lists which of
TopicsFlow's paths these replace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, rate_rules
from functions.auth.login import client_of, session_reply
from shared.http.endpoint import Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import models, passkey_models, passwordless
else:
    passwordless = lazy_module("shared.domain.accounts.passwordless")
    passkey_models = lazy_models("shared.domain.accounts.passkey_models")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="auth/register-passwordless", methods=["POST"])
@endpoint(summary="Sign up without a password (a verification code is mailed)", auth="none",
          body=passkey_models.RegisterPasswordlessBody, response=models.Message, status=201,
          errors=[409, 422, 429, 503], rate_limits=[rate_rules.REGISTER], idempotent=True,
          description="Answers like /auth/register. /auth/verify-email then returns an enrolment token for the first "
                      "way in: a passkey or an authenticator app.")
async def auth_register_passwordless(call: Call[passkey_models.RegisterPasswordlessBody]) -> models.Message:
    return await passwordless.check_register_passwordless(call.body)


@bp.route(route="auth/passwordless/totp/setup", methods=["POST"])
@endpoint(summary="A passwordless sign-up's authenticator app: a new secret", auth="none",
          body=passkey_models.EnrolmentTokenBody, response=models.TwoFactorSetup, errors=[409, 422, 429],
          rate_limits=[rate_rules.ENROL])
async def auth_passwordless_totp_setup(call: Call[passkey_models.EnrolmentTokenBody]) -> models.TwoFactorSetup:
    return await passwordless.check_enrol_totp_setup(call.body)


@bp.route(route="auth/passwordless/totp/confirm", methods=["POST"])
@endpoint(summary="Finish a passwordless sign-up with a code from the app: backup codes and a session",
          auth="none", body=passkey_models.EnrolTotpConfirmBody, response=passkey_models.Enrolled, status=201,
          errors=[409, 422, 429], rate_limits=[rate_rules.ENROL])
async def auth_passwordless_totp_confirm(call: Call[passkey_models.EnrolTotpConfirmBody]) -> Reply:
    backup_codes, outcome = await passwordless.check_enrol_totp_confirm(call.body, client_of(call))
    reply = session_reply(outcome)
    reply.data, reply.status = passkey_models.Enrolled(backup_codes=backup_codes, login=outcome.result), 201
    return reply


@bp.route(route="auth/login-passwordless", methods=["POST"])
@endpoint(summary="Sign in to an account without a password with the authenticator app's code", auth="none",
          body=passkey_models.LoginPasswordlessBody, response=models.LoginResult, errors=[401, 403, 422, 429],
          rate_limits=[rate_rules.LOGIN],
          description="The password login's rules and answers: the same per-IP limit and per-account budgets, and "
                      "401 invalid_credentials alike for unknown identifiers, accounts that have a password and "
                      "wrong codes.")
async def auth_log_in_passwordless(call: Call[passkey_models.LoginPasswordlessBody]) -> Reply:
    return session_reply(await passwordless.check_login_passwordless(call.body, client_of(call)))


@bp.route(route="auth/recovery/initiate-passwordless", methods=["POST"])
@endpoint(summary="Recover an account without a password: mail a code", auth="none", body=models.EmailOnlyBody,
          response=models.Message, status=202, errors=[422, 429, 503], rate_limits=[rate_rules.RECOVERY],
          idempotent=True,
          description="Answers the same for every address. The code, with one of the account's backup codes, "
                      "goes to /auth/recovery/complete-passwordless.")
async def auth_recovery_initiate_passwordless(call: Call[models.EmailOnlyBody]) -> models.Message:
    return await passwordless.check_initiate_recovery(str(call.body.email))


@bp.route(route="auth/recovery/complete-passwordless", methods=["POST"])
@endpoint(summary="Recover an account without a password with the mailed code and a backup code", auth="none",
          body=passkey_models.RecoverPasswordlessBody, response=models.LoginResult, errors=[403, 422, 429],
          rate_limits=[rate_rules.RECOVERY_COMPLETE],
          description="Ends every other session and starts one, recent enough to add a passkey right away.")
async def auth_recovery_complete_passwordless(call: Call[passkey_models.RecoverPasswordlessBody]) -> Reply:
    return session_reply(await passwordless.check_complete_recovery(call.body, client_of(call)))


@bp.route(route="auth/set-password", methods=["POST"])
@endpoint(summary="Give an account without a password one", auth="user", body=passkey_models.SetPasswordBody,
          response=models.Message, errors=[401, 403, 409, 422, 429], rate_limits=[rate_rules.SENSITIVE],
          description="The session must have signed in within the last 10 minutes, or the body carries an "
                      "authenticator code.")
async def auth_set_password(call: Call[passkey_models.SetPasswordBody]) -> models.Message:
    return await passwordless.check_set_password(call.user, call.body)
