"""Per-account throttles, and the device tokens that keep an attacker from using them to lock owners out.

Per-IP limits on each route are declared with the route (functions/auth/rate_rules.py); these are the ones that
follow an account or an address wherever the requests come from. docs/accounts.md lists every default.

Failed logins follow OWASP's device-cookie scheme: a client that once logged in to an account holds a signed
device token for it and has its own budget of failures; every other client shares one budget per account. An
attacker who burns the shared budget locks out only clients the owner never used, and gets at most
LOGIN_FAILURES_UNTRUSTED.limit guesses per hour: well under ASVS's 100.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from shared import errors, wiring
from shared.domain.accounts import secrets_box
from shared.ports import WindowDecision


@dataclass(frozen=True)
class Budget:
    name: str
    limit: int
    window_seconds: int


LOGIN_FAILURES_UNTRUSTED = Budget("login-fail", 10, 3600)
LOGIN_FAILURES_PER_DEVICE = Budget("login-fail-device", 10, 3600)
SECOND_FACTOR_FAILURES = Budget("second-factor-fail", 10, 3600)
REAUTH_FAILURES = Budget("reauth-fail", 10, 3600)  # password re-entered for sensitive changes
MAILS_PER_ADDRESS = Budget("mail-to", 5, 3600)  # codes, links and notices sent to one address, silently capped


def _key(budget: Budget, subject: str) -> str:
    return f"budget:{budget.name}:{subject}"


def headers_for(decision: WindowDecision) -> dict[str, str]:
    reset = max(1, math.ceil(decision.reset_seconds))
    return {"X-RateLimit-Limit": str(decision.limit), "X-RateLimit-Remaining": str(max(0, decision.remaining)),
            "X-RateLimit-Reset": str(reset), "Retry-After": str(reset)}


def refusal(decision: WindowDecision, message: str = "Too many attempts; try again later.") -> errors.RateLimited:
    headers = headers_for(decision)
    return errors.RateLimited(message, code="too_many_attempts",
                              details={"limit": decision.limit, "retry_after": headers["Retry-After"]},
                              headers=headers)


async def ensure_available(budget: Budget, subject: str) -> None:
    """RateLimited (429 with headers) when the budget is spent."""
    decision = await wiring.kv().peek_window(_key(budget, subject), limit=budget.limit,
                                             window_seconds=budget.window_seconds)
    if not decision.allowed:
        raise refusal(decision)


async def spend(budget: Budget, subject: str) -> WindowDecision:
    return await wiring.kv().hit_window(_key(budget, subject), limit=budget.limit,
                                        window_seconds=budget.window_seconds)


async def take(budget: Budget, subject: str) -> bool:
    """Spends one unit if there is one; False (quietly) when the budget is spent."""
    return (await spend(budget, subject)).allowed


# ---------------------------------------------------------------------------------------------------------
# device tokens: "<nonce>.<signature over user id and nonce>"


def issue_device_token(user_id: str) -> str:
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{secrets_box.keyed_hash('device', user_id, nonce)[:43]}"


def device_nonce(token: str | None, user_id: str) -> str | None:
    """The device's nonce when the token was issued to this account, else None."""
    if not token or token.count(".") != 1 or len(token) > 120:
        return None
    nonce, signature = token.split(".")
    expected = secrets_box.keyed_hash("device", user_id, nonce)[:43]
    return nonce if secrets_box.same(signature, expected) else None


def login_failure_budget(account_key: str, device: str | None) -> tuple[Budget, str]:
    """The budget a login attempt spends from: the device's own, or the account's shared one."""
    if device is not None:
        return LOGIN_FAILURES_PER_DEVICE, f"{account_key}:{device}"
    return LOGIN_FAILURES_UNTRUSTED, account_key
