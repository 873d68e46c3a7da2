"""A software WebAuthn authenticator, so tests can play the user's passkey: ES256 keys (`cryptography`), CBOR and
COSE from `fido2`, signatures over the real clientDataJSON with an origin the test chooses.

    device = SoftAuthenticator()
    created = device.create(options["options"], origin=ORIGIN)       # navigator.credentials.create()
    asserted = device.get(options["options"], origin=ORIGIN)         # navigator.credentials.get()

It keeps discoverable credentials (with their user handles) per relying party, sets the user-present and
user-verified flags (`user_verification=False` leaves UV off), a per-credential sign counter that goes up by one per
assertion and can be wound back (`set_counter`) to play a cloned authenticator, and the backup flags. `soft-webauthn`
sets no UV flag, which this API requires, hence this one.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.cose import ES256

ORIGIN = "http://localhost:3000"  # one of the default WEBAUTHN_ORIGINS
UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Credential:
    id: bytes
    rp_id: str
    user_handle: bytes
    key: ec.EllipticCurvePrivateKey
    counter: int = 0


class SoftAuthenticator:
    aaguid = bytes(16)

    def __init__(self, *, user_verification: bool = True, backup_eligible: bool = False, backed_up: bool = False,
                 counter_step: int = 1):
        self.user_verification = user_verification
        self.backup_eligible = backup_eligible
        self.backed_up = backed_up
        self.counter_step = counter_step  # 0: an authenticator without a counter (as synced passkeys often are)
        self.credentials: list[Credential] = []

    def _flags(self, *, attested: bool = False) -> int:
        flags = UP | (UV if self.user_verification else 0)
        flags |= (BE if self.backup_eligible else 0) | (BS if self.backed_up else 0)
        return flags | (AT if attested else 0)

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False},
                          separators=(",", ":")).encode()

    def create(self, options: dict[str, Any], *, origin: str = ORIGIN) -> dict[str, Any]:
        """What the browser hands back from navigator.credentials.create(), as PublicKeyCredential.toJSON()."""
        rp_id = options["rp"]["id"]
        excluded = {unb64url(c["id"]) for c in options.get("excludeCredentials") or []}
        if any(c.id in excluded for c in self.credentials if c.rp_id == rp_id):
            raise ValueError("InvalidStateError: this authenticator holds an excluded credential")
        credential = Credential(id=os.urandom(32), rp_id=rp_id, user_handle=unb64url(options["user"]["id"]),
                                key=ec.generate_private_key(ec.SECP256R1()))
        self.credentials.append(credential)
        public_key = cbor.encode(ES256.from_cryptography_key(credential.key.public_key()))
        attested = self.aaguid + struct.pack(">H", len(credential.id)) + credential.id + public_key
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags(attested=True)]) + \
            struct.pack(">I", credential.counter) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation),
                             "transports": ["internal", "hybrid"]}}

    def get(self, options: dict[str, Any], *, origin: str = ORIGIN, credential_id: bytes | None = None,
            rp_id: str | None = None) -> dict[str, Any]:
        """navigator.credentials.get(): an assertion by the allowed (or, with none listed, a discoverable)
        credential of this relying party; `rp_id` signs for another relying party than the options name."""
        rp_id = rp_id or options["rpId"]
        allowed = {unb64url(c["id"]) for c in options.get("allowCredentials") or []}
        candidates = [c for c in self.credentials if c.rp_id == (options["rpId"])
                      and (not allowed or c.id in allowed) and (credential_id is None or c.id == credential_id)]
        if not candidates:
            raise ValueError("NotAllowedError: no credential for this request")
        credential = candidates[-1]
        credential.counter += self.counter_step
        auth_data = hashlib.sha256(rp_id.encode()).digest() + bytes([self._flags()]) + \
            struct.pack(">I", credential.counter)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
                "authenticatorAttachment": "platform", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": b64url(credential.user_handle)}}

    def set_counter(self, value: int, credential_id: bytes | None = None) -> None:
        for credential in self.credentials:
            if credential_id is None or credential.id == credential_id:
                credential.counter = value

    def clone(self) -> SoftAuthenticator:
        """Another device holding copies of the same keys, with its own (now diverging) counters."""
        twin = SoftAuthenticator(user_verification=self.user_verification, backup_eligible=self.backup_eligible,
                                 backed_up=self.backed_up, counter_step=self.counter_step)
        twin.credentials = [Credential(c.id, c.rp_id, c.user_handle, c.key, c.counter) for c in self.credentials]
        return twin

    def forget(self) -> None:
        """The device is lost."""
        self.credentials.clear()


def copy_of(response: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(response)
