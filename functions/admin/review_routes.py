"""Administrators' review: /api/admin/stats, banned users, a user's content, pending deletions (topics, posts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.admin import bp
from shared.http.endpoint import Call, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.accounts import admin as account_admin
    from shared.domain.accounts import models as account_models
    from shared.domain.moderation import admin_models, admin_review, admin_stats, stats_models
else:
    account_admin = lazy_module("shared.domain.accounts.admin")
    account_models = lazy_models("shared.domain.accounts.models")
    admin_review = lazy_module("shared.domain.moderation.admin_review")
    admin_stats = lazy_module("shared.domain.moderation.admin_stats")
    admin_models = lazy_models("shared.domain.moderation.admin_models")
    stats_models = lazy_models("shared.domain.moderation.stats_models")


@bp.route(route="admin/stats", methods=["GET"])
@endpoint(summary="Reports, tickets and users in numbers, from counters (admin)", auth="admin",
          response=stats_models.AdminStats, tags=["admin"],
          description="One store call whatever the numbers: report and ticket counters kept by the writes, user "
                      "counts from a timer's snapshot every 10 minutes (`users.as_of`).")
async def admin_stats_route(call: Call) -> stats_models.AdminStats:
    return await admin_stats.check_stats(call.user)


@bp.route(route="admin/users/banned", methods=["GET"])
@endpoint(summary="Users banned from the site, most recent first (admin)", auth="admin",
          query=admin_models.AdminPageQuery, response=admin_models.BannedUserPage, tags=["admin"])
async def admin_banned_users(call: Call) -> admin_models.BannedUserPage:
    return await admin_review.check_banned_users(call.user, call.query)


@bp.route(route="admin/users/{user_id}/content", methods=["GET"])
@endpoint(summary="A user's posts or comments, whatever their state, for review (admin)", auth="admin",
          path=admin_models.AdminUserPath, query=admin_models.UserContentQuery,
          response=admin_models.UserContentPage, tags=["admin"])
async def admin_user_content(call: Call) -> admin_models.UserContentPage:
    return await admin_review.check_user_content(call.user, call.path.user_id, call.query)


@bp.route(route="admin/pending-deletions", methods=["GET"])
@endpoint(summary="Topics and posts waiting for a deletion review (admin)", auth="admin",
          query=admin_models.PendingQuery, response=admin_models.PendingDeletions, tags=["admin"])
async def admin_pending_deletions(call: Call) -> admin_models.PendingDeletions:
    return await admin_review.check_pending_deletions(call.user, call.query)


@bp.route(route="admin/posts/{post_id}/approve-deletion", methods=["POST"])
@endpoint(summary="Approve a post's deletion: it is purged for good (admin)", auth="admin",
          path=admin_models.AdminPostPath, response=admin_models.PostDeletionResult, errors=(409,), tags=["admin"])
async def admin_approve_post_deletion(call: Call) -> admin_models.PostDeletionResult:
    return await admin_review.check_approve_post_deletion(call.user, call.path.post_id)


@bp.route(route="admin/posts/{post_id}/reject-deletion", methods=["POST"])
@endpoint(summary="Reject a post's deletion: the post is back (admin)", auth="admin",
          path=admin_models.AdminPostPath, response=admin_models.PostDeletionResult, errors=(409,), tags=["admin"])
async def admin_reject_post_deletion(call: Call) -> admin_models.PostDeletionResult:
    return await admin_review.check_reject_post_deletion(call.user, call.path.post_id)


@bp.route(route="admin/users/{user_id}/unban", methods=["POST"])
@endpoint(summary="Lift a user's site ban (TopicsFlow's path for DELETE /api/admin/users/{id}/ban)", auth="admin",
          path=admin_models.AdminUserPath, response=account_models.BanResult, errors=(403, 404), tags=["admin"])
async def admin_unban_user_legacy(call: Call) -> account_models.BanResult:
    return await account_admin.check_unban_user(call.user, call.path.user_id)
