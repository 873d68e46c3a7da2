"""HTTP routes under /api/notifications: the caller's own notifications only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.notifications import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.notifications import models, service
else:
    service = lazy_module("shared.domain.notifications.service")
    models = lazy_models("shared.domain.notifications.models")


@bp.route(route="notifications", methods=["GET"])
@endpoint(summary="My notifications, newest first", query=models.NotificationQuery, response=models.NotificationPage)
async def notifications_list(call: Call) -> models.NotificationPage:
    q = call.query
    return await service.list_notifications(call.user.user_id, limit=q.limit, cursor=q.cursor,
                                            unread_only=q.unread_only)


@bp.route(route="notifications/unread-count", methods=["GET"])
@endpoint(summary="How many of my notifications are unread", response=models.UnreadCount)
async def notifications_unread_count(call: Call) -> models.UnreadCount:
    return await service.unread_count(call.user.user_id)


@bp.route(route="notifications/read-all", methods=["POST"])
@endpoint(summary="Mark all my notifications read", response=models.ReadAllResult)
async def notifications_read_all(call: Call) -> models.ReadAllResult:
    return await service.mark_all_read(call.user.user_id)


@bp.route(route="notifications/{notification_id}/read", methods=["POST"])
@endpoint(summary="Mark one notification read", path=models.NotificationPath, response=models.NotificationPublic,
          errors=(404,))
async def notifications_read(call: Call) -> models.NotificationPublic:
    return await service.mark_read(call.user.user_id, call.path.notification_id)


@bp.route(route="notifications/{notification_id}", methods=["DELETE"])
@endpoint(summary="Delete one notification", path=models.NotificationPath, status=204, errors=(404,))
async def notifications_delete(call: Call) -> None:
    await service.delete_notification(call.user.user_id, call.path.notification_id)
