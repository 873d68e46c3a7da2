"""Blobs in a local folder, for the embedded stack; the dev host serves the signed URLs (devhost/blob_routes.py).

Layout: `<root>/<container>/<name>` holds the bytes, `<root>/.meta/<container>/<sha256 of name>.json` the name,
content type, metadata, etag and time, so the files stay plain and browsable (hashed sidecar names cannot clash
with folders of blob names). Writes go through `<root>/.tmp` and os.replace,
under one lock per folder, so readers never see half a blob.

Signed URLs stand in for Azure SAS: `/devstorage/<container>/<name>?sp=..&se=..&sig=..`, an HMAC-SHA256 over
the permission, container, name, expiry and (read) the download name or (upload) the size cap and content type,
keyed by a key derived from settings.secret_key. Unlike a SAS, the dev host also enforces the size cap.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import math
import mimetypes
import os
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from shared.adapters.blob_names import check_container, check_content_type, check_metadata, check_name, check_range
from shared.errors import BadRequest, Conflict, NotFound
from shared.ports import Blob, BlobInfo, UploadTarget
from shared.settings import Settings

URL_PREFIX = "/devstorage"
# A user-delegation SAS must end before its key, and a key lives at most 7 days: 6 days leaves room to reuse one.
MAX_EXPIRY_SECONDS = 6 * 24 * 3600
READ, CREATE = "r", "c"

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(root: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(root, threading.Lock())


def derive_signing_key(secret_key: str) -> bytes:
    """A key used for nothing but these URLs, so the app secret itself never signs user-visible strings."""
    return hmac.new(secret_key.encode(), b"devstorage-url-signing-v1", hashlib.sha256).digest()


def sign(key: bytes, *, permission: str, container: str, name: str, expires: int, download_name: str = "",
         max_bytes: int | None = None, content_type: str = "") -> str:
    canonical = "\n".join([permission, container, name, str(expires), download_name,
                           "" if max_bytes is None else str(max_bytes), content_type])
    digest = hmac.new(key, canonical.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signature_matches(key: bytes, presented: str, **fields) -> bool:
    return hmac.compare_digest(sign(key, **fields).encode(), (presented or "").encode())


def check_download_name(download_name: str) -> str:
    if (not download_name or len(download_name) > 255 or "/" in download_name or "\\" in download_name
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in download_name)):
        raise BadRequest("Invalid download name.", code="invalid_download_name")
    return download_name


def _check_expiry(seconds: int) -> None:
    if not 0 < seconds <= MAX_EXPIRY_SECONDS:
        raise ValueError(f"expires_in_seconds must be between 1 and {MAX_EXPIRY_SECONDS}")


class LocalBlobs:
    def __init__(self, root: Path | str, signing_key: bytes, public_base_url: str):
        self.root = Path(root).resolve()
        self.signing_key = signing_key
        self.public_base_url = public_base_url.rstrip("/")
        self._lock = _lock_for(self.root)

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalBlobs:
        return cls(Path(settings.data_dir) / "blobs", derive_signing_key(settings.secret_key),
                   settings.public_base_url)

    # -- paths ---------------------------------------------------------------------------------------------

    def _data_path(self, container: str, name: str) -> Path:
        path = self.root / check_container(container) / check_name(name)
        # check_name already refuses every climbing form; this guards the invariant against future edits.
        if not path.resolve().is_relative_to(self.root / container):
            raise BadRequest("Invalid blob name.", code="invalid_blob_name")
        return path

    def _meta_path(self, container: str, name: str) -> Path:
        return self.root / ".meta" / container / f"{hashlib.sha256(name.encode()).hexdigest()}.json"

    # -- port ----------------------------------------------------------------------------------------------

    async def put(self, container: str, name: str, data: bytes, *, content_type: str,
                  metadata: dict[str, str] | None = None, overwrite: bool = False) -> BlobInfo:
        path = self._data_path(container, name)
        info = BlobInfo(container=container, name=name, size=len(data), content_type=check_content_type(content_type),
                        metadata=check_metadata(metadata), etag=f'"{secrets.token_hex(12)}"',
                        last_modified=datetime.now(UTC).replace(microsecond=0))
        await asyncio.to_thread(self._put_sync, path, info, bytes(data), overwrite)
        return info

    def _put_sync(self, path: Path, info: BlobInfo, data: bytes, overwrite: bool) -> None:
        meta_path = self._meta_path(info.container, info.name)
        with self._lock:
            if path.is_file() and not overwrite:
                raise Conflict("The blob already exists.", code="blob_exists")
            container_folder = self.root / info.container
            if path.is_dir() or any(p.is_file() for p in path.parents if p.is_relative_to(container_folder)):
                # A folder cannot also be a file; Azure would allow "a" next to "a/b", this stand-in cannot.
                raise Conflict("A blob name clashes with a folder of other blobs.", code="blob_name_clash")
            tmp = self.root / ".tmp"
            tmp.mkdir(parents=True, exist_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            data_tmp = _write_temp(tmp, data)
            meta_tmp = _write_temp(tmp, json.dumps({"name": info.name, **_info_to_json(info)}).encode())
            os.replace(meta_tmp, meta_path)
            os.replace(data_tmp, path)

    async def get(self, container: str, name: str, *, offset: int = 0, length: int | None = None) -> Blob:
        check_range(offset, length)
        path = self._data_path(container, name)
        return await asyncio.to_thread(self._get_sync, container, name, path, offset, length)

    def _get_sync(self, container: str, name: str, path: Path, offset: int, length: int | None) -> Blob:
        with self._lock:
            info = self._info_sync(container, name, path)
            if offset > info.size:
                raise BadRequest("The range starts after the end of the blob.", code="invalid_range")
            with path.open("rb") as handle:
                handle.seek(offset)
                data = handle.read(-1 if length is None else length)
        return Blob(info=info, data=data)

    async def info(self, container: str, name: str) -> BlobInfo:
        path = self._data_path(container, name)
        return await asyncio.to_thread(self._locked_info, container, name, path)

    def _locked_info(self, container: str, name: str, path: Path) -> BlobInfo:
        with self._lock:
            return self._info_sync(container, name, path)

    def _info_sync(self, container: str, name: str, path: Path) -> BlobInfo:
        try:
            stat = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise NotFound("Blob not found.", code="blob_not_found") from None
        if not path.is_file():
            raise NotFound("Blob not found.", code="blob_not_found")
        try:
            stored = json.loads(self._meta_path(container, name).read_text())
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            # A file dropped into the folder by hand: describe it from the file system.
            stored = {"content_type": mimetypes.guess_type(name)[0] or "application/octet-stream", "metadata": {},
                      "etag": f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
                      "last_modified": datetime.fromtimestamp(int(stat.st_mtime), UTC).isoformat()}
        return BlobInfo(container=container, name=name, size=stat.st_size, content_type=stored["content_type"],
                        metadata=stored["metadata"], etag=stored["etag"],
                        last_modified=datetime.fromisoformat(stored["last_modified"]))

    async def delete(self, container: str, name: str) -> None:
        path = self._data_path(container, name)
        await asyncio.to_thread(self._delete_sync, container, name, path)

    def _delete_sync(self, container: str, name: str, path: Path) -> None:
        with self._lock:
            if not path.is_file():
                raise NotFound("Blob not found.", code="blob_not_found")
            path.unlink()
            meta_path = self._meta_path(container, name)
            meta_path.unlink(missing_ok=True)
            _prune_empty_parents(path.parent, self.root / container)

    async def list(self, container: str, prefix: str = "") -> list[BlobInfo]:
        folder = self.root / check_container(container)
        return await asyncio.to_thread(self._list_sync, container, folder, prefix)

    def _list_sync(self, container: str, folder: Path, prefix: str) -> list[BlobInfo]:
        with self._lock:
            names = []
            for dirpath, _dirs, files in os.walk(folder):
                relative = Path(dirpath).relative_to(folder)
                for filename in files:
                    name = (relative / filename).as_posix() if relative.parts else filename
                    if name.startswith(prefix):
                        names.append(name)
            return [self._info_sync(container, name, folder / name) for name in sorted(names)]

    async def read_url(self, container: str, name: str, *, expires_in_seconds: int,
                       download_name: str | None = None) -> str:
        _check_expiry(expires_in_seconds)
        check_container(container)
        check_name(name)
        expires = math.ceil(time.time()) + expires_in_seconds
        params = {"sp": READ, "se": str(expires)}
        if download_name:
            params["dl"] = check_download_name(download_name)
        params["sig"] = sign(self.signing_key, permission=READ, container=container, name=name, expires=expires,
                             download_name=download_name or "")
        return f"{self._blob_url(container, name)}?{urlencode(params)}"

    async def upload_url(self, container: str, name: str, *, expires_in_seconds: int, max_bytes: int,
                         content_type: str) -> UploadTarget:
        _check_expiry(expires_in_seconds)
        check_container(container)
        check_name(name)
        check_content_type(content_type)
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        expires = math.ceil(time.time()) + expires_in_seconds
        signature = sign(self.signing_key, permission=CREATE, container=container, name=name, expires=expires,
                         max_bytes=max_bytes, content_type=content_type)
        params = {"sp": CREATE, "se": str(expires), "max": str(max_bytes), "ct": content_type, "sig": signature}
        # x-ms-blob-type is what Azure needs; sending it here too keeps one client code path for both stacks.
        return UploadTarget(url=f"{self._blob_url(container, name)}?{urlencode(params)}", method="PUT",
                            headers={"Content-Type": content_type, "x-ms-blob-type": "BlockBlob"},
                            expires_at=datetime.fromtimestamp(expires, UTC), max_bytes=max_bytes)

    def _blob_url(self, container: str, name: str) -> str:
        return f"{self.public_base_url}{URL_PREFIX}/{container}/{quote(name, safe='/')}"


def _info_to_json(info: BlobInfo) -> dict:
    return {"content_type": info.content_type, "metadata": info.metadata, "etag": info.etag,
            "last_modified": info.last_modified.isoformat() if info.last_modified else None}


def _write_temp(folder: Path, data: bytes) -> str:
    handle = tempfile.NamedTemporaryFile(dir=folder, delete=False)  # noqa: SIM115 - closed below, then renamed
    with handle:
        handle.write(data)
    return handle.name


def _prune_empty_parents(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
