import azure.functions as func

bp = func.Blueprint()

from shared.domain.accounts.erasers import register_eraser  # noqa: E402  (cheap: the registry only)

register_eraser("accounts.passkeys", "shared.domain.accounts.passkey_store:erase_user_passkeys")

from functions.auth import (  # noqa: E402,F401  (routes)
    account,
    jobs,
    login,
    passkeys,
    passwordless,
    passwords,
    registration,
    two_factor,
)
