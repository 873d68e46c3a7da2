"""Models for tests/shared/http/test_lazy_endpoint_models.py, imported lazily (nothing else imports this)."""

from pydantic import BaseModel, Field


class NotePath(BaseModel):
    note_id: str = Field(pattern=r"^[a-z0-9]{1,8}$")


class NoteQuery(BaseModel):
    times: int = Field(1, ge=1, le=3)


class NoteBody(BaseModel):
    text: str = Field(min_length=1)


class NotePublic(BaseModel):
    id: str
    text: str
