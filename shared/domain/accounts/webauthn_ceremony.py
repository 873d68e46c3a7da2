"""The WebAuthn ceremonies, on py_webauthn (`webauthn`), with the relying party from settings.

py_webauthn builds the options and checks a response: type, challenge, origin, relying-party id hash, user presence
and verification, attestation and signature. What it cannot know stays with the caller (passkeys.py): which
challenge was issued to whom, which account owns a credential, and the sign counter, which is passed as 0 here so
that the library never refuses on it: the caller compares counters only once the signature is known to be good, so
a forged response can never get a genuine passkey suspended as a clone.

The library is imported on first use: `import function_app` must stay cheap, and so must a password login.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from shared.domain.accounts import passkey_challenges
from shared.settings import get_settings

ALGORITHMS = (-7, -8, -257)  # ES256, EdDSA, RS256: what platform authenticators and security keys use


class CeremonyFailed(Exception):
    """The response does not verify; the reason is for logs only (the client gets one answer for all)."""


@dataclass(frozen=True)
class Registered:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    aaguid: str
    backup_eligible: bool
    backed_up: bool


@dataclass(frozen=True)
class Asserted:
    credential_id: bytes
    sign_count: int
    backup_eligible: bool
    backed_up: bool


def b64url_decode(value: str) -> bytes:
    """Raises ValueError for anything that is not base64url."""
    import binascii

    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def relying_party() -> tuple[str, str, list[str]]:
    settings = get_settings()
    return settings.webauthn_rp_id.strip().lower(), settings.webauthn_rp_name, list(settings.webauthn_origins)


def registration_options(*, challenge: bytes, user_handle: bytes, user_name: str, display_name: str,
                         exclude: list[bytes]) -> dict[str, Any]:
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.cose import COSEAlgorithmIdentifier
    from webauthn.helpers.structs import (
        AttestationConveyancePreference,
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    rp_id, rp_name, _origins = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=rp_name, user_id=user_handle, user_name=user_name, user_display_name=display_name,
        challenge=challenge, timeout=passkey_challenges.timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        # Discoverable ("resident") credentials are what let a passkey sign in with no username typed.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=raw) for raw in exclude],
        supported_pub_key_algs=[COSEAlgorithmIdentifier(alg) for alg in ALGORITHMS])
    return json.loads(options_to_json(options))


def authentication_options(*, challenge: bytes, allow: list[tuple[bytes, list[str]]]) -> dict[str, Any]:
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorTransport,
        PublicKeyCredentialDescriptor,
        UserVerificationRequirement,
    )

    rp_id, _name, _origins = relying_party()
    known = {t.value for t in AuthenticatorTransport}
    descriptors = [PublicKeyCredentialDescriptor(id=raw, transports=[AuthenticatorTransport(t) for t in transports
                                                                      if t in known] or None)
                   for raw, transports in allow]
    options = generate_authentication_options(rp_id=rp_id, challenge=challenge,
                                              timeout=passkey_challenges.timeout_ms(), allow_credentials=descriptors,
                                              user_verification=UserVerificationRequirement.REQUIRED)
    return json.loads(options_to_json(options))


def verify_registration(credential: dict[str, Any], *, challenge: bytes) -> Registered:
    from webauthn import verify_registration_response
    from webauthn.helpers.cose import COSEAlgorithmIdentifier
    from webauthn.helpers.structs import CredentialDeviceType

    rp_id, _name, origins = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origins,
            require_user_presence=True, require_user_verification=True,
            supported_pub_key_algs=[COSEAlgorithmIdentifier(alg) for alg in ALGORITHMS])
    except Exception as exc:  # the input is the client's: any way it fails to verify is a refusal, never a 500
        raise CeremonyFailed(f"{type(exc).__name__}: {exc}") from None
    return Registered(credential_id=verified.credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, aaguid=verified.aaguid,
                      backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
                      backed_up=verified.credential_backed_up)


def verify_authentication(credential: dict[str, Any], *, challenge: bytes, public_key: bytes) -> Asserted:
    from webauthn import verify_authentication_response
    from webauthn.helpers.structs import CredentialDeviceType

    rp_id, _name, origins = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origins,
            credential_public_key=public_key, credential_current_sign_count=0, require_user_verification=True)
    except Exception as exc:  # as above: a refusal, whatever the client sent
        raise CeremonyFailed(f"{type(exc).__name__}: {exc}") from None
    return Asserted(credential_id=verified.credential_id, sign_count=verified.new_sign_count,
                    backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
                    backed_up=verified.credential_backed_up)
