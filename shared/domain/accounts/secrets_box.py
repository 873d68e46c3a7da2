"""Keyed hashing and encryption for the account secrets we keep.

- One-time codes and backup codes are stored as HMAC-SHA256 under the app's secret key: a leaked database does
  not reveal them, and a 6-digit code cannot be brute-forced offline without the key.
- Tokens with 256 bits of entropy (sessions, reset links, pending logins) need no key: plain SHA-256.
- TOTP secrets must be read back, so they are encrypted (AES-256-GCM, key derived from the secret key, the user id
  bound as associated data so a ciphertext cannot be moved to another account). Rotating SECRET_KEY therefore
  means re-enrolling two-factor authentication; docs/accounts.md says so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from shared.settings import get_settings

_VERSION = "v1"


def _key(purpose: str) -> bytes:
    return hmac.new(get_settings().secret_key.encode(), f"topicsflow:{purpose}".encode(), hashlib.sha256).digest()


def keyed_hash(purpose: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(_key(f"hash:{purpose}"), message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def encrypt(plaintext: str, *, bound_to: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(_key("encrypt")).encrypt(nonce, plaintext.encode(), bound_to.encode())
    return f"{_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(ciphertext: str, *, bound_to: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    version, _, payload = ciphertext.partition(":")
    if version != _VERSION:
        raise ValueError("unknown ciphertext version")
    raw = base64.urlsafe_b64decode(payload.encode())
    return AESGCM(_key("encrypt")).decrypt(raw[:12], raw[12:], bound_to.encode()).decode()
