"""Request and response shapes for accounts, sessions and users (the OpenAPI document is built from these).

Request bodies forbid unknown fields, so a typo answers 422 with the field named instead of being ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from shared.domain.accounts import rules
from shared.domain.moderation.warning_models import WarningPublic
from shared.domain.schema_hints import not_null

PASSWORD_MIN, PASSWORD_MAX = 8, 256


def _username(value: str) -> str:
    problem = rules.username_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _email(value: str) -> str:
    # email-validator is imported on first use, not with the app: it costs ~20 ms of cold start.
    from email_validator import EmailNotValidError, validate_email

    try:
        address = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from None
    problem = rules.email_problem(address)
    if problem:
        raise ValueError(problem)
    return address


Username = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_username),
                     WithJsonSchema({"type": "string", "minLength": rules.USERNAME_MIN, "maxLength": rules.USERNAME_MAX,
                                     "pattern": rules.USERNAME_PATTERN,
                                     "description": "Compared case-insensitively; some names are reserved."})]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_email),
                  WithJsonSchema({"type": "string", "format": "email", "maxLength": rules.EMAIL_MAX,
                                  "pattern": rules.EMAIL_SCHEMA_PATTERN,
                                  "description": "No '/', '\\', '?' or '#'; no special-use domain (.test, .local, "
                                                 "...)."})]
Password = Annotated[str, Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
# A password being checked (not chosen): any length up to the maximum, so old passwords keep working.
PasswordAttempt = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX)]
OneTimeCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=16,
                                               pattern=r"^[A-Za-z0-9 -]+$")]
OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
Language = Literal["en", "pt"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------------------------------------
# /api/auth requests


class RegisterBody(Body):
    username: Username
    email: Email
    password: Password
    language: Language = "en"


class VerifyEmailBody(Body):
    email: Email
    code: OneTimeCode


class EmailOnlyBody(Body):
    email: Email


class LoginBody(Body):
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
    password: PasswordAttempt
    token: bool = Field(default=False, description="True for API clients: the session token comes back in data.token "
                                           "instead of a cookie.")


class LoginTwoFactorBody(Body):
    pending_token: OpaqueToken
    code: OneTimeCode = Field(description="A 6-digit authenticator code or an unused backup code.")


class ChangePasswordBody(Body):
    current_password: PasswordAttempt
    new_password: Password


class ResetPasswordBody(Body):
    token: OpaqueToken
    new_password: Password


class PasswordConfirmBody(Body):
    password: PasswordAttempt


class TwoFactorConfirmBody(Body):
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]


class PasswordAndCodeBody(Body):
    password: PasswordAttempt
    code: OneTimeCode = Field(description="A 6-digit authenticator code or an unused backup code.")


class ChangeEmailBody(Body):
    password: PasswordAttempt
    new_email: Email


class ConfirmEmailChangeBody(Body):
    code: OneTimeCode


class DeleteAccountBody(Body):
    password: PasswordAttempt
    code: OneTimeCode | None = Field(default=None, description="Required when two-factor authentication is on.")


class SessionPath(BaseModel):
    session_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class AccountPageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=20, ge=1, le=50)
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None


# ---------------------------------------------------------------------------------------------------------
# /api/users requests


class ProfileUpdate(Body):
    username: Username | None = Field(default=None, json_schema_extra=not_null,
                                      description="Leave it out to keep the username; it cannot be removed.")
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    bio: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class PreferencesUpdate(Body):
    language: Language | None = None
    theme: Literal["system", "light", "dark"] | None = None
    email_notifications: bool | None = None
    anonymous_mode: bool | None = None
    show_online_status: bool | None = None


ImageKind = Literal["avatar", "banner"]
ImageType = Literal["image/png", "image/jpeg", "image/gif", "image/webp"]


class ImageKindPath(BaseModel):
    kind: ImageKind


class ProfileImageUploadBody(Body):
    content_type: ImageType


class ImageConfirmBody(Body):
    upload_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class UserIdPath(BaseModel):
    user_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class UsernamePath(BaseModel):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=rules.USERNAME_PREFIX_PATTERN)]


class SearchQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=rules.USERNAME_MAX,
                                        pattern=rules.USERNAME_PREFIX_PATTERN)]
    limit: int = Field(default=10, ge=1, le=20)
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None


class BanBody(Body):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


# ---------------------------------------------------------------------------------------------------------
# responses


class Preferences(BaseModel):
    language: Language = "en"
    theme: Literal["system", "light", "dark"] = "system"
    email_notifications: bool = True
    anonymous_mode: bool = False
    show_online_status: bool = True


class UserCard(BaseModel):
    """What anyone may see about an account: never the email address."""

    id: str
    username: str
    display_name: str | None = None
    bio: str | None = None
    avatar_url: str | None = None
    banner_url: str | None = None
    created_at: str


class Me(UserCard):
    email: str
    email_verified: bool
    is_admin: bool
    two_factor_enabled: bool
    has_password: bool = Field(default=True, description="False for passwordless accounts (passkeys or an "
                                                         "authenticator app); /auth/set-password adds one.")
    preferences: Preferences


class Message(BaseModel):
    message: str


class EmailVerified(Message):
    enrolment_token: str | None = Field(default=None, description="Passwordless sign-ups only: enrol the first way "
                                        "in with it (/auth/passkey/register-options or /auth/passwordless/totp/setup).")
    enrolment_expires_in: int | None = None


class SessionInfo(BaseModel):
    id: str
    current: bool
    created_at: str
    last_seen: str
    expires_at: str
    ip: str
    user_agent: str


class SessionPage(BaseModel):
    items: list[SessionInfo]
    next_cursor: str | None = None


class CurrentSession(BaseModel):
    id: str
    expires_at: str
    idle_timeout_seconds: int
    via: Literal["cookie", "token"]
    csrf_token: str | None = Field(default=None, description="Send it as X-CSRF-Token on cookie-authenticated writes.")


class WhoAmI(BaseModel):
    user: Me
    session: CurrentSession
    active_warnings: list[WarningPublic] = Field(
        default_factory=list, description="Moderators' warnings not acknowledged yet (POST "
                                          "/api/warnings/{id}/acknowledge), newest first.")


class LoginResult(BaseModel):
    two_factor_required: bool = False
    pending_token: str | None = Field(default=None, description="When two_factor_required: send it to /auth/login/2fa.")
    pending_expires_in: int | None = None
    second_factors: list[Literal["totp", "passkey"]] | None = Field(
        default=None, description="When two_factor_required: what may finish the login (/auth/login/2fa for a "
                                  "code, /auth/passkey/auth-options and auth-verify for a passkey).")
    user: Me | None = None
    session: CurrentSession | None = None
    token: str | None = Field(default=None, description="Only for API clients that asked for it with token=true.")
    device_token: str | None = Field(default=None, description="Lets this client keep its own failed-login budget; "
                                                       "send it back as X-Device-Token (browsers get a cookie).")


class TwoFactorSetup(BaseModel):
    secret: str
    otpauth_uri: str


class BackupCodes(BaseModel):
    backup_codes: list[str]


class UserCardPage(BaseModel):
    items: list[UserCard]
    next_cursor: str | None = None


class ProfileImageUpload(BaseModel):
    upload_id: str
    url: str
    method: str
    headers: dict[str, str]
    expires_at: str
    max_bytes: int


class Deletion(BaseModel):
    status: Literal["scheduled"]
    message: str


class BanResult(BaseModel):
    user_id: str
    banned: bool
    sessions_ended: int = 0
