"""Typed settings, read from the environment and from local.settings.json's "Values": `get_settings()`.

The Settings class itself (every setting, with its default) is in shared/settings_model.py. This module stays
cheap to import because `function_app` imports it: pydantic-settings is loaded when settings are first read.
`from shared.settings import Settings` works as before (the class is looked up on first use, PEP 562).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.settings_model import LocalSettingsJson, Settings

DEV_SECRET_MARKER = "dev-only"
DEV_WEBPUBSUB_KEY = "dev-only-webpubsub-access-key-0123456789abcdef"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

_FROM_MODEL = ("LocalSettingsJson", "Settings")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    from shared.settings_model import Settings

    return Settings()


def __getattr__(name: str) -> Any:
    if name in _FROM_MODEL:
        from shared import settings_model

        return getattr(settings_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DEV_SECRET_MARKER", "DEV_WEBPUBSUB_KEY", "PROJECT_ROOT", "LocalSettingsJson", "Settings", "get_settings"]
