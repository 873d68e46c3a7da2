"""Typing in topics and chat rooms over real sockets (both stacks): relayed to the place's group without the
sender, only where the sender may write, and in a topic with an alias only the alias."""

from __future__ import annotations

import asyncio

from tests.functions.messages.conftest import build_room
from tests.support.realtime import socket_of


def test_typing_in_a_topic_carries_the_alias_only(host, api, public, people):
    async def scenario():
        async with socket_of(api, people.member) as typer, socket_of(api, people.moderator) as reader, \
                socket_of(api, people.banned) as banned:
            for client in (typer, reader):
                assert (await client.event("join_topic", {"topic_id": public.id}))["success"] is True
            answer = await typer.event("typing_start", {"topic_id": public.id, "use_anonymous": True})
            assert answer["success"] is True and answer["data"]["expires_in"] == 8
            heard = (await reader.app_event("user_typing"))["data"]
            assert heard["user_id"] is None and heard["is_anonymous"] is True and heard["username"] is None
            assert heard["display_name"] and heard["display_name"] != people.member.username
            assert people.member.id not in str(heard)
            assert (await typer.event("typing_start", {"topic_id": public.id}))["success"] is True
            named = (await reader.app_event("user_typing"))["data"]
            assert named["user_id"] == people.member.id and named["is_anonymous"] is False
            assert "user_typing" not in await typer.heard_within(0.5)
            refused = await banned.event("typing_start", {"topic_id": public.id})
            assert refused["success"] is False and refused["error"]["code"] == "banned_from_topic"
            both = await typer.event("typing_start", {"topic_id": public.id, "room_id": "x"})
            assert both["success"] is False
            return True

    assert asyncio.run(scenario())


def test_typing_in_a_room_reaches_its_members_only(host, api, public, people):
    chat = build_room(host, public, public=False)

    async def scenario():
        async with socket_of(api, people.member) as typer, socket_of(api, people.moderator) as reader, \
                socket_of(api, people.other) as outsider:
            for client in (typer, reader):
                assert (await client.event("join_chat_room", {"room_id": chat.id}))["success"] is True
            assert (await typer.event("typing_start", {"room_id": chat.id}))["success"] is True
            heard = (await reader.app_event("user_typing"))["data"]
            assert heard["room_id"] == chat.id and heard["user_id"] == people.member.id and heard["expires_in"] == 8
            assert (await typer.event("typing_stop", {"room_id": chat.id}))["success"] is True
            assert (await reader.app_event("user_stop_typing"))["data"]["user_id"] == people.member.id
            refused = await outsider.event("typing_start", {"room_id": chat.id})
            assert refused["success"] is False and refused["error"]["code"] == "room_not_found"
            alias = await typer.event("typing_start", {"room_id": chat.id, "use_anonymous": True})
            assert alias["success"] is True  # use_anonymous means nothing outside topics
            assert "user_typing" not in await outsider.heard_within(0.5)
            return True

    assert asyncio.run(scenario())
