"""The timer that keeps dead calls from blocking a place: participants whose heartbeat is older than
`voip_participant_timeout_seconds` are dropped (the others are told), and a call with nobody left ends."""

from __future__ import annotations

import logging

from shared.domain.voip import calls
from shared.settings import get_settings

log = logging.getLogger("topicsflow.voip")


async def end_stale_calls(*, now_ms: int | None = None) -> int:
    """Returns how many participants were dropped."""
    cutoff = (calls.now_ms() if now_ms is None else now_ms) - int(get_settings().voip_participant_timeout_seconds
                                                                    * 1000)
    dropped = 0
    for doc in await calls.active_calls():
        silent = [uid for uid, p in doc["participants"].items() if p["last_heartbeat_ms"] < cutoff]
        if not doc["participants"]:
            await calls.end_call(doc, "no_participants")
            continue
        for user_id in silent:
            await calls.remove_participant(doc["call_id"], user_id, reason="timeout")
            dropped += 1
    if dropped:
        log.info("dropped %d silent call participants", dropped)
    return dropped
