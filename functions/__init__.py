"""The function app's functions: one blueprint per route group (`functions/<group>/`), listed here once for the
entry point (function_app.py) and for the OpenAPI document."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import azure.functions as func


def blueprints() -> list[func.Blueprint]:
    from functions import (
        admin,
        auth,
        comments,
        dm,
        messages,
        models,
        moderation,
        notifications,
        platform,
        posts,
        realtime,
        topics,
        users,
        voip,
    )

    return [group.bp for group in (platform, auth, users, topics, posts, comments, notifications, messages, dm, models,
                                   realtime, voip, moderation, admin)]
