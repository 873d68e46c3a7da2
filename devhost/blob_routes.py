"""Serves the local blob adapter's signed URLs, as Blob Storage serves SAS URLs.

GET/HEAD read a blob (Range -> 206), PUT stores an upload (201). Every request needs a valid, unexpired signature
made by shared.adapters.blobs_local; an upload must also carry the signed Content-Type and stay under the signed
size cap, which is checked while the body streams in. Served content can never run script in the dev host's
origin: nosniff plus a sandboxing Content-Security-Policy.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.adapters.blob_names import check_container, check_name
from shared.adapters.blobs_local import CREATE, READ, URL_PREFIX, LocalBlobs, signature_matches
from shared.errors import AppError
from shared.http.envelope import failure
from shared.settings import Settings

ALLOWED_HEADERS = "Content-Type, Range, x-ms-blob-type"
EXPOSED_HEADERS = "ETag, Content-Length, Content-Range, Accept-Ranges, Last-Modified"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def blob_routes(settings: Settings, blobs: LocalBlobs | None = None) -> list[Route]:
    store = blobs or LocalBlobs.from_settings(settings)
    origins = {o.rstrip("/") for o in settings.cors_origins}

    def cors(request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if origin and origin.rstrip("/") in origins:
            return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSED_HEADERS,
                    "Vary": "Origin"}
        return {}

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            headers = cors(request)
            if not headers:
                return Response(status_code=403)
            return Response(status_code=204, headers={**headers, "Access-Control-Allow-Methods": "GET, HEAD, PUT",
                                                      "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                                                      "Access-Control-Max-Age": "600"})
        container, name = request.path_params["container"], request.path_params["name"]
        try:
            check_container(container)
            check_name(name)
            if request.method == "PUT":
                response = await _upload(store, request, container, name)
            else:
                response = await _download(store, request, container, name)
        except Refused as refused:
            response = JSONResponse(failure(refused.code, refused.message), status_code=refused.status,
                                    headers=refused.headers)
        except AppError as error:
            response = JSONResponse(failure(error.code, error.message), status_code=error.status)
        response.headers.update(cors(request))
        return response

    return [Route(f"{URL_PREFIX}/{{container}}/{{name:path}}", endpoint, methods=["GET", "HEAD", "PUT", "OPTIONS"])]


def _check_signature(store: LocalBlobs, request: Request, container: str, name: str, permission: str,
                     **signed) -> None:
    query = request.query_params
    if query.get("sp") != permission:
        raise Refused(403, "signature_invalid", "This URL does not grant this operation.")
    try:
        expires = int(query.get("se", ""))
    except ValueError:
        raise Refused(403, "signature_invalid", "The signature is invalid.") from None
    if not signature_matches(store.signing_key, query.get("sig", ""), permission=permission, container=container,
                             name=name, expires=expires, **signed):
        raise Refused(403, "signature_invalid", "The signature is invalid.")
    if time.time() >= expires:
        raise Refused(403, "signature_expired", "The signed URL has expired.")


async def _download(store: LocalBlobs, request: Request, container: str, name: str) -> Response:
    download_name = request.query_params.get("dl", "")
    _check_signature(store, request, container, name, READ, download_name=download_name)
    info = await store.info(container, name)
    headers = {"Accept-Ranges": "bytes", "ETag": info.etag, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, no-cache"}
    if info.last_modified:
        headers["Last-Modified"] = info.last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if download_name:
        headers["Content-Disposition"] = _attachment(download_name)
    span = _parse_range(request.headers.get("range"), info.size)
    if span is None:
        status, offset, length = 200, 0, None
    else:
        offset, end = span
        status, length = 206, end - offset + 1
        headers["Content-Range"] = f"bytes {offset}-{end}/{info.size}"
    if request.method == "HEAD":
        headers["Content-Length"] = str(info.size if length is None else length)
        return Response(status_code=status, headers=headers, media_type=info.content_type)
    blob = await store.get(container, name, offset=offset, length=length)
    return Response(blob.data, status_code=status, headers=headers, media_type=info.content_type)


def _parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One byte range as (first, last) inclusive; None serves the whole blob (also for multi-range requests)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return None  # RFC 9110: an unsupported range unit or form may be ignored
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix range: the last N bytes
        if int(last) == 0 or size == 0:
            raise _unsatisfiable(size)
        return max(0, size - int(last)), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise _unsatisfiable(size)
    return start, end


def _unsatisfiable(size: int) -> Refused:
    return Refused(416, "invalid_range", "The range is not satisfiable.", {"Content-Range": f"bytes */{size}"})


def _attachment(download_name: str) -> str:
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in download_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(download_name, safe='')}"


async def _upload(store: LocalBlobs, request: Request, container: str, name: str) -> Response:
    query = request.query_params
    try:
        max_bytes = int(query.get("max", ""))
    except ValueError:
        raise Refused(403, "signature_invalid", "The signature is invalid.") from None
    content_type = query.get("ct", "")
    _check_signature(store, request, container, name, CREATE, max_bytes=max_bytes, content_type=content_type)
    sent_type = request.headers.get("content-type", "")
    if sent_type.strip().lower() != content_type.lower():
        raise Refused(415, "content_type_mismatch", f"This URL accepts only Content-Type {content_type}.")
    declared = request.headers.get("content-length")
    too_large = Refused(413, "payload_too_large", f"The upload is larger than {max_bytes} bytes.")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > max_bytes:
            raise too_large
    info = await store.put(container, name, bytes(received), content_type=content_type)
    return Response(status_code=201, headers={"ETag": info.etag})
