"""Logging in and out, and the caller's sessions: /api/auth/login, /login/2fa, /logout, /logout-all, /me,
/sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.auth import bp, cookies, rate_rules
from shared.http.endpoint import Call, Reply, RequestHeader, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import login, models
else:
    login = lazy_module("shared.domain.accounts.login")
    models = lazy_models("shared.domain.accounts.models")


DEVICE_TOKEN = RequestHeader("X-Device-Token", "The device_token of an earlier login of this client (browsers send "
                                              "the device cookie instead): it keeps its own failed-login budget.")


def _client(call: Call) -> login.Client:
    return login.Client(ip=call.ip, user_agent=call.header("user-agent") or "",
                        device_token=cookies.presented_device_token(call.req.headers))


def _reply(outcome: login.LoginOutcome) -> Reply:
    """API clients get the token in the body; browsers get HttpOnly cookies and the CSRF token in the body."""
    reply = Reply(outcome.result)
    if outcome.token is None or outcome.session is None or outcome.device_token is None or outcome.token_mode:
        return reply
    max_age = int(outcome.session.absolute_expires_at - outcome.session.created_at)
    reply.cookies.append(cookies.session_cookie(outcome.token, max_age))
    reply.cookies.append(cookies.device_cookie(outcome.device_token))
    outcome.result.device_token = None
    return reply


client_of, session_reply = _client, _reply  # for the other sign-in routes (passkeys.py, passwordless.py)


@bp.route(route="auth/login", methods=["POST"])
@endpoint(summary="Log in with a username or email and the password", auth="none", body=models.LoginBody,
          response=models.LoginResult, errors=[401, 403, 429], rate_limits=[rate_rules.LOGIN], headers=[DEVICE_TOKEN],
          description="Starts a session, or, when two-factor authentication is on, answers two_factor_required "
                      "with a pending_token for /auth/login/2fa. Send token=true to get the session token in the "
                      "body (API clients, Authorization: Bearer) instead of a cookie.")
async def auth_log_in(call: Call[models.LoginBody]) -> Reply:
    return _reply(await login.check_login(call.body, _client(call)))


@bp.route(route="auth/login/2fa", methods=["POST"])
@endpoint(summary="Finish a login with an authenticator or backup code", auth="none", body=models.LoginTwoFactorBody,
          response=models.LoginResult, errors=[401, 429], rate_limits=[rate_rules.LOGIN_SECOND_FACTOR],
          headers=[DEVICE_TOKEN])
async def auth_log_in_second_factor(call: Call[models.LoginTwoFactorBody]) -> Reply:
    return _reply(await login.check_login_second_factor(call.body, _client(call)))


@bp.route(route="auth/logout", methods=["POST"])
@endpoint(summary="End this session", auth="user", status=204, errors=[401, 403])
async def auth_log_out(call: Call) -> Reply:
    await login.check_logout(call.user)
    return Reply(cookies=[cookies.clear_session_cookie()])


@bp.route(route="auth/logout-all", methods=["POST"])
@endpoint(summary="End every session of this account, this one included", auth="user", status=204,
          errors=[401, 403])
async def auth_log_out_everywhere(call: Call) -> Reply:
    await login.check_logout_all(call.user)
    return Reply(cookies=[cookies.clear_session_cookie()])


@bp.route(route="auth/me", methods=["GET"])
@endpoint(summary="Who is calling, and this session (with its CSRF token for cookie sessions)", auth="user",
          response=models.WhoAmI, errors=[401], rate_limits=[rate_rules.SESSIONS])
async def auth_who_am_i(call: Call) -> models.WhoAmI:
    # authenticate() prefers a Bearer header, so without one the session came from the cookie.
    via_cookie = not (call.header("authorization") or "").lower().startswith("bearer ")
    return await login.check_whoami(call.user, via_cookie=via_cookie)


@bp.route(route="auth/sessions", methods=["GET"])
@endpoint(summary="List this account's sessions", auth="user", query=models.AccountPageQuery,
          response=models.SessionPage, errors=[401, 422], rate_limits=[rate_rules.SESSIONS])
async def auth_list_sessions(call: Call) -> models.SessionPage:
    return await login.check_list_sessions(call.user, limit=call.query.limit, cursor=call.query.cursor)


@bp.route(route="auth/sessions/{session_id}", methods=["DELETE"])
@endpoint(summary="End one of this account's sessions", auth="user", path=models.SessionPath, status=204,
          errors=[401, 403, 404], rate_limits=[rate_rules.SESSIONS])
async def auth_end_session(call: Call) -> None:
    await login.check_end_session(call.user, call.path.session_id)
