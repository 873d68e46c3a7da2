"""HTTP routes under /api/comments: parse, call shared/domain/communities/comments.py, respond."""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.comments import bp
from shared.http.endpoint import Call, RateRule, endpoint
from shared.lazy import lazy_models, lazy_module

if TYPE_CHECKING:  # what the checker and the IDE follow; at run time the names import on first use
    from shared.domain.communities import comment_models, comments, post_models
else:
    comments = lazy_module("shared.domain.communities.comments")
    comment_models = lazy_models("shared.domain.communities.comment_models")
    post_models = lazy_models("shared.domain.communities.post_models")

CREATE_LIMIT = RateRule("comments_create", 60, 600, per="user")
WRITE_LIMIT = RateRule("comments_write", 60, 600, per="user")
VOTE_LIMIT = RateRule("votes", 300, 600, per="user")


@bp.route(route="comments/posts/{post_id}/comments", methods=["GET"])
@endpoint(summary="A post's comments as a tree", auth="optional", path=post_models.PostPath,
          query=comment_models.CommentListQuery, response=comment_models.CommentPage, errors=(404,),
          description="A page holds root comments (sort top, new or old), each with its replies oldest first. "
                      "Where replies are left out, the comment says how many and gives a replies_cursor for "
                      "GET /api/comments/{id}/replies: no reply is ever shown without its parent.")
async def comments_list(call: Call) -> comment_models.CommentPage:
    return await comments.check_list_comments(call.principal, call.path.post_id, call.query)


@bp.route(route="comments/posts/{post_id}/comments", methods=["POST"])
@endpoint(summary="Comment on a post", path=post_models.PostPath, body=comment_models.CommentCreate,
          response=comment_models.CommentPublic, status=201,
          errors=(403, 404, 409, 422, 503), rate_limits=[CREATE_LIMIT], idempotent=True,
          description="Locked posts refuse new comments (403 post_locked). parent_id makes it a reply.")
async def comments_create(call: Call[comment_models.CommentCreate]) -> comment_models.CommentPublic:
    return await comments.check_create_comment(call.user, call.path.post_id, call.body,
                                               request_key=call.idempotency_key)


@bp.route(route="comments/{comment_id}/reply", methods=["POST"])
@endpoint(summary="Reply to a comment", path=comment_models.CommentPath, body=comment_models.CommentReply,
          response=comment_models.CommentPublic, status=201,
          errors=(403, 404, 409, 422, 503), rate_limits=[CREATE_LIMIT], idempotent=True)
async def comments_reply(call: Call[comment_models.CommentReply]) -> comment_models.CommentPublic:
    return await comments.check_reply(call.user, call.path.comment_id, call.body.content, call.body.use_anonymous,
                                      request_key=call.idempotency_key)


@bp.route(route="comments/{comment_id}", methods=["GET"])
@endpoint(summary="Get a comment", auth="optional", path=comment_models.CommentPath,
          response=comment_models.CommentPublic, errors=(404,))
async def comments_get(call: Call) -> comment_models.CommentPublic:
    return await comments.check_get_comment(call.principal, call.path.comment_id)


@bp.route(route="comments/{comment_id}/replies", methods=["GET"])
@endpoint(summary="A comment's replies, oldest first, each with its own replies", auth="optional",
          path=comment_models.CommentPath, query=comment_models.RepliesQuery, response=comment_models.CommentPage,
          errors=(404,))
async def comments_replies(call: Call) -> comment_models.CommentPage:
    return await comments.check_list_replies(call.principal, call.path.comment_id, call.query)


@bp.route(route="comments/{comment_id}", methods=["PUT", "PATCH"])
@endpoint(summary="Edit a comment (author); the previous version goes to its history", path=comment_models.CommentPath,
          body=comment_models.CommentUpdate, response=comment_models.CommentPublic, errors=(403, 404, 409),
          rate_limits=[WRITE_LIMIT])
async def comments_update(call: Call[comment_models.CommentUpdate]) -> comment_models.CommentPublic:
    return await comments.check_update_comment(call.user, call.path.comment_id, call.body.content)


@bp.route(route="comments/{comment_id}", methods=["DELETE"])
@endpoint(summary="Delete a comment (its text goes, the thread keeps its shape)", path=comment_models.CommentPath,
          query=post_models.DeleteQuery, status=204, errors=(403, 404),
          description="The author deletes; a moderator with manage_comments removes (reason optional here, see "
                      "POST .../remove); mode=hard removes it and its replies for good: administrators only.")
async def comments_delete(call: Call) -> None:
    await comments.check_delete_comment(call.user, call.path.comment_id, call.query)


@bp.route(route="comments/{comment_id}/history", methods=["GET"])
@endpoint(summary="Earlier versions of a comment, newest first", auth="optional", path=comment_models.CommentPath,
          query=post_models.ContentPageQuery, response=post_models.RevisionPage, errors=(404,))
async def comments_history(call: Call) -> post_models.RevisionPage:
    return await comments.check_comment_history(call.principal, call.path.comment_id, call.query)


@bp.route(route="comments/{comment_id}/vote", methods=["PUT"])
@endpoint(summary="Vote on a comment (idempotent)", path=comment_models.CommentPath, body=post_models.VoteBody,
          response=post_models.VoteResult, errors=(403, 404, 409), rate_limits=[VOTE_LIMIT])
async def comments_vote(call: Call[post_models.VoteBody]) -> post_models.VoteResult:
    return await comments.check_vote_comment(call.user, call.path.comment_id, value=call.body.value)


@bp.route(route="comments/{comment_id}/upvote", methods=["POST"])
@endpoint(summary="Toggle an upvote (TopicsFlow's route)", path=comment_models.CommentPath,
          response=post_models.VoteResult, errors=(403, 404, 409), rate_limits=[VOTE_LIMIT])
async def comments_upvote(call: Call) -> post_models.VoteResult:
    return await comments.check_vote_comment(call.user, call.path.comment_id, toggle=1)


@bp.route(route="comments/{comment_id}/downvote", methods=["POST"])
@endpoint(summary="Toggle a downvote (TopicsFlow's route)", path=comment_models.CommentPath,
          response=post_models.VoteResult, errors=(403, 404, 409), rate_limits=[VOTE_LIMIT])
async def comments_downvote(call: Call) -> post_models.VoteResult:
    return await comments.check_vote_comment(call.user, call.path.comment_id, toggle=-1)


@bp.route(route="comments/{comment_id}/remove", methods=["POST"])
@endpoint(summary="Remove a comment, with a reason (manage_comments)", path=comment_models.CommentPath,
          body=post_models.ReasonBody, response=comment_models.CommentPublic, errors=(403, 404))
async def comments_remove(call: Call[post_models.ReasonBody]) -> comment_models.CommentPublic:
    return await comments.check_remove_comment(call.user, call.path.comment_id, call.body.reason)


@bp.route(route="comments/{comment_id}/report", methods=["POST"])
@endpoint(summary="Report a comment to the topic's moderators (once per user)", path=comment_models.CommentPath,
          body=post_models.ReportBody, response=post_models.ReportResult, status=201, errors=(404, 409),
          rate_limits=[WRITE_LIMIT], idempotent=True)
async def comments_report(call: Call[post_models.ReportBody]) -> post_models.ReportResult:
    return await comments.check_report_comment(call.user, call.path.comment_id, call.body.reason)
