"""A module for tests/shared/test_lazy.py to import lazily (and for nothing else to import)."""

from pydantic import BaseModel

GREETING = "hello"


def greet(name: str) -> str:
    return f"{GREETING} {name}"


class Item(BaseModel):
    name: str
