"""Per-IP and per-user request limits of the /api/auth and /api/users routes (docs/accounts.md lists them with
the per-account budgets of shared/domain/accounts/limits.py)."""

from __future__ import annotations

from shared.http.endpoint import RateRule

MINUTE, QUARTER, HOUR = 60, 15 * 60, 3600

REGISTER = RateRule("auth-register", 20, HOUR, "ip")
VERIFY_EMAIL = RateRule("auth-verify-email", 30, QUARTER, "ip")
RESEND_VERIFICATION = RateRule("auth-resend", 10, QUARTER, "ip")
LOGIN = RateRule("auth-login", 30, QUARTER, "ip")
LOGIN_SECOND_FACTOR = RateRule("auth-login-2fa", 30, QUARTER, "ip")
FORGOT_PASSWORD = RateRule("auth-forgot", 10, QUARTER, "ip")
RESET_PASSWORD = RateRule("auth-reset", 20, QUARTER, "ip")
PASSKEY_OPTIONS = RateRule("auth-passkey-options", 60, QUARTER, "ip")
PASSKEY_SIGN_IN = RateRule("auth-passkey-verify", 30, QUARTER, "ip")
ENROL = RateRule("auth-enrol", 30, QUARTER, "ip")  # the first factor of a passwordless sign-up; adding passkeys
RECOVERY = RateRule("auth-recovery", 10, QUARTER, "ip")
RECOVERY_COMPLETE = RateRule("auth-recovery-complete", 20, QUARTER, "ip")
SENSITIVE = RateRule("auth-sensitive", 20, QUARTER, "user")  # password, 2FA, email, deletion, passkeys
SESSIONS = RateRule("auth-sessions", 120, MINUTE, "user")

PROFILE_UPDATE = RateRule("users-update", 60, HOUR, "user")
IMAGE_UPLOAD = RateRule("users-image", 30, HOUR, "user")
SEARCH = RateRule("users-search", 60, MINUTE, "user")
BLOCKS = RateRule("users-block", 100, HOUR, "user")
PROFILE_READ = RateRule("users-read", 300, MINUTE, "ip")
ADMIN = RateRule("admin-users", 120, MINUTE, "user")

IP_RULES = [REGISTER, VERIFY_EMAIL, RESEND_VERIFICATION, LOGIN, LOGIN_SECOND_FACTOR, FORGOT_PASSWORD,
            RESET_PASSWORD, PROFILE_READ, PASSKEY_OPTIONS, PASSKEY_SIGN_IN, ENROL, RECOVERY, RECOVERY_COMPLETE]
