"""How communities responses name a person (pydantic), beside people.py."""

from __future__ import annotations

from pydantic import BaseModel


class UserRef(BaseModel):
    id: str
    username: str
