"""Request and response shapes of passkeys (WebAuthn) and passwordless accounts.

Credentials arrive as the browser's WebAuthn JSON (`PublicKeyCredential.toJSON()`: base64url fields, camelCase
names); fields this API does not use are ignored rather than refused, because browsers add new ones over time.
Everything else forbids unknown fields, like the rest of /api/auth.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.accounts.models import (
    Body,
    Email,
    Language,
    LoginResult,
    OneTimeCode,
    OpaqueToken,
    Password,
    PasswordAttempt,
    Username,
)

B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
CredentialId = Annotated[str, StringConstraints(min_length=1, max_length=1400, pattern=B64URL)]  # ≤ 1023 bytes
ClientData = Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=B64URL)]
AttestationObject = Annotated[str, StringConstraints(min_length=1, max_length=32768, pattern=B64URL)]
AuthenticatorData = Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=B64URL)]
Signature = Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=B64URL)]
UserHandle = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=B64URL)]
PasskeyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
PasskeyKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
KNOWN_TRANSPORTS = frozenset({"ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"})


class _WebAuthnJson(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AttestationResponse(_WebAuthnJson):
    clientDataJSON: ClientData
    attestationObject: AttestationObject
    transports: Annotated[list[Annotated[str, StringConstraints(max_length=32)]], Field(max_length=10)] = []


class RegistrationCredential(_WebAuthnJson):
    id: CredentialId
    rawId: CredentialId
    type: Literal["public-key"]
    response: AttestationResponse
    authenticatorAttachment: Annotated[str, StringConstraints(max_length=32)] | None = None


class AssertionResponse(_WebAuthnJson):
    clientDataJSON: ClientData
    authenticatorData: AuthenticatorData
    signature: Signature
    userHandle: UserHandle | None = None


class AuthenticationCredential(_WebAuthnJson):
    id: CredentialId
    rawId: CredentialId
    type: Literal["public-key"]
    response: AssertionResponse
    authenticatorAttachment: Annotated[str, StringConstraints(max_length=32)] | None = None


# ---------------------------------------------------------------------------------------------------------
# /api/auth/passkey requests


class PasskeyRegisterOptionsBody(Body):
    password: PasswordAttempt | None = Field(
        default=None, description="Needed unless this session signed in within the last 10 minutes.")
    code: OneTimeCode | None = Field(default=None, description="Instead of the password, for accounts without one: "
                                                               "an authenticator or backup code.")
    enrolment_token: OpaqueToken | None = Field(default=None, description="Without a session: the token "
                                                "/auth/verify-email gave a passwordless sign-up, for its first factor.")


class PasskeyRegisterVerifyBody(Body):
    credential: RegistrationCredential
    name: PasskeyName | None = Field(default=None, description="A label shown in the passkey list.")
    enrolment_token: OpaqueToken | None = None
    token: bool = Field(default=False, description="With an enrolment token: true for API clients, as at /auth/login.")


class PasskeyAuthOptionsBody(Body):
    pending_token: OpaqueToken | None = Field(default=None, description="From /auth/login when it answered "
                                              "two_factor_required: the passkey is then the second factor. Without "
                                              "it: sign in with a passkey alone (discoverable credentials).")


class PasskeyAuthVerifyBody(Body):
    pending_token: OpaqueToken = Field(description="The pending_token of the matching /auth/passkey/auth-options.")
    credential: AuthenticationCredential
    token: bool = Field(default=False, description="True for API clients (passkey sign-in alone; a second factor "
                                                   "keeps the choice made at /auth/login).")


class PasskeyRenameBody(Body):
    name: PasskeyName


class PasskeyPath(BaseModel):
    passkey_id: PasskeyKey


class AdminPasskeysPath(BaseModel):
    user_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


# ---------------------------------------------------------------------------------------------------------
# passwordless requests


class RegisterPasswordlessBody(Body):
    username: Username
    email: Email
    language: Language = "en"


class EnrolmentTokenBody(Body):
    enrolment_token: OpaqueToken


class EnrolTotpConfirmBody(Body):
    enrolment_token: OpaqueToken
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]
    token: bool = False


class LoginPasswordlessBody(Body):
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")] = Field(
        description="The 6-digit code of the authenticator app.")
    token: bool = False


class RecoverPasswordlessBody(Body):
    email: Email
    code: OneTimeCode = Field(description="The code mailed by /auth/recovery/initiate-passwordless.")
    backup_code: OneTimeCode
    token: bool = False


class SetPasswordBody(Body):
    new_password: Password
    code: OneTimeCode | None = Field(default=None, description="An authenticator or backup code, unless this "
                                                               "session signed in within the last 10 minutes.")


# ---------------------------------------------------------------------------------------------------------
# responses


class WebAuthnOptions(BaseModel):
    options: dict[str, Any] = Field(description="PublicKeyCredentialCreationOptionsJSON or "
                                                "PublicKeyCredentialRequestOptionsJSON (base64url), for "
                                                "PublicKey.parse*OptionsFromJSON or a WebAuthn helper library.")
    pending_token: str | None = Field(default=None, description="Send it back to /auth/passkey/auth-verify.")
    expires_in: int


class CloneWarning(BaseModel):
    at: str
    stored_sign_count: int
    presented_sign_count: int


class PasskeyInfo(BaseModel):
    id: str = Field(description="The passkey's id in this API (PATCH/DELETE /auth/passkey/{id}).")
    credential_id: str
    name: str
    created_at: str
    last_used_at: str | None = None
    device_type: Literal["single_device", "multi_device"]
    backed_up: bool
    transports: list[str]
    status: Literal["active", "suspended"]
    clone_warning: CloneWarning | None = Field(default=None, description="Set when a sign-in presented a sign count "
                                               "that went backwards: the passkey may have been copied, and is "
                                               "suspended.")


class PasskeyPage(BaseModel):
    items: list[PasskeyInfo]
    next_cursor: str | None = None


class Enrolled(BaseModel):
    """The first factor of a passwordless sign-up is in: the backup codes (shown once) and a session."""

    backup_codes: list[str]
    login: LoginResult


class PasskeyRegistered(BaseModel):
    passkey: PasskeyInfo
    backup_codes: list[str] | None = Field(default=None, description="Only for a passwordless sign-up's first factor.")
    login: LoginResult | None = Field(default=None, description="Only for a passwordless sign-up's first factor.")


class EnrolmentStarted(BaseModel):
    message: str
    enrolment_token: str | None = Field(default=None, description="Passwordless sign-ups only: for /auth/passkey/"
                                        "register-options or /auth/passwordless/totp/setup.")
    enrolment_expires_in: int | None = None
