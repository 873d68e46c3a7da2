"""What the VoIP routes return (pydantic), beside turn.py."""

from __future__ import annotations

from pydantic import BaseModel, Field


class IceServer(BaseModel):
    """One entry of `RTCConfiguration.iceServers`, spelled as WebRTC's `RTCIceServer` dictionary."""

    urls: list[str] = Field(min_length=1, description="stun:, turn: or turns: URLs of one server")
    username: str | None = Field(default=None, description="TURN only: `<expiry unix seconds>:<user id>`")
    credential: str | None = Field(default=None, description="TURN only: base64(HMAC-SHA1(secret, username))")
