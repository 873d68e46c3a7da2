"""Where a job's rows come from: inline in the request, or a file the client PUT through a signed upload URL.

Either way the rows end up in a blob and the queue message carries only its name (claim-check): messages stay
far below Service Bus's size cap, and a retry re-reads exactly the same input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared import clock, wiring
from shared.domain.identity import Principal
from shared.domain.models import store
from shared.domain.models.access import access_model
from shared.domain.models.documents import InputRef, upload_docs
from shared.domain.models.schemas import UploadCreate, UploadPublic, UploadTargetPublic
from shared.domain.models.tabular import check_rows
from shared.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from shared.settings import get_settings


async def check_create_upload(principal: Principal, model_id: str, body: UploadCreate) -> UploadPublic:
    await access_model(principal, model_id, "train" if body.purpose == "train" else "read")
    settings = get_settings()
    upload_id = store.new_id()
    name = store.upload_blob_name(model_id, upload_id, body.format)
    target = await wiring.blobs().upload_url(store.DATA_CONTAINER, name,
                                             expires_in_seconds=settings.models_url_ttl_seconds,
                                             max_bytes=settings.models_upload_max_bytes,
                                             content_type=store.CONTENT_TYPES[body.format])
    expires_at = datetime.now(UTC) + timedelta(seconds=settings.models_url_ttl_seconds)
    await upload_docs.create({
        "id": f"upload:{upload_id}", "pk": principal.user_id, "model_id": model_id, "format": body.format,
        "purpose": body.purpose, "container": store.DATA_CONTAINER, "name": name, "created_at": clock.now_iso(),
        "url_expires_at": clock.iso(expires_at)})
    return UploadPublic(upload_id=upload_id, model_id=model_id, format=body.format, purpose=body.purpose,
                        upload=UploadTargetPublic(url=target.url, method=target.method, headers=target.headers,
                                                  expires_at=clock.iso(target.expires_at),
                                                  max_bytes=target.max_bytes))


async def stage_input(principal: Principal, model_id: str, job_id: str, *, data: list[dict[str, Any]] | None,
                      upload_id: str | None, purpose: str, max_rows: int,
                      validate: Callable[[list[dict[str, Any]]], Any]) -> InputRef:
    """The blob reference a job will read. Inline rows are checked now (a 422 beats a failed job) and stored;
    an uploaded file is checked for presence and size here and parsed by the worker."""
    if data is not None:
        rows = check_rows(data, max_rows=max_rows)
        validate(rows)
        encoded = json.dumps(rows, separators=(",", ":"), allow_nan=False).encode()
        name = store.input_blob_name(job_id, "json")
        await wiring.blobs().put(store.DATA_CONTAINER, name, encoded, content_type=store.CONTENT_TYPES["json"])
        return {"source": "inline", "container": store.DATA_CONTAINER, "name": name, "format": "json",
                "rows": len(rows), "bytes": len(encoded)}
    return await _uploaded_input(principal, model_id, upload_id or "", purpose)


async def _uploaded_input(principal: Principal, model_id: str, upload_id: str, purpose: str) -> InputRef:
    try:
        upload = await upload_docs.read(principal.user_id, f"upload:{upload_id}")
    except NotFound:
        raise NotFound("Upload not found.", code="upload_not_found") from None
    if upload["model_id"] != model_id:
        raise NotFound("Upload not found.", code="upload_not_found")
    if upload["purpose"] != purpose:
        raise ValidationFailed(f"This upload was made for {upload['purpose']}, not {purpose}.",
                               code="upload_purpose_mismatch")
    try:
        info = await wiring.blobs().info(upload["container"], upload["name"])
    except NotFound:
        raise Conflict("Nothing was uploaded yet: PUT the file to the upload URL first.",
                       code="upload_incomplete") from None
    limit = get_settings().models_upload_max_bytes
    if info.size > limit:  # an Azure SAS cannot cap the size, so it is checked after the fact
        await wiring.blobs().delete(upload["container"], upload["name"])
        raise PayloadTooLarge(f"The uploaded file is larger than {limit} bytes.", details={"max_bytes": limit})
    return {"source": "upload", "upload_id": upload_id, "container": upload["container"], "name": upload["name"],
            "format": upload["format"], "rows": None, "bytes": info.size}


async def read_input(ref: InputRef) -> bytes:
    return (await wiring.blobs().get(ref["container"], ref["name"])).data
