"""Passkeys (WebAuthn): /api/auth/passkey/register-options, register-verify, auth-options, auth-verify, list,
PATCH and DELETE /passkey/{passkey_id}, and the administrators' view /api/admin/users/{user_id}/passkeys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, rate_rules
from functions.auth.login import client_of, session_reply
from shared.http.endpoint import Call, Reply, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import models, passkey_models, passkeys
else:
    passkeys = lazy_module("shared.domain.accounts.passkeys")
    passkey_models = lazy_models("shared.domain.accounts.passkey_models")
    models = lazy_models("shared.domain.accounts.models")


@bp.route(route="auth/passkey/register-options", methods=["POST"])
@endpoint(summary="Start adding a passkey: the WebAuthn creation options", auth="optional",
          body=passkey_models.PasskeyRegisterOptionsBody, response=passkey_models.WebAuthnOptions,
          errors=[401, 403, 409, 422, 429], rate_limits=[rate_rules.ENROL, rate_rules.SENSITIVE],
          description="Signed in: the session must have signed in within the last 10 minutes, or the body carries "
                      "the password (or, for an account without one, an authenticator code). Not signed in: only "
                      "with the enrolment token of a passwordless sign-up, for its first way in.")
async def auth_passkey_register_options(call: Call[passkey_models.PasskeyRegisterOptionsBody]) \
        -> passkey_models.WebAuthnOptions:
    return await passkeys.check_register_options(call.principal, call.body)


@bp.route(route="auth/passkey/register-verify", methods=["POST"])
@endpoint(summary="Finish adding a passkey with the authenticator's response", auth="optional",
          body=passkey_models.PasskeyRegisterVerifyBody, response=passkey_models.PasskeyRegistered, status=201,
          errors=[401, 403, 409, 422, 429], rate_limits=[rate_rules.ENROL, rate_rules.SENSITIVE],
          description="For a passwordless sign-up's first factor the answer also carries the backup codes (shown "
                      "once) and a session, as /auth/login does.")
async def auth_passkey_register_verify(call: Call[passkey_models.PasskeyRegisterVerifyBody]) -> Reply:
    registered, outcome = await passkeys.check_register_verify(call.principal, call.body, client_of(call))
    if outcome is None:
        return Reply(registered)
    reply = session_reply(outcome)  # sets the cookies of a browser sign-in, as /auth/login does
    registered.login = outcome.result
    reply.data = registered
    return reply


@bp.route(route="auth/passkey/auth-options", methods=["POST"])
@endpoint(summary="Start signing in with a passkey: the WebAuthn request options", auth="none",
          body=passkey_models.PasskeyAuthOptionsBody, response=passkey_models.WebAuthnOptions,
          errors=[401, 409, 422, 429], rate_limits=[rate_rules.PASSKEY_OPTIONS],
          description="Without a body: a passkey alone (the browser offers the user's discoverable passkeys). With "
                      "the pending_token of a /auth/login that asked for a second factor: that account's passkeys.")
async def auth_passkey_auth_options(call: Call[passkey_models.PasskeyAuthOptionsBody]) \
        -> passkey_models.WebAuthnOptions:
    return await passkeys.check_auth_options(call.body)


@bp.route(route="auth/passkey/auth-verify", methods=["POST"])
@endpoint(summary="Finish signing in with a passkey", auth="none", body=passkey_models.PasskeyAuthVerifyBody,
          response=models.LoginResult, errors=[401, 403, 422, 429], rate_limits=[rate_rules.PASSKEY_SIGN_IN],
          description="Starts a session like /auth/login. Every response that does not verify answers "
                      "401 passkey_invalid; a passkey whose sign count went backwards is suspended "
                      "(401 passkey_suspended).")
async def auth_passkey_auth_verify(call: Call[passkey_models.PasskeyAuthVerifyBody]) -> Reply:
    return session_reply(await passkeys.check_auth_verify(call.body, client_of(call)))


@bp.route(route="auth/passkey/list", methods=["GET"])
@endpoint(summary="List this account's passkeys", auth="user", response=passkey_models.PasskeyPage, errors=[401],
          rate_limits=[rate_rules.SESSIONS],
          description="At most 20 per account, so one page holds them all (next_cursor is always null).")
async def auth_passkey_list(call: Call) -> passkey_models.PasskeyPage:
    return await passkeys.check_list_passkeys(call.user)


@bp.route(route="auth/passkey/{passkey_id:length(64)}", methods=["PATCH"])
@endpoint(summary="Rename one of this account's passkeys", auth="user", path=passkey_models.PasskeyPath,
          body=passkey_models.PasskeyRenameBody, response=passkey_models.PasskeyInfo, errors=[401, 403, 404, 422, 429],
          rate_limits=[rate_rules.SENSITIVE])
async def auth_passkey_rename(call: Call[passkey_models.PasskeyRenameBody]) -> passkey_models.PasskeyInfo:
    return await passkeys.check_rename_passkey(call.user, call.path.passkey_id, call.body)


@bp.route(route="auth/passkey/{passkey_id:length(64)}", methods=["DELETE"])
@endpoint(summary="Remove one of this account's passkeys", auth="user", path=passkey_models.PasskeyPath, status=204,
          errors=[401, 403, 404, 409, 429], rate_limits=[rate_rules.SENSITIVE],
          description="Refused (409 last_sign_in_method) when it is the last way in of an account without a "
                      "password or an authenticator app. Sessions signed in with it go on.")
async def auth_passkey_delete(call: Call) -> None:
    await passkeys.check_delete_passkey(call.user, call.path.passkey_id)


@bp.route(route="admin/users/{user_id}/passkeys", methods=["GET"])
@endpoint(summary="An account's passkeys, with their clone warnings (administrators)", auth="admin",
          path=passkey_models.AdminPasskeysPath, response=passkey_models.PasskeyPage, errors=[401, 403, 404],
          rate_limits=[rate_rules.ADMIN])
async def admin_user_passkeys(call: Call) -> passkey_models.PasskeyPage:
    return await passkeys.check_admin_list_passkeys(call.user, call.path.user_id)
