"""HTTP routes under /api/voip: what a call needs besides its socket events (docs/voip.md): the ICE servers with
short-lived TURN credentials, the active call of a place, my call after a reload, and a place's call history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.voip import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:
    from shared.domain.voip import call_models as models
    from shared.domain.voip import calls, ice
else:
    calls = lazy_module("shared.domain.voip.calls")
    ice = lazy_module("shared.domain.voip.ice")
    models = lazy_models("shared.domain.voip.call_models")

PLACE_ERRORS = (403, 404)  # voip_disabled / call_not_allowed; a place the caller cannot see


@bp.route(route="voip/ice-servers", methods=["GET"])
@endpoint(summary="STUN and TURN servers for my next call, with TURN credentials that expire",
          response=models.IceServers,
          description="Pass `ice_servers` to `new RTCPeerConnection({iceServers})`. TURN credentials follow the TURN "
                      "REST convention (username `<expiry>:<user id>`, password base64(HMAC-SHA1(secret, username))) "
                      "and stop working at `expires_at`: fetch again before each call.")
async def voip_ice_servers(call: Call) -> models.IceServers:
    return ice.ice_servers(call.user)


@bp.route(route="voip/calls/active", methods=["GET"])
@endpoint(summary="The active call of a chat room or a DM, if any", query=models.ActiveCallQuery,
          response=models.MaybeCall, errors=PLACE_ERRORS)
async def voip_active_call(call: Call) -> models.MaybeCall:
    return await calls.get_active_call(call.user, call.query.room_id, call.query.room_type)


@bp.route(route="voip/calls/mine", methods=["GET"])
@endpoint(summary="The active call I am in, if any (after a reload; rejoin it with voip_get_my_call)",
          response=models.MaybeCall)
async def voip_my_call(call: Call) -> models.MaybeCall:
    return await calls.get_my_call(call.user)


@bp.route(route="voip/calls/history", methods=["GET"])
@endpoint(summary="Ended calls of a chat room or a DM, newest first", query=models.HistoryQuery,
          response=models.CallPage, errors=PLACE_ERRORS)
async def voip_call_history(call: Call) -> models.CallPage:
    q = call.query
    return await calls.call_history(call.user, q.room_id, q.room_type, limit=q.limit, cursor=q.cursor)
