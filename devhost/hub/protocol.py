"""The wire formats of Azure Web PubSub: payloads in their three data types, and the frames clients receive.

Facts: shared/reference/functions-local.md §4 and Microsoft's protocol references. A payload travels as
JSON value (dataType json), string (text) or bytes (binary; base64 inside JSON frames). What a client sees
depends on its subprotocol: PubSub clients get JSON frames, plain WebSocket clients get the raw data only.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from shared.http.request_json import depth_exceeds

JSON_PROTOCOL = "json.webpubsub.azure.v1"
RELIABLE_JSON_PROTOCOL = "json.reliable.webpubsub.azure.v1"
SUPPORTED_PROTOCOLS = (RELIABLE_JSON_PROTOCOL, JSON_PROTOCOL)

DataType = Literal["json", "text", "binary"]
HUB_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_`,.\[\]]{0,127}$")
MAX_GROUP_NAME = 1024

# Close code meaning "the service removed this connection": clients must not try to resume it.
SESSION_REMOVED = 1008

# JSON nested deeper than this is refused like malformed JSON. Azure documents no depth limit but does refuse
# what it cannot parse; here a value must also survive being serialised again (for upstream calls and other
# clients), which Python's json cannot promise for values parsed near its recursion limit.
MAX_JSON_DEPTH = 128

CONTENT_TYPES: dict[DataType, str] = {
    "json": "application/json",
    "text": "text/plain",
    "binary": "application/octet-stream",
}


class PayloadError(ValueError):
    pass


def parse_json(text: str | bytes) -> Any:
    """A JSON value; PayloadError when malformed, not UTF-8, recursive beyond the parser, or too deep."""
    try:
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise PayloadError("the body is not valid JSON") from exc
    if depth_exceeds(value, MAX_JSON_DEPTH):
        raise PayloadError(f"the JSON nests more than {MAX_JSON_DEPTH} levels deep")
    return value


@dataclass(frozen=True)
class Payload:
    data_type: DataType
    data: Any  # the JSON value, the str, or the bytes

    @classmethod
    def from_http(cls, content_type: str | None, body: bytes) -> Payload:
        """A REST send or an upstream reply: the content type decides the data type."""
        media = (content_type or "").split(";")[0].strip().lower()
        if media == "application/json":
            return cls("json", parse_json(body))
        if media == "text/plain":
            try:
                return cls("text", body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise PayloadError("the body is not valid UTF-8 text") from exc
        if media == "application/octet-stream":
            return cls("binary", bytes(body))
        raise PayloadError(
            f"content type {content_type!r} is not one of application/json, text/plain, application/octet-stream")

    @classmethod
    def from_client(cls, data_type: Any, data: Any) -> Payload:
        """What a PubSub client put in a sendToGroup or event frame (dataType defaults to json)."""
        data_type = data_type or "json"
        if data_type == "json":
            return cls("json", data)
        if data_type == "text":
            if not isinstance(data, str):
                raise PayloadError("text data must be a string")
            return cls("text", data)
        if data_type in ("binary", "protobuf"):
            if not isinstance(data, str):
                raise PayloadError("binary data must be base64 text")
            try:
                return cls("binary", base64.b64decode(data, validate=True))
            except (binascii.Error, ValueError) as exc:
                raise PayloadError("binary data is not valid base64") from exc
        raise PayloadError(f"unknown dataType {data_type!r}")

    @classmethod
    def from_frame(cls, frame: str | bytes) -> Payload:
        """A frame from a plain WebSocket client: text frames are text, binary frames are binary."""
        return cls("text", frame) if isinstance(frame, str) else cls("binary", frame)

    def wire_data(self) -> Any:
        """The `data` field of a JSON frame."""
        if self.data_type == "binary":
            return base64.b64encode(self.data).decode("ascii")
        return self.data

    def raw_frame(self) -> str | bytes:
        """What a plain WebSocket client receives: stringified JSON, the text, or a binary frame."""
        if self.data_type == "json":
            return json.dumps(self.data, separators=(",", ":"))
        return self.data

    def http_body(self) -> tuple[str, bytes]:
        """(content type, body) for an upstream CloudEvents request."""
        if self.data_type == "json":
            return CONTENT_TYPES["json"], json.dumps(self.data).encode()
        if self.data_type == "text":
            return "text/plain; charset=utf-8", self.data.encode()
        return CONTENT_TYPES["binary"], self.data


def server_message(payload: Payload) -> dict[str, Any]:
    return {"type": "message", "from": "server", "dataType": payload.data_type, "data": payload.wire_data()}


def group_message(group: str, payload: Payload, from_user_id: str | None) -> dict[str, Any]:
    message = {"type": "message", "from": "group", "group": group, "dataType": payload.data_type,
               "data": payload.wire_data()}
    if from_user_id is not None:
        message["fromUserId"] = from_user_id
    return message


def ack(ack_id: int, error: str | None = None, message: str | None = None) -> dict[str, Any]:
    if error is None:
        return {"type": "ack", "ackId": ack_id, "success": True}
    return {"type": "ack", "ackId": ack_id, "success": False, "error": {"name": error, "message": message or error}}


def connected(connection_id: str, user_id: str | None, reconnection_token: str | None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "system", "event": "connected", "userId": user_id,
                               "connectionId": connection_id}
    if reconnection_token is not None:
        message["reconnectionToken"] = reconnection_token
    return message


def disconnected(reason: str) -> dict[str, Any]:
    return {"type": "system", "event": "disconnected", "message": reason}


def valid_group_name(group: Any) -> bool:
    return isinstance(group, str) and 0 < len(group) <= MAX_GROUP_NAME and not group.isspace()


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))
