"""Blobs on Azure Blob Storage (azure.storage.blob.aio); Azurite locally.

Connection: `storage_connection_string` (account key: Azurite, or a key-based account), or `storage_account_url`
with DefaultAzureCredential (managed identity), in which case signed URLs are user-delegation SAS. Containers are
created on first use. The SDK is imported only when a client is built (cold start), and one client is kept per
event loop because aiohttp sessions belong to the loop that opened them.

Signed upload URLs grant "create" only, so an upload cannot replace a blob once it exists (e.g. after the app
checked it). A SAS can neither cap the size nor pin the content type: callers compare `info()` with what they
asked for (UploadTarget.max_bytes, the content type) after the client reports the upload done.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from shared.adapters.blob_names import check_container, check_content_type, check_metadata, check_name, check_range
from shared.adapters.blobs_local import MAX_EXPIRY_SECONDS, check_download_name
from shared.errors import BadRequest, Conflict, NotFound
from shared.ports import Blob, BlobInfo, UploadTarget
from shared.settings import Settings

_DELEGATION_KEY_LIFETIME = timedelta(days=7)  # the longest Azure allows; every SAS must end before its key does
_CLOCK_SKEW = timedelta(minutes=5)


def _not_found() -> NotFound:
    return NotFound("Blob not found.", code="blob_not_found")


class AzureBlobs:
    def __init__(self, service_factory: Callable[[], Any]):
        """service_factory builds a BlobServiceClient (called once per event loop). SAS tokens are signed with the
        client's account key when it has one (connection string), else with a user delegation key fetched through
        its token credential (managed identity)."""
        self._factory = service_factory
        self._services: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
        self._known_containers: set[str] = set()
        self._delegation_key: Any = None
        self._delegation_key_expiry: datetime | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AzureBlobs:
        if settings.storage_connection_string:
            conn = settings.storage_connection_string

            def from_connection_string() -> Any:
                from azure.storage.blob.aio import BlobServiceClient

                return BlobServiceClient.from_connection_string(conn)

            return cls(from_connection_string)
        if settings.storage_account_url:
            url = settings.storage_account_url.rstrip("/")

            def with_managed_identity() -> Any:
                from azure.identity.aio import DefaultAzureCredential
                from azure.storage.blob.aio import BlobServiceClient

                return BlobServiceClient(url, credential=DefaultAzureCredential())

            return cls(with_managed_identity)
        raise ValueError("set storage_connection_string or storage_account_url for the azure blob adapter")

    # -- clients ---------------------------------------------------------------------------------------------

    def _service(self) -> Any:
        loop = asyncio.get_running_loop()
        service = self._services.get(loop)
        if service is None:
            service = self._services[loop] = self._factory()
        return service

    def _blob_client(self, container: str, name: str) -> Any:
        return self._service().get_blob_client(check_container(container), check_name(name))

    async def _ensure_container(self, container: str) -> None:
        from azure.core.exceptions import ResourceExistsError

        if container in self._known_containers:
            return
        try:
            await self._service().create_container(container)
        except ResourceExistsError:
            pass
        self._known_containers.add(container)

    # -- port ------------------------------------------------------------------------------------------------

    async def put(self, container: str, name: str, data: bytes, *, content_type: str,
                  metadata: dict[str, str] | None = None, overwrite: bool = False) -> BlobInfo:
        from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
        from azure.storage.blob import ContentSettings

        client = self._blob_client(container, name)
        settings = ContentSettings(content_type=check_content_type(content_type))
        metadata = check_metadata(metadata)
        result: dict[str, Any] = {}
        for attempt in range(2):
            try:
                result = await client.upload_blob(bytes(data), overwrite=overwrite, content_settings=settings,
                                                  metadata=metadata)
                break
            except ResourceExistsError:
                raise Conflict("The blob already exists.", code="blob_exists") from None
            except ResourceNotFoundError as error:
                if attempt or _code(error) != "ContainerNotFound":
                    raise
                self._known_containers.discard(container)
                await self._ensure_container(container)
        return BlobInfo(container=container, name=name, size=len(data), content_type=content_type,
                        metadata=metadata, etag=result.get("etag", ""), last_modified=result.get("last_modified"))

    async def get(self, container: str, name: str, *, offset: int = 0, length: int | None = None) -> Blob:
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

        check_range(offset, length)
        client = self._blob_client(container, name)
        if length == 0:
            return await self._empty_read(container, name, offset)
        try:
            downloader = await client.download_blob(offset=offset, length=length)
            data = await downloader.readall()
        except ResourceNotFoundError:
            raise _not_found() from None
        except HttpResponseError as error:
            if error.status_code == 416:  # Azure refuses a range starting at the end; the port reads it as empty
                return await self._empty_read(container, name, offset)
            raise
        return Blob(info=_info(container, name, downloader.properties, size=_total_size(downloader.properties)),
                    data=data)

    async def _empty_read(self, container: str, name: str, offset: int) -> Blob:
        info = await self.info(container, name)
        if offset > info.size:
            raise BadRequest("The range starts after the end of the blob.", code="invalid_range")
        return Blob(info=info, data=b"")

    async def info(self, container: str, name: str) -> BlobInfo:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            properties = await self._blob_client(container, name).get_blob_properties()
        except ResourceNotFoundError:
            raise _not_found() from None
        return _info(container, name, properties)

    async def delete(self, container: str, name: str) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            await self._blob_client(container, name).delete_blob()
        except ResourceNotFoundError:
            raise _not_found() from None

    async def list(self, container: str, prefix: str = "") -> list[BlobInfo]:
        from azure.core.exceptions import ResourceNotFoundError

        client = self._service().get_container_client(check_container(container))
        try:
            return [_info(container, item.name, item)
                    async for item in client.list_blobs(name_starts_with=prefix or None, include=["metadata"])]
        except ResourceNotFoundError:
            return []

    async def read_url(self, container: str, name: str, *, expires_in_seconds: int,
                       download_name: str | None = None) -> str:
        from azure.storage.blob import BlobSasPermissions

        extra = {}
        if download_name:
            check_download_name(download_name)
            extra["content_disposition"] = (f"attachment; filename=\"{_ascii(download_name)}\"; "
                                            f"filename*=UTF-8''{quote(download_name, safe='')}")
        return await self._signed_url(container, name, BlobSasPermissions(read=True), expires_in_seconds, **extra)

    async def upload_url(self, container: str, name: str, *, expires_in_seconds: int, max_bytes: int,
                         content_type: str) -> UploadTarget:
        from azure.storage.blob import BlobSasPermissions

        check_content_type(content_type)
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        await self._ensure_container(check_container(container))
        expires_at = _expiry(expires_in_seconds)
        url = await self._signed_url(container, name, BlobSasPermissions(create=True), expires_in_seconds,
                                     expires_at=expires_at)
        headers = {"x-ms-blob-type": "BlockBlob", "Content-Type": content_type}
        return UploadTarget(url=url, method="PUT", headers=headers, expires_at=expires_at, max_bytes=max_bytes)

    async def _signed_url(self, container: str, name: str, permission: Any, expires_in_seconds: int, *,
                          expires_at: datetime | None = None, **extra: Any) -> str:
        from azure.storage.blob import generate_blob_sas

        client = self._blob_client(container, name)
        expiry = expires_at or _expiry(expires_in_seconds)
        account_key = getattr(client.credential, "account_key", None)
        signing = {"account_key": account_key} if account_key else {
            "user_delegation_key": await self._user_delegation_key(expiry)}
        token = generate_blob_sas(client.account_name, container, name, permission=permission, expiry=expiry,
                                  **signing, **extra)
        return f"{client.url}?{token}"

    async def _user_delegation_key(self, needed_until: datetime) -> Any:
        if self._delegation_key is None or self._delegation_key_expiry is None \
                or self._delegation_key_expiry < needed_until:
            now = datetime.now(UTC)
            start, expiry = now - _CLOCK_SKEW, now + _DELEGATION_KEY_LIFETIME - timedelta(minutes=1)
            self._delegation_key = await self._service().get_user_delegation_key(start, expiry)
            self._delegation_key_expiry = expiry
        return self._delegation_key

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        service = self._services.pop(loop, None)
        if service is not None:
            credential = getattr(service, "credential", None)
            await service.close()
            if credential is not None and hasattr(credential, "close") and not isinstance(credential, str):
                result = credential.close()
                if hasattr(result, "__await__"):
                    await result


def _code(error: Any) -> str:
    code = getattr(error, "error_code", None)
    return str(getattr(code, "value", code) or "")


def _expiry(expires_in_seconds: int) -> datetime:
    if not 0 < expires_in_seconds <= MAX_EXPIRY_SECONDS:
        raise ValueError(f"expires_in_seconds must be between 1 and {MAX_EXPIRY_SECONDS}")
    # SAS times have whole seconds; round up so the URL lives at least as long as asked.
    expiry = datetime.now(UTC) + timedelta(seconds=expires_in_seconds)
    return expiry.replace(microsecond=0) + timedelta(seconds=1 if expiry.microsecond else 0)


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_" for ch in text)


def _total_size(properties: Any) -> int:
    content_range = getattr(properties, "content_range", None)
    if content_range and "/" in content_range:
        return int(content_range.rsplit("/", 1)[1])
    return int(properties.size)


def _info(container: str, name: str, properties: Any, *, size: int | None = None) -> BlobInfo:
    content = properties.content_settings
    return BlobInfo(container=container, name=name, size=int(properties.size if size is None else size),
                    content_type=(content.content_type if content else None) or "application/octet-stream",
                    metadata=dict(properties.metadata or {}), etag=properties.etag or "",
                    last_modified=properties.last_modified)
