"""What the accounts area stores (docs/accounts.md has the table), and the typed containers that hold it.

`users` is what other areas may read (names, status); `credentials` never leaves this package. Fields written at
sign-up are required; those a later change adds (a site ban, a deletion request, the last login) are
`NotRequired`.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from shared.domain.accounts.models import Language
from shared.domain.stored import Container, Stored

USERS = "users"
CREDENTIALS = "credentials"
USERNAMES = "usernames"
EMAILS = "emails"
BLOCKS = "blocks"

UserStatus = Literal["pending", "active", "banned", "deleting"]


class PreferencesDoc(TypedDict, total=False):
    """What the user chose; models.Preferences fills in the defaults of what is absent."""

    language: Language
    theme: Literal["system", "light", "dark"]
    email_notifications: bool
    anonymous_mode: bool
    show_online_status: bool


class SiteBanDoc(TypedDict):
    reason: str
    by: str | None  # None: banned by the command line
    at: str


class UserFields(TypedDict, total=False):
    """The profile's fields that change after sign-up (store.patch_user)."""

    username: str
    username_lower: str
    display_name: str | None
    bio: str | None
    avatar: str | None  # blob names in profile-images
    banner: str | None
    status: UserStatus
    is_admin: bool
    ban: SiteBanDoc | None  # None once lifted
    deletion_requested_at: str


class UserDoc(Stored):
    """pk = id = user id."""

    username: str
    username_lower: str
    display_name: str | None
    bio: str | None
    avatar: str | None
    banner: str | None
    status: UserStatus
    is_admin: bool
    preferences: PreferencesDoc
    created_at: str
    updated_at: str
    ban: NotRequired[SiteBanDoc | None]
    deletion_requested_at: NotRequired[str]


class TotpDoc(TypedDict):
    enabled: bool
    secret: str | None  # sealed with secrets_box, bound to the user
    pending_secret: str | None  # a set-up not confirmed yet
    backup_codes: list[str]  # keyed hashes of the unused ones
    pending_since: NotRequired[str]
    enabled_at: NotRequired[str]


class CredentialFields(TypedDict, total=False):
    """The credentials' fields that change after sign-up (store.patch_credentials)."""

    email: str
    email_lower: str
    email_verified: bool
    password_hash: str | None
    password_changed_at: str
    totp: TotpDoc
    last_login_at: str


class CredentialsDoc(Stored):
    """pk = id = user id."""

    email: str | None  # None: a sign-up whose address was taken, which can never be verified
    email_lower: str | None
    email_verified: bool
    password_hash: str | None  # argon2id; None for an account without a password (passwordless.py)
    password_changed_at: str
    totp: TotpDoc
    created_at: str
    updated_at: str
    last_login_at: NotRequired[str]


class LookupDoc(Stored):
    """`usernames` and `emails`: pk = id = the normalised value, created before the account it guards."""

    user_id: str
    created_at: str


class BlockDoc(Stored):
    """pk = blocker id, id = blocked user id."""

    blocker_id: str
    blocked_id: str
    created_at: str


PasskeyStatus = Literal["active", "suspended"]


class CloneWarningDoc(TypedDict):
    at: str
    stored_sign_count: int
    presented_sign_count: int


class PasskeyDoc(Stored):
    """pk = user id, id = the credential key (SHA-256 hex of the raw credential id)."""

    user_id: str
    credential_id: str  # base64url
    public_key: str  # COSE, base64url
    sign_count: int
    aaguid: str
    backup_eligible: bool
    backed_up: bool
    transports: list[str]
    name: str
    user_handle: str
    status: PasskeyStatus
    clone_warning: CloneWarningDoc | None
    created_at: str
    last_used_at: str | None


class PasskeyFields(TypedDict, total=False):
    """What changes on a passkey after it was registered (passkey_store.patch_passkey)."""

    name: str
    sign_count: int
    backed_up: bool
    status: PasskeyStatus
    clone_warning: CloneWarningDoc | None
    last_used_at: str | None


class PasskeyIdDoc(Stored):
    """`passkey_ids`: pk = id = the credential key; created before the passkey, so a credential has one owner."""

    user_id: str
    created_at: str


user_docs = Container[UserDoc](USERS)
credential_docs = Container[CredentialsDoc](CREDENTIALS)
username_docs = Container[LookupDoc](USERNAMES)
email_docs = Container[LookupDoc](EMAILS)
block_docs = Container[BlockDoc](BLOCKS)
passkey_docs = Container[PasskeyDoc]("passkeys")
passkey_id_docs = Container[PasskeyIdDoc]("passkey_ids")
