"""Accounts for API tests, made the way a real client makes them: register -> mail -> verify -> login.

    user = signup(host)                      # a verified user with a Bearer token
    admin = signup(host, "root_admin", admin=True)
    api.get("/api/auth/me", headers=user.headers)

Every signup goes through the real HTTP routes and the mail queue. The suite makes hundreds of accounts from one
loopback address, which the per-IP sign-up and login limits exist to stop, so `signup` forgets the loopback's
per-IP windows afterwards (`forget_ip_limits`); the rate-limit tests exercise those limits on their own.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

CODE_LINE = re.compile(r"^Your code: (\d{6})\s*$", re.M)
RESET_TOKEN_LINE = re.compile(r"^Your reset token: ([A-Za-z0-9_-]+)\s*$", re.M)
LOOPBACK = "127.0.0.1"


@dataclass
class TestUser:
    __test__ = False  # not a pytest test class

    id: str
    username: str
    email: str
    password: str
    token: str
    headers: dict[str, str] = field(default_factory=dict)

    def auth(self, **extra: str) -> dict[str, str]:
        return {**self.headers, **extra}


def new_username(prefix: str = "user") -> str:
    return f"{prefix}{uuid.uuid4().hex[:20 - len(prefix)]}"[:20]


def new_password() -> str:
    return f"pw-{uuid.uuid4().hex}"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url.path} -> " \
                                           f"{response.status_code}: {response.text}"
    return response.json()["data"] if response.content else None


def mails_to(host, email: str) -> list[dict[str, Any]]:
    """The outbox mails sent to this address, newest first (after delivering everything queued)."""
    host.drain()
    return [m for m in host.outbox() if m["to"].lower() == email.lower()]


def mail_code(host, email: str) -> str:
    """The code in the newest mail to this address that carries one."""
    for mail in mails_to(host, email):
        found = CODE_LINE.search(mail["text"])
        if found:
            return found.group(1)
    raise AssertionError(f"no mail with a code was sent to {email}")


def reset_token(host, email: str) -> str:
    for mail in mails_to(host, email):
        found = RESET_TOKEN_LINE.search(mail["text"])
        if found:
            return found.group(1)
    raise AssertionError(f"no password reset mail was sent to {email}")


def login(host, identifier: str, password: str, *, client: httpx.Client | None = None, token: bool = True,
          headers: dict[str, str] | None = None) -> httpx.Response:
    client = client or host.api
    return client.post("/api/auth/login", json={"identifier": identifier, "password": password, "token": token},
                       headers=headers or {})


def register(host, username: str, email: str, password: str, **extra: Any) -> httpx.Response:
    return host.api.post("/api/auth/register",
                         json={"username": username, "email": email, "password": password, **extra})


def forget_ip_limits(host, ip: str = LOOPBACK) -> None:
    """Clears the per-IP request windows of the accounts routes for this address (test setup only)."""
    from functions.auth.rate_rules import IP_RULES
    from shared import wiring

    keys = [f"rl:{rule.name}:{rule.per}:{ip}" for rule in IP_RULES]
    host.run(lambda: wiring.kv().delete(*keys))


def signup(host, username: str | None = None, *, admin: bool = False, password: str | None = None,
           email: str | None = None) -> TestUser:
    username = username or new_username()
    email = email or f"{username.lower()}.{uuid.uuid4().hex[:6]}@example.com"
    password = password or new_password()
    ok(register(host, username, email, password), 201)
    ok(host.api.post("/api/auth/verify-email", json={"email": email, "code": mail_code(host, email)}))
    if admin:
        from shared.domain.accounts.admin import do_set_admin

        host.run(lambda: do_set_admin(username, True))
    data = ok(login(host, username, password))
    forget_ip_limits(host)
    return TestUser(id=data["user"]["id"], username=username, email=email, password=password, token=data["token"],
                    headers={"Authorization": f"Bearer {data['token']}"})


def cookie_client(host) -> httpx.Client:
    """A separate client with its own cookie jar, for browser-style (cookie + CSRF) tests."""
    return httpx.Client(base_url=host.url, timeout=60)
