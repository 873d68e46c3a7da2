"""Rules both blob adapters apply before touching storage, so a name accepted locally is accepted on Azure."""

from __future__ import annotations

import re

from shared.errors import BadRequest

# Azure's container rules: 3-63 characters, lowercase letters, digits and single hyphens, no edge hyphen.
_CONTAINER = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
# Metadata names travel as x-ms-meta-<name> headers and must be C# identifiers on Azure.
_META_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
MAX_NAME_LENGTH = 1024


def check_container(container: str) -> str:
    if not _CONTAINER.match(container or ""):
        raise BadRequest("Invalid container name.", code="invalid_container_name")
    return container


def check_name(name: str) -> str:
    """Names are relative paths of non-empty segments; anything that could climb out of a folder is refused."""
    if (not name or len(name) > MAX_NAME_LENGTH or name.startswith("/") or "\\" in name or "\x00" in name
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)):
        raise BadRequest("Invalid blob name.", code="invalid_blob_name")
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        raise BadRequest("Invalid blob name.", code="invalid_blob_name")
    return name


def check_metadata(metadata: dict[str, str] | None) -> dict[str, str]:
    metadata = dict(metadata or {})
    for key, value in metadata.items():
        if not isinstance(key, str) or not _META_KEY.match(key):
            raise BadRequest("Invalid metadata name.", code="invalid_blob_metadata")
        if not isinstance(value, str) or not value.isascii() or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise BadRequest("Metadata values must be printable ASCII.", code="invalid_blob_metadata")
    return metadata


def check_range(offset: int, length: int | None) -> None:
    if offset < 0 or (length is not None and length < 0):
        raise BadRequest("Invalid byte range.", code="invalid_range")


def check_content_type(content_type: str) -> str:
    if not content_type or len(content_type) > 255 or not content_type.isascii() or "\n" in content_type \
            or "\r" in content_type or "/" not in content_type:
        raise BadRequest("Invalid content type.", code="invalid_content_type")
    return content_type
