"""`Idempotency-Key` on create routes: a retried request gets the first answer instead of a second write.

Routes declare `@endpoint(..., idempotent=True)`. A client that sends `Idempotency-Key: <1-255 printable ASCII>`
(Stripe's and the IETF draft's header) has its request claimed under (caller, key) in the key-value store
before the handler runs:

- the first request runs; a success (2xx) is stored for 24 hours and every repeat gets it back, byte for byte,
  with `Idempotent-Replayed: true`;
- a repeat whose method, path, query or body differ answers 422 `idempotency_key_reused` (the key names one
  request, not a kind of request);
- a repeat while the first is still running answers 409 `idempotency_request_in_progress` with Retry-After;
- a first request that fails (any error) releases the key, so the client may retry with it.

The caller is the signed-in user, or the client's address for anonymous routes (sign-up). The claim expires on
its own if a worker dies mid-request; a store write that must never run twice beyond that window also derives
its document id from `Call.idempotency_key` (e.g. chat messages), so the store itself refuses the duplicate.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared import errors

if TYPE_CHECKING:
    import azure.functions as func

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_SECONDS = 24 * 3600
PENDING_SECONDS = 60  # longer than any request may run; a claim left by a dead worker frees itself
KEPT_HEADERS = ("content-type", "location", "etag")


@dataclass(frozen=True)
class Claim:
    store_key: str
    fingerprint: str
    request_key: str  # stable per (caller, key): what a domain write may derive its id from


def _invalid() -> errors.BadRequest:
    return errors.BadRequest("Idempotency-Key holds 1 to 255 printable ASCII characters.",
                             code="invalid_idempotency_key", details={"field": f"header.{HEADER}"})


def _reused() -> errors.ValidationFailed:
    return errors.ValidationFailed("This Idempotency-Key was used for a different request.",
                                   code="idempotency_key_reused", details={"field": f"header.{HEADER}"})


def _in_progress() -> errors.Conflict:
    return errors.Conflict("A request with this Idempotency-Key is still being processed; retry shortly.",
                           code="idempotency_request_in_progress", headers={"Retry-After": "1"})


def _digest(*parts: bytes) -> str:
    """Keyed (HMAC under the app's secret): a fingerprint covers bodies that may carry a password, and the cache
    must not hold anything a dictionary attack could turn back into one."""
    from shared.settings import get_settings

    key = hashlib.sha256(b"topicsflow:idempotency\x1f" + get_settings().secret_key.encode()).digest()
    hasher = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return base64.urlsafe_b64encode(hasher.digest()).decode().rstrip("=")


async def claim(req: func.HttpRequest, caller: str) -> Claim | func.HttpResponse | None:
    """None when the request carries no key; the stored answer when it is a repeat; else the claim to complete."""
    from shared.wiring import kv

    key = req.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise _invalid()
    request_key = _digest(caller.encode(), key.encode())
    fingerprint = _digest(req.method.upper().encode(), req.url.encode(), req.get_body() or b"")
    store_key = f"idem:{request_key}"
    pending = json.dumps({"state": "pending", "fingerprint": fingerprint})
    if await kv().set(store_key, pending, ttl_seconds=PENDING_SECONDS, only_if_absent=True):
        return Claim(store_key=store_key, fingerprint=fingerprint, request_key=request_key)
    raw = await kv().get(store_key)
    if raw is None:  # finished and expired, or released, between our two calls: treat the repeat as new
        if await kv().set(store_key, pending, ttl_seconds=PENDING_SECONDS, only_if_absent=True):
            return Claim(store_key=store_key, fingerprint=fingerprint, request_key=request_key)
        raise _in_progress()
    stored = json.loads(raw)
    if stored.get("fingerprint") != fingerprint:
        raise _reused()
    if stored.get("state") != "done":
        raise _in_progress()
    return _replay(stored)


async def complete(claim: Claim, response: func.HttpResponse) -> None:
    """Keeps a success for repeats; anything else releases the key."""
    from shared.wiring import kv

    if not 200 <= response.status_code < 300:
        await release(claim)
        return
    headers = {name: value for name, value in response.headers.items() if name.lower() in KEPT_HEADERS}
    record = {"state": "done", "fingerprint": claim.fingerprint, "status": response.status_code,
              "headers": headers, "body": base64.b64encode(response.get_body() or b"").decode()}
    await kv().set(claim.store_key, json.dumps(record), ttl_seconds=KEPT_SECONDS)


async def release(claim: Claim) -> None:
    from shared.wiring import kv

    await kv().delete(claim.store_key)


def _replay(stored: dict) -> func.HttpResponse:
    import azure.functions as func

    headers = {name: value for name, value in stored.get("headers", {}).items() if name.lower() != "content-type"}
    content_type = next((v for k, v in stored.get("headers", {}).items() if k.lower() == "content-type"),
                        "application/json")
    return func.HttpResponse(base64.b64decode(stored.get("body", "")), status_code=int(stored["status"]),
                             headers={**headers, REPLAYED_HEADER: "true"},
                             mimetype=content_type.split(";")[0].strip())
