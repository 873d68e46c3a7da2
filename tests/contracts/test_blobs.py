"""The Blobs contract, run on LocalBlobs (a temp folder, signed URLs served by the dev host's blob routes through
an in-process ASGI transport) and on AzureBlobs against Azurite 3.35.0 (started once per session; the suite fails
if it cannot start). Each test uses a fresh container.

Where Azure cannot do what the local stand-in does (a SAS neither caps size nor pins the content type), the
tests show the check a caller makes instead: compare info() with the UploadTarget after the upload.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from starlette.applications import Starlette

from devhost.blob_routes import blob_routes
from devhost.standins.azurite import start_azurite
from shared.adapters.blobs_azure import AzureBlobs
from shared.adapters.blobs_local import LocalBlobs
from shared.errors import BadRequest, Conflict, NotFound
from shared.ports import Blobs
from shared.settings import Settings

LOCAL_BASE_URL = "http://devhost.test"


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    stand_in = start_azurite(tmp_path_factory.mktemp("azurite-logs"))
    yield stand_in
    stand_in.stop()


@dataclass
class Backend:
    kind: str
    blobs: Blobs
    http: httpx.AsyncClient
    container: str


@pytest.fixture(params=["local", "azure"])
async def backend(request, tmp_path):
    container = f"c{secrets.token_hex(6)}"
    if request.param == "local":
        settings = Settings(data_dir=tmp_path, public_base_url=LOCAL_BASE_URL,
                            secret_key=f"test-{secrets.token_hex(16)}")
        blobs = LocalBlobs.from_settings(settings)
        app = Starlette(routes=blob_routes(settings))  # builds its own LocalBlobs from the same settings
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    else:
        azurite = request.getfixturevalue("azurite")
        blobs = AzureBlobs.from_settings(Settings(storage_connection_string=azurite.connection_string))
        http = httpx.AsyncClient()
    yield Backend(request.param, blobs, http, container)
    await http.aclose()
    closer = getattr(blobs, "close", None)
    if closer:
        await closer()


def tamper(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def flipped(signature: str) -> str:
    return ("A" if signature[0] != "A" else "B") + signature[1:]


async def test_both_adapters_implement_the_blobs_port(backend):
    assert isinstance(backend.blobs, Blobs)


# -- put, get, info --------------------------------------------------------------------------------------------


async def test_a_stored_blob_reads_back_with_its_content_type_metadata_and_etag(backend):
    stored = await backend.blobs.put(backend.container, "docs/report.json", b'{"a": 1}',
                                     content_type="application/json", metadata={"owner": "u1", "Kind": "report"})
    assert stored.size == 8 and stored.etag
    blob = await backend.blobs.get(backend.container, "docs/report.json")
    assert blob.data == b'{"a": 1}'
    info = blob.info
    assert (info.container, info.name, info.size) == (backend.container, "docs/report.json", 8)
    assert info.content_type == "application/json"
    assert info.metadata == {"owner": "u1", "Kind": "report"}
    assert info.etag == stored.etag
    assert isinstance(info.last_modified, datetime)
    assert abs((datetime.now(UTC) - info.last_modified).total_seconds()) < 60
    assert await backend.blobs.info(backend.container, "docs/report.json") == info


async def test_putting_over_an_existing_blob_is_refused_unless_overwrite_is_asked(backend):
    first = await backend.blobs.put(backend.container, "a.txt", b"first", content_type="text/plain")
    with pytest.raises(Conflict) as refused:
        await backend.blobs.put(backend.container, "a.txt", b"second", content_type="text/plain")
    assert refused.value.code == "blob_exists"
    assert (await backend.blobs.get(backend.container, "a.txt")).data == b"first"
    second = await backend.blobs.put(backend.container, "a.txt", b"second!", content_type="text/markdown",
                                     overwrite=True)
    assert second.etag != first.etag
    blob = await backend.blobs.get(backend.container, "a.txt")
    assert (blob.data, blob.info.size, blob.info.content_type) == (b"second!", 7, "text/markdown")


async def test_an_empty_blob_is_a_blob(backend):
    await backend.blobs.put(backend.container, "empty", b"", content_type="application/octet-stream")
    blob = await backend.blobs.get(backend.container, "empty")
    assert blob.data == b"" and blob.info.size == 0
    assert (await backend.blobs.get(backend.container, "empty", offset=0, length=10)).data == b""


async def test_a_range_read_returns_those_bytes_and_the_whole_blobs_size(backend):
    data = bytes(range(256)) * 4
    await backend.blobs.put(backend.container, "bin", data, content_type="application/octet-stream")
    part = await backend.blobs.get(backend.container, "bin", offset=100, length=50)
    assert part.data == data[100:150]
    assert part.info.size == len(data)
    assert (await backend.blobs.get(backend.container, "bin", offset=1000)).data == data[1000:]
    assert (await backend.blobs.get(backend.container, "bin", offset=1020, length=100)).data == data[1020:]
    assert (await backend.blobs.get(backend.container, "bin", offset=len(data))).data == b""
    assert (await backend.blobs.get(backend.container, "bin", offset=3, length=0)).data == b""


async def test_a_range_starting_past_the_end_is_a_bad_request(backend):
    await backend.blobs.put(backend.container, "bin", b"0123456789", content_type="application/octet-stream")
    with pytest.raises(BadRequest) as refused:
        await backend.blobs.get(backend.container, "bin", offset=11, length=2)
    assert refused.value.code == "invalid_range"
    with pytest.raises(BadRequest):
        await backend.blobs.get(backend.container, "bin", offset=-1)


async def test_missing_blobs_are_not_found_and_a_missing_container_lists_empty(backend):
    for call in (backend.blobs.get(backend.container, "nope"), backend.blobs.info(backend.container, "nope"),
                 backend.blobs.delete(backend.container, "nope")):
        with pytest.raises(NotFound) as missing:
            await call
        assert missing.value.code == "blob_not_found"
    assert await backend.blobs.list(backend.container) == []


# -- list, delete ------------------------------------------------------------------------------------------------


async def test_list_returns_the_blobs_under_a_prefix_in_name_order(backend):
    for name in ["u1/b.png", "u1/a/deep.png", "u2/c.png", "u1x.png", "top.txt"]:
        await backend.blobs.put(backend.container, name, name.encode(), content_type="image/png",
                                metadata={"n": name.replace("/", "_").replace(".", "_")})
    under_u1 = await backend.blobs.list(backend.container, prefix="u1/")
    assert [b.name for b in under_u1] == ["u1/a/deep.png", "u1/b.png"]
    assert under_u1[1].size == len(b"u1/b.png") and under_u1[1].content_type == "image/png"
    assert under_u1[1].metadata == {"n": "u1_b_png"}
    assert [b.name for b in await backend.blobs.list(backend.container, prefix="u1")] == [
        "u1/a/deep.png", "u1/b.png", "u1x.png"]
    assert len(await backend.blobs.list(backend.container)) == 5
    assert await backend.blobs.list(backend.container, prefix="zzz") == []


async def test_a_deleted_blob_is_gone_and_a_second_delete_is_not_found(backend):
    await backend.blobs.put(backend.container, "dir/x.txt", b"x", content_type="text/plain")
    await backend.blobs.put(backend.container, "dir/y.txt", b"y", content_type="text/plain")
    await backend.blobs.delete(backend.container, "dir/x.txt")
    with pytest.raises(NotFound):
        await backend.blobs.get(backend.container, "dir/x.txt")
    with pytest.raises(NotFound):
        await backend.blobs.delete(backend.container, "dir/x.txt")
    assert [b.name for b in await backend.blobs.list(backend.container)] == ["dir/y.txt"]
    await backend.blobs.put(backend.container, "dir/x.txt", b"again", content_type="text/plain")
    assert (await backend.blobs.get(backend.container, "dir/x.txt")).data == b"again"


@pytest.mark.parametrize("name", ["../escape", "a/../../b", "/etc/passwd", "a\\b", "a\x00b", "a//b", "./a", "a/",
                                  "", "x" * 1025])
async def test_names_that_could_leave_the_container_are_refused(backend, name):
    with pytest.raises(BadRequest) as refused:
        await backend.blobs.put(backend.container, name, b"x", content_type="text/plain")
    assert refused.value.code == "invalid_blob_name"
    with pytest.raises(BadRequest):
        await backend.blobs.read_url(backend.container, name, expires_in_seconds=60)


@pytest.mark.parametrize("container", ["UPPER", "ab", "a--b", "-ab", "a_b", "../x", "x" * 64])
async def test_invalid_container_names_are_refused(backend, container):
    with pytest.raises(BadRequest) as refused:
        await backend.blobs.put(container, "a.txt", b"x", content_type="text/plain")
    assert refused.value.code == "invalid_container_name"


async def test_metadata_names_must_be_identifiers_and_values_printable_ascii(backend):
    for metadata in ({"bad-name": "v"}, {"ok": "caf\u00e9"}, {"ok": "line\nbreak"}):
        with pytest.raises(BadRequest) as refused:
            await backend.blobs.put(backend.container, "m.txt", b"x", content_type="text/plain", metadata=metadata)
        assert refused.value.code == "invalid_blob_metadata"


# -- signed read URLs ---------------------------------------------------------------------------------------------


async def test_a_signed_read_url_serves_the_blob_with_its_content_type(backend):
    await backend.blobs.put(backend.container, "pics/cat one.png", b"\x89PNG-bytes", content_type="image/png")
    url = await backend.blobs.read_url(backend.container, "pics/cat one.png", expires_in_seconds=60)
    response = await backend.http.get(url)
    assert response.status_code == 200
    assert response.content == b"\x89PNG-bytes"
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == "10"
    assert "content-disposition" not in response.headers


async def test_a_signed_read_url_honours_a_range_header(backend):
    data = b"0123456789" * 10
    await backend.blobs.put(backend.container, "r.bin", data, content_type="application/octet-stream")
    url = await backend.blobs.read_url(backend.container, "r.bin", expires_in_seconds=60)
    response = await backend.http.get(url, headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.content == data[10:20]
    assert response.headers["content-range"] == "bytes 10-19/100"
    assert (await backend.http.get(url, headers={"Range": "bytes=200-300"})).status_code == 416


async def test_a_read_url_with_a_download_name_makes_the_browser_save_the_file(backend):
    await backend.blobs.put(backend.container, "exports/9f3a", b"a,b\n1,2\n", content_type="text/csv")
    url = await backend.blobs.read_url(backend.container, "exports/9f3a", expires_in_seconds=60,
                                       download_name="résumé 2026.csv")
    response = await backend.http.get(url)
    assert response.status_code == 200 and response.content == b"a,b\n1,2\n"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%202026.csv" in disposition


async def test_a_signed_read_url_stops_working_when_it_expires(backend):
    await backend.blobs.put(backend.container, "short.txt", b"soon gone", content_type="text/plain")
    url = await backend.blobs.read_url(backend.container, "short.txt", expires_in_seconds=1)
    assert (await backend.http.get(url)).status_code == 200
    deadline = time.monotonic() + 5
    status = 200
    while status == 200 and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        status = (await backend.http.get(url)).status_code
    assert status == 403


async def test_a_tampered_read_url_is_refused(backend):
    await backend.blobs.put(backend.container, "secret.txt", b"private", content_type="text/plain")
    await backend.blobs.put(backend.container, "public.txt", b"public", content_type="text/plain")
    url = await backend.blobs.read_url(backend.container, "public.txt", expires_in_seconds=60)
    signature = dict(parse_qsl(urlsplit(url).query))["sig"]
    assert (await backend.http.get(tamper(url, sig=flipped(signature)))).status_code == 403
    assert (await backend.http.get(url.replace("public.txt", "secret.txt"))).status_code == 403
    later = str(int(time.time()) + 10_000)
    expiry_field = "se"
    if backend.kind == "azure":
        later = datetime.fromtimestamp(int(later), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (await backend.http.get(tamper(url, **{expiry_field: later}))).status_code == 403
    assert (await backend.http.get(url)).status_code == 200


async def test_a_read_url_does_not_allow_uploads(backend):
    await backend.blobs.put(backend.container, "ro.txt", b"read only", content_type="text/plain")
    url = await backend.blobs.read_url(backend.container, "ro.txt", expires_in_seconds=60)
    response = await backend.http.put(url, content=b"overwritten",
                                      headers={"Content-Type": "text/plain", "x-ms-blob-type": "BlockBlob"})
    assert response.status_code == 403
    assert (await backend.blobs.get(backend.container, "ro.txt")).data == b"read only"


# -- signed upload URLs -------------------------------------------------------------------------------------------


async def test_a_signed_upload_url_accepts_the_file_with_the_headers_it_names(backend):
    target = await backend.blobs.upload_url(backend.container, "uploads/u1/avatar.png", expires_in_seconds=60,
                                            max_bytes=1000, content_type="image/png")
    assert target.method == "PUT" and target.max_bytes == 1000
    assert target.headers["Content-Type"] == "image/png"
    assert target.headers["x-ms-blob-type"] == "BlockBlob"
    assert 50 < (target.expires_at - datetime.now(UTC)).total_seconds() <= 61
    response = await backend.http.request(target.method, target.url, content=b"\x89PNG" + b"0" * 96,
                                          headers=target.headers)
    assert response.status_code == 201
    info = await backend.blobs.info(backend.container, "uploads/u1/avatar.png")
    assert (info.size, info.content_type) == (100, "image/png")
    assert info.size <= target.max_bytes


async def test_an_upload_url_cannot_replace_a_blob_that_already_exists(backend):
    target = await backend.blobs.upload_url(backend.container, "once.txt", expires_in_seconds=60, max_bytes=100,
                                            content_type="text/plain")
    first = await backend.http.put(target.url, content=b"checked", headers=target.headers)
    assert first.status_code == 201
    second = await backend.http.put(target.url, content=b"swapped", headers=target.headers)
    # Azure answers 403 (the SAS grants create only); the dev host answers 409 (the blob exists).
    assert second.status_code in (403, 409)
    assert (await backend.blobs.get(backend.container, "once.txt")).data == b"checked"


async def test_an_upload_with_another_content_type_is_refused_or_shows_in_info(backend):
    target = await backend.blobs.upload_url(backend.container, "doc.pdf", expires_in_seconds=60, max_bytes=100,
                                            content_type="application/pdf")
    response = await backend.http.put(target.url, content=b"<script>", headers={**target.headers,
                                                                               "Content-Type": "text/html"})
    if backend.kind == "local":
        assert response.status_code == 415
        with pytest.raises(NotFound):
            await backend.blobs.info(backend.container, "doc.pdf")
    else:
        # A SAS cannot pin the content type: the caller's check after the upload sees the difference.
        assert response.status_code == 201
        assert (await backend.blobs.info(backend.container, "doc.pdf")).content_type != "application/pdf"


async def test_an_upload_over_the_size_cap_is_refused_or_shows_in_info(backend):
    target = await backend.blobs.upload_url(backend.container, "big.bin", expires_in_seconds=60, max_bytes=64,
                                            content_type="application/octet-stream")
    response = await backend.http.put(target.url, content=b"x" * 65, headers=target.headers)
    if backend.kind == "local":
        assert response.status_code == 413
        with pytest.raises(NotFound):
            await backend.blobs.info(backend.container, "big.bin")
    else:
        # A SAS cannot cap the size: the caller compares info().size with target.max_bytes and rejects the file.
        assert response.status_code == 201
        assert (await backend.blobs.info(backend.container, "big.bin")).size > target.max_bytes


async def test_an_upload_of_exactly_the_cap_is_accepted(backend):
    target = await backend.blobs.upload_url(backend.container, "fits.bin", expires_in_seconds=60, max_bytes=64,
                                            content_type="application/octet-stream")
    response = await backend.http.put(target.url, content=b"x" * 64, headers=target.headers)
    assert response.status_code == 201
    assert (await backend.blobs.info(backend.container, "fits.bin")).size == 64


async def test_a_tampered_upload_url_is_refused(backend):
    target = await backend.blobs.upload_url(backend.container, "t.bin", expires_in_seconds=60, max_bytes=10,
                                            content_type="application/octet-stream")
    signature = dict(parse_qsl(urlsplit(target.url).query))["sig"]
    widened = {"max": "100000"} if backend.kind == "local" else {"sp": "cw"}
    for url in (tamper(target.url, sig=flipped(signature)), tamper(target.url, **widened),
                target.url.replace("t.bin", "other.bin")):
        response = await backend.http.put(url, content=b"x", headers=target.headers)
        assert response.status_code == 403, url
    assert await backend.blobs.list(backend.container) == []


async def test_an_expired_upload_url_is_refused(backend):
    target = await backend.blobs.upload_url(backend.container, "late.bin", expires_in_seconds=1, max_bytes=10,
                                            content_type="application/octet-stream")
    await asyncio.sleep(max(0.0, (target.expires_at - datetime.now(UTC)).total_seconds()) + 1.1)
    response = await backend.http.put(target.url, content=b"x", headers=target.headers)
    assert response.status_code == 403
    with pytest.raises(NotFound):
        await backend.blobs.info(backend.container, "late.bin")


async def test_signed_url_lifetimes_are_bounded(backend):
    await backend.blobs.put(backend.container, "x", b"x", content_type="text/plain")
    with pytest.raises(ValueError):
        await backend.blobs.read_url(backend.container, "x", expires_in_seconds=0)
    with pytest.raises(ValueError):
        await backend.blobs.upload_url(backend.container, "y", expires_in_seconds=8 * 24 * 3600, max_bytes=10,
                                       content_type="text/plain")


def test_importing_the_blob_adapters_loads_no_azure_sdk():
    import subprocess
    import sys

    from devhost.standins.processes import ROOT

    code = ("import sys, shared.adapters.blobs_azure, shared.adapters.blobs_local, devhost.blob_routes; "
            "print(sorted(m for m in sys.modules if m.startswith(('azure.storage', 'azure.identity', 'azure.core'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
