"""Passkey and passwordless accounts for API tests, made through the real routes with the software authenticator.

    device = SoftAuthenticator()
    passkey = add_passkey(host, user, device)             # a signed-in user adds one (its session is fresh)
    session = ok(sign_in_with_passkey(host, device))      # a passkey alone
    member = passwordless_signup(host, device)            # register-passwordless -> mail -> verify -> passkey
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support import authenticator
from tests.support.passkey_authenticator import ORIGIN, SoftAuthenticator
from tests.support.users import forget_ip_limits, mail_code, new_username, ok


@dataclass
class PasswordlessUser:
    __test__ = False

    id: str
    username: str
    email: str
    token: str
    backup_codes: list[str]
    totp_secret: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def registration_options(api: httpx.Client, headers: dict[str, str], **body: Any) -> httpx.Response:
    return api.post("/api/auth/passkey/register-options", json=body, headers=headers)


def add_passkey(host, user, device: SoftAuthenticator, *, name: str | None = None, origin: str = ORIGIN,
                **options_body: Any) -> dict[str, Any]:
    """Registers a passkey for a signed-in user (anything with .headers) and returns it as the list shows it."""
    options = ok(registration_options(host.api, user.headers, **options_body))["options"]
    body: dict[str, Any] = {"credential": device.create(options, origin=origin)}
    if name:
        body["name"] = name
    return ok(host.api.post("/api/auth/passkey/register-verify", json=body, headers=user.headers), 201)["passkey"]


def passkey_options(api: httpx.Client, pending_token: str | None = None) -> dict[str, Any]:
    body = {"pending_token": pending_token} if pending_token else {}
    return ok(api.post("/api/auth/passkey/auth-options", json=body))


def verify_passkey(api: httpx.Client, pending_token: str, assertion: dict[str, Any], *,
                   token: bool = True) -> httpx.Response:
    return api.post("/api/auth/passkey/auth-verify",
                    json={"pending_token": pending_token, "credential": assertion, "token": token})


def sign_in_with_passkey(host, device: SoftAuthenticator, *, origin: str = ORIGIN,
                         client: httpx.Client | None = None, token: bool = True) -> httpx.Response:
    api = client or host.api
    options = passkey_options(api)
    return verify_passkey(api, options["pending_token"], device.get(options["options"], origin=origin), token=token)


def start_passwordless_signup(host, username: str | None = None) -> tuple[str, str, str]:
    """register-passwordless -> mailed code -> verify-email; returns (username, email, enrolment token)."""
    username = username or new_username("pl")
    email = f"{username.lower()}.{uuid.uuid4().hex[:6]}@example.com"
    ok(host.api.post("/api/auth/register-passwordless", json={"username": username, "email": email}), 201)
    verified = ok(host.api.post("/api/auth/verify-email", json={"email": email, "code": mail_code(host, email)}))
    assert verified["enrolment_token"], verified
    return username, email, verified["enrolment_token"]


def passwordless_signup(host, device: SoftAuthenticator | None = None, *, totp: bool = False) -> PasswordlessUser:
    """A passwordless account whose first factor is the device's passkey (or, with totp=True, an authenticator
    app), signed in with a Bearer token."""
    username, email, enrolment = start_passwordless_signup(host)
    secret = None
    if totp:
        secret = ok(host.api.post("/api/auth/passwordless/totp/setup", json={"enrolment_token": enrolment}))["secret"]
        done = ok(host.api.post("/api/auth/passwordless/totp/confirm",
                                json={"enrolment_token": enrolment, "code": authenticator.code(secret),
                                      "token": True}), 201)
    else:
        assert device is not None
        options = ok(registration_options(host.api, {}, enrolment_token=enrolment))["options"]
        done = ok(host.api.post("/api/auth/passkey/register-verify",
                                json={"credential": device.create(options), "enrolment_token": enrolment,
                                      "token": True}), 201)
    forget_ip_limits(host)
    login = done["login"]
    return PasswordlessUser(id=login["user"]["id"], username=username, email=email, token=login["token"],
                            backup_codes=done["backup_codes"], totp_secret=secret, headers=bearer(login["token"]))
