"""What the dev host's /devstorage routes do beyond the shared blob contract: headers that keep served files
inert, byte ranges, streaming size checks, CORS for browser uploads, and the folder layout on disk."""

from __future__ import annotations

import json
import secrets
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette

from devhost.blob_routes import blob_routes
from shared.adapters.blobs_local import LocalBlobs
from shared.errors import Conflict
from shared.settings import Settings

BASE = "http://devhost.test"
ORIGIN = "http://localhost:5173"


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path, public_base_url=BASE, secret_key=f"test-{secrets.token_hex(16)}",
                    cors_origins=[ORIGIN])


@pytest.fixture
def blobs(settings):
    return LocalBlobs.from_settings(settings)


@pytest.fixture
async def http(settings):
    app = Starlette(routes=blob_routes(settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def test_served_blobs_cannot_be_sniffed_or_run_as_a_page(blobs, http):
    await blobs.put("files", "page.html", b"<script>alert(1)</script>", content_type="text/html")
    response = await http.get(await blobs.read_url("files", "page.html", expires_in_seconds=60))
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == (await blobs.info("files", "page.html")).etag
    assert response.headers["last-modified"].endswith("GMT")


async def test_head_answers_the_headers_without_the_body(blobs, http):
    await blobs.put("files", "a.bin", b"x" * 42, content_type="application/octet-stream")
    response = await http.head(await blobs.read_url("files", "a.bin", expires_in_seconds=60))
    assert response.status_code == 200
    assert response.headers["content-length"] == "42"
    assert response.content == b""


@pytest.mark.parametrize(("range_header", "status", "body", "content_range"), [
    ("bytes=-5", 206, b"56789", "bytes 5-9/10"),
    ("bytes=7-", 206, b"789", "bytes 7-9/10"),
    ("bytes=8-100", 206, b"89", "bytes 8-9/10"),
    ("bytes=0-0", 206, b"0", "bytes 0-0/10"),
    ("bytes=0-1,4-5", 200, b"0123456789", None),  # several ranges: the whole blob, as RFC 9110 allows
    ("items=0-1", 200, b"0123456789", None),
    ("bytes=10-", 416, None, "bytes */10"),
    ("bytes=5-2", 416, None, "bytes */10"),
])
async def test_byte_ranges(blobs, http, range_header, status, body, content_range):
    await blobs.put("files", "digits", b"0123456789", content_type="text/plain")
    response = await http.get(await blobs.read_url("files", "digits", expires_in_seconds=60),
                              headers={"Range": range_header})
    assert response.status_code == status
    if body is not None:
        assert response.content == body
    assert response.headers.get("content-range") == content_range


async def test_an_upload_without_a_length_is_cut_off_once_it_passes_the_cap(blobs, http):
    target = await blobs.upload_url("files", "stream.bin", expires_in_seconds=60, max_bytes=1000,
                                    content_type="application/octet-stream")
    chunks_sent = 0

    async def body():
        nonlocal chunks_sent
        for _ in range(100):
            chunks_sent += 1
            yield b"x" * 100

    response = await http.put(target.url, content=body(), headers=target.headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert chunks_sent < 100  # reading stopped early
    assert await blobs.list("files") == []


async def test_a_declared_length_over_the_cap_is_refused_before_reading(blobs, http):
    target = await blobs.upload_url("files", "big.bin", expires_in_seconds=60, max_bytes=10,
                                    content_type="application/octet-stream")
    response = await http.put(target.url, content=b"x" * 11, headers=target.headers)
    assert response.status_code == 413


async def test_refusals_use_the_error_envelope(blobs, http):
    await blobs.put("files", "a.txt", b"a", content_type="text/plain")
    url = await blobs.read_url("files", "a.txt", expires_in_seconds=60)
    response = await http.get(url.replace("sig=", "sig=x"))
    assert response.status_code == 403
    assert response.json() == {"success": False, "error": {"code": "signature_invalid",
                                                           "message": "The signature is invalid.", "details": None}}


async def test_urls_signed_with_another_secret_are_refused(blobs, http, tmp_path):
    await blobs.put("files", "a.txt", b"a", content_type="text/plain")
    other = LocalBlobs.from_settings(Settings(data_dir=tmp_path, public_base_url=BASE, secret_key="another-secret"))
    assert (await http.get(await other.read_url("files", "a.txt", expires_in_seconds=60))).status_code == 403


@pytest.mark.parametrize("query", ["", "?sp=r", "?sp=r&se=soon&sig=x", "?sp=w&se=9999999999&sig=x"])
async def test_requests_without_a_usable_signature_are_forbidden(blobs, http, query):
    await blobs.put("files", "a.txt", b"a", content_type="text/plain")
    assert (await http.get(f"/devstorage/files/a.txt{query}")).status_code == 403


async def test_a_name_that_climbs_out_of_the_folder_is_a_bad_request_not_a_crash(blobs, http):
    url = await blobs.read_url("files", "a.txt", expires_in_seconds=60)
    query = url.split("?", 1)[1]
    response = await http.get(f"/devstorage/files/{quote('../../settings.json', safe='')}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_blob_name"


async def test_browsers_may_upload_from_configured_origins_only(blobs, http):
    target = await blobs.upload_url("files", "from-browser.png", expires_in_seconds=60, max_bytes=100,
                                    content_type="image/png")
    asking = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
              "Access-Control-Request-Headers": "content-type,x-ms-blob-type"}
    preflight = await http.options(target.url, headers=asking)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "PUT" in preflight.headers["access-control-allow-methods"]
    assert "x-ms-blob-type" in preflight.headers["access-control-allow-headers"]
    stranger = await http.options(target.url, headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "PUT"})
    assert stranger.status_code == 403
    upload = await http.put(target.url, content=b"png", headers={**target.headers, "Origin": ORIGIN})
    assert upload.status_code == 201
    assert upload.headers["access-control-allow-origin"] == ORIGIN
    assert "ETag" in upload.headers["access-control-expose-headers"]


async def test_blobs_are_plain_files_under_the_data_folder(blobs, settings):
    await blobs.put("avatars", "u1/me.png", b"png-bytes", content_type="image/png", metadata={"owner": "u1"})
    assert (settings.data_dir / "blobs" / "avatars" / "u1" / "me.png").read_bytes() == b"png-bytes"
    sidecars = list((settings.data_dir / "blobs" / ".meta" / "avatars").glob("*.json"))
    assert len(sidecars) == 1
    assert json.loads(sidecars[0].read_text())["metadata"] == {"owner": "u1"}
    await blobs.delete("avatars", "u1/me.png")
    assert not (settings.data_dir / "blobs" / "avatars" / "u1").exists()  # emptied folders are pruned
    assert list((settings.data_dir / "blobs" / ".meta" / "avatars").glob("*.json")) == []


async def test_a_file_dropped_into_the_folder_by_hand_is_listed_and_served(blobs, settings, http):
    folder = settings.data_dir / "blobs" / "files"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_bytes(b"hand made")
    [info] = await blobs.list("files")
    assert (info.name, info.size, info.content_type) == ("notes.txt", 9, "text/plain")
    response = await http.get(await blobs.read_url("files", "notes.txt", expires_in_seconds=60))
    assert response.content == b"hand made"


async def test_a_name_that_is_also_a_folder_of_other_blobs_is_a_conflict(blobs):
    await blobs.put("files", "a/b", b"1", content_type="text/plain")
    with pytest.raises(Conflict) as clash:
        await blobs.put("files", "a", b"2", content_type="text/plain")
    assert clash.value.code == "blob_name_clash"
    with pytest.raises(Conflict):
        await blobs.put("files", "a/b/c", b"3", content_type="text/plain")
