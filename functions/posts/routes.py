"""HTTP routes under /api/posts: parse, call the domain in shared/domain/communities, respond.
Every decision about who may see or do what lives in the domain (post_views.load_post and the access gates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.posts import bp
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.communities import images, post_models, post_moderation, posts
else:
    images = lazy_module("shared.domain.communities.images")
    post_moderation = lazy_module("shared.domain.communities.post_moderation")
    posts = lazy_module("shared.domain.communities.posts")
    post_models = lazy_models("shared.domain.communities.post_models")

WRITE_LIMIT = RateRule("posts_write", 60, 600, per="user")
VOTE_LIMIT = RateRule("votes", 300, 600, per="user")

# ---------------------------------------------------------------------------------------------------------
# posts of a topic, and the feed


@bp.route(route="posts/topics/{topic_id}/posts", methods=["POST"])
@endpoint(summary="Create a post in a topic", path=post_models.PostTopicPath, body=post_models.PostCreate,
          response=post_models.PostPublic, status=201, errors=(403, 404, 422),
          rate_limits=[RateRule("posts_create", 20, 600, per="user")], idempotent=True,
          description="Content is markdown. Membership is needed only in invite-only topics; banned or muted users "
                      "are refused. With use_anonymous the post shows the caller's alias in the topic.")
async def posts_create(call: Call[post_models.PostCreate]) -> post_models.PostPublic:
    return await posts.check_create_post(call.user, call.path.topic_id, call.body, request_key=call.idempotency_key)


@bp.route(route="posts/topics/{topic_id}/posts", methods=["GET"])
@endpoint(summary="List a topic's posts", auth="optional", path=post_models.PostTopicPath,
          query=post_models.PostListQuery, response=post_models.PostPage, errors=(404,),
          description="Sorts: new, old, top (with time_range), hot (Lemmy's rank), active (latest "
                      "comment). Pinned posts come separately, on the first page.")
async def posts_list(call: Call) -> post_models.PostPage:
    return await posts.check_list_posts(call.principal, call.path.topic_id, call.query)


@bp.route(route="posts/recent", methods=["GET"])
@endpoint(summary="Recent posts across every topic the caller may read", auth="optional",
          query=post_models.ContentPageQuery, response=post_models.PostPage)
async def posts_recent(call: Call) -> post_models.PostPage:
    return await posts.check_feed(call.principal, call.query)


@bp.route(route="posts/feed", methods=["GET"])
@endpoint(summary="The feed: recent posts across every topic the caller may read", auth="optional",
          query=post_models.ContentPageQuery, response=post_models.PostPage)
async def posts_feed(call: Call) -> post_models.PostPage:
    return await posts.check_feed(call.principal, call.query)


@bp.route(route="posts/topics/{topic_id}/reports", methods=["GET"])
@endpoint(summary="Open reports in a topic (moderators with manage_posts)", path=post_models.PostTopicPath,
          query=post_models.ContentPageQuery, response=post_models.ReportPage, errors=(403, 404))
async def posts_reports(call: Call) -> post_models.ReportPage:
    return await post_moderation.check_list_reports(call.user, call.path.topic_id, call.query)


@bp.route(route="posts/images/upload-url", methods=["POST"])
@endpoint(summary="Get a signed URL to upload a post image", body=post_models.PostImageUploadBody,
          response=post_models.PostImageUpload, status=201, errors=(413, 422),
          rate_limits=[RateRule("post_images", 30, 3600, per="user")],
          description="PUT the file to upload_url with the given headers, then create the post with image_id.",
          idempotent=True)
async def posts_image_upload(call: Call[post_models.PostImageUploadBody]) -> post_models.PostImageUpload:
    return await images.check_request_upload(call.user, call.body)


# ---------------------------------------------------------------------------------------------------------
# one post


@bp.route(route="posts/{post_id}", methods=["GET"])
@endpoint(summary="Get a post", auth="optional", path=post_models.PostPath, response=post_models.PostPublic,
          errors=(404,))
async def posts_get(call: Call) -> post_models.PostPublic:
    return await posts.check_get_post(call.principal, call.path.post_id)


@bp.route(route="posts/{post_id}", methods=["PUT", "PATCH"])
@endpoint(summary="Edit a post (author); the previous version goes to its history", path=post_models.PostPath,
          body=post_models.PostUpdate, response=post_models.PostPublic, errors=(403, 404, 409),
          rate_limits=[WRITE_LIMIT])
async def posts_update(call: Call[post_models.PostUpdate]) -> post_models.PostPublic:
    return await posts.check_update_post(call.user, call.path.post_id, call.body)


@bp.route(route="posts/{post_id}", methods=["DELETE"])
@endpoint(summary="Delete a post", path=post_models.PostPath, query=post_models.DeleteQuery, status=204,
          errors=(403, 404),
          description="The author deletes (soft); a moderator with manage_posts removes it (reason optional here, "
                      "see POST .../remove); mode=hard deletes it for good and is for administrators only.")
async def posts_delete(call: Call) -> None:
    await post_moderation.check_delete_post(call.user, call.path.post_id, call.query)


@bp.route(route="posts/{post_id}/history", methods=["GET"])
@endpoint(summary="Earlier versions of a post, newest first", auth="optional", path=post_models.PostPath,
          query=post_models.ContentPageQuery, response=post_models.RevisionPage, errors=(404,))
async def posts_history(call: Call) -> post_models.RevisionPage:
    return await posts.check_post_history(call.principal, call.path.post_id, call.query)


@bp.route(route="posts/{post_id}/vote", methods=["PUT"])
@endpoint(summary="Vote on a post (idempotent)", path=post_models.PostPath, body=post_models.VoteBody,
          response=post_models.VoteResult, errors=(403, 404, 409), rate_limits=[VOTE_LIMIT])
async def posts_vote(call: Call[post_models.VoteBody]) -> post_models.VoteResult:
    return await posts.check_vote_post(call.user, call.path.post_id, value=call.body.value)


@bp.route(route="posts/{post_id}/upvote", methods=["POST"])
@endpoint(summary="Toggle an upvote (TopicsFlow's route)", path=post_models.PostPath, response=post_models.VoteResult,
          errors=(403, 404, 409), rate_limits=[VOTE_LIMIT])
async def posts_upvote(call: Call) -> post_models.VoteResult:
    return await posts.check_vote_post(call.user, call.path.post_id, toggle=1)


@bp.route(route="posts/{post_id}/downvote", methods=["POST"])
@endpoint(summary="Toggle a downvote (TopicsFlow's route)", path=post_models.PostPath, response=post_models.VoteResult,
          errors=(403, 404, 409), rate_limits=[VOTE_LIMIT])
async def posts_downvote(call: Call) -> post_models.VoteResult:
    return await posts.check_vote_post(call.user, call.path.post_id, toggle=-1)


@bp.route(route="posts/{post_id}/follow", methods=["POST"])
@endpoint(summary="Follow a post (notifications of new comments)", path=post_models.PostPath,
          response=post_models.FollowState, errors=(404, 409))
async def posts_follow(call: Call) -> post_models.FollowState:
    return await posts.check_follow_post(call.user, call.path.post_id, True)


@bp.route(route="posts/{post_id}/follow", methods=["DELETE"])
@endpoint(summary="Unfollow a post", path=post_models.PostPath, response=post_models.FollowState, errors=(404,))
async def posts_unfollow(call: Call) -> post_models.FollowState:
    return await posts.check_follow_post(call.user, call.path.post_id, False)


@bp.route(route="posts/{post_id}/report", methods=["POST"])
@endpoint(summary="Report a post to the topic's moderators (once per user)", path=post_models.PostPath,
          body=post_models.ReportBody, response=post_models.ReportResult, status=201, errors=(404, 409),
          rate_limits=[WRITE_LIMIT], idempotent=True)
async def posts_report(call: Call[post_models.ReportBody]) -> post_models.ReportResult:
    return await post_moderation.check_report_post(call.user, call.path.post_id, call.body.reason)


# ---------------------------------------------------------------------------------------------------------
# moderation


@bp.route(route="posts/{post_id}/remove", methods=["POST"])
@endpoint(summary="Remove a post, with a reason (manage_posts)", path=post_models.PostPath, body=post_models.ReasonBody,
          response=post_models.PostPublic, errors=(403, 404))
async def posts_remove(call: Call[post_models.ReasonBody]) -> post_models.PostPublic:
    return await post_moderation.check_remove_post(call.user, call.path.post_id, call.body.reason)


@bp.route(route="posts/{post_id}/restore", methods=["POST"])
@endpoint(summary="Restore a removed post (manage_posts)", path=post_models.PostPath, response=post_models.PostPublic,
          errors=(403, 404, 409))
async def posts_restore(call: Call) -> post_models.PostPublic:
    return await post_moderation.check_restore_post(call.user, call.path.post_id)


@bp.route(route="posts/{post_id}/lock", methods=["POST"])
@endpoint(summary="Lock a post: no new comments (manage_posts)", path=post_models.PostPath,
          response=post_models.PostPublic, errors=(403, 404, 409))
async def posts_lock(call: Call) -> post_models.PostPublic:
    return await post_moderation.check_set_flag(call.user, call.path.post_id, "locked", True)


@bp.route(route="posts/{post_id}/unlock", methods=["POST"])
@endpoint(summary="Unlock a post (manage_posts)", path=post_models.PostPath, response=post_models.PostPublic,
          errors=(403, 404, 409))
async def posts_unlock(call: Call) -> post_models.PostPublic:
    return await post_moderation.check_set_flag(call.user, call.path.post_id, "locked", False)


@bp.route(route="posts/{post_id}/pin", methods=["POST"])
@endpoint(summary="Pin a post to the top of its topic (manage_posts)", path=post_models.PostPath,
          response=post_models.PostPublic, errors=(403, 404, 409))
async def posts_pin(call: Call) -> post_models.PostPublic:
    return await post_moderation.check_set_flag(call.user, call.path.post_id, "pinned", True)


@bp.route(route="posts/{post_id}/unpin", methods=["POST"])
@endpoint(summary="Unpin a post (manage_posts)", path=post_models.PostPath, response=post_models.PostPublic,
          errors=(403, 404, 409))
async def posts_unpin(call: Call) -> post_models.PostPublic:
    return await post_moderation.check_set_flag(call.user, call.path.post_id, "pinned", False)
