"""The models of chat attachments (attachments.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ATTACHMENT_ID = r"^[0-9a-f]{32}$"


class AttachmentUploadBody(BaseModel):
    filename: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f\x7f]+$")
    content_type: str = Field(max_length=100, pattern=r"^[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+$",
                              description="What the client will send as Content-Type; the app sniffs the bytes "
                                          "itself when the file is attached.")
    size: int = Field(ge=1, description="Bytes; at most the setting chat_attachment_max_bytes.")


class AttachmentUpload(BaseModel):
    attachment_id: str
    upload_url: str
    method: str
    headers: dict[str, str]
    expires_at: str
    max_bytes: int


class AttachmentPublic(BaseModel):
    id: str
    filename: str
    mime_type: str
    size: int


class AttachmentPath(BaseModel):
    attachment_id: str = Field(pattern=ATTACHMENT_ID)


class AttachmentAccess(BaseModel):
    id: str
    filename: str
    mime_type: str
    size: int
    url: str = Field(description="Short-lived signed URL of the file.")
    expires_in: int
    disposition: Literal["inline", "attachment"] = Field(
        description="inline only for safe image types; every other file is served as a download.")
