"""Ids of posts and comments, and the containers that hold them and their edges (docs/data-model.md).

A post's id carries its topic's id and a comment's id carries its post's id:

    post    "<topic id>_<16 hex>"      -> lives in `posts`, pk = topic id
    comment "<post id>_<12 hex>"       -> lives in `comments`, pk = post id

so `GET /api/posts/{id}` and `GET /api/comments/{id}` are single point reads without a lookup document, while
a topic's posts (and a post's comments) still share one partition for their listings. The random tail never
contains "_", so splitting on the last "_" recovers the parent whatever the parent id looks like. A create that
carries an idempotency key derives its tail from the key instead of drawing it, so a retry makes the same id and
the store refuses the duplicate.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from shared.errors import NotFound

POSTS = "posts"  # pk = topic id
COMMENTS = "comments"  # pk = post id
VOTES = "votes"  # pk = target (post or comment) id, id = voter id
FOLLOWS = "follows"  # pk = post id, id = follower id
REVISIONS = "revisions"  # pk = post or comment id, id = revision number, zero-padded
TOPICS = "topics"  # F1's; post_count and last_activity are ours to bump

_POST_TAIL = re.compile(r"^[0-9a-f]{16}$")
_COMMENT_TAIL = re.compile(r"^[0-9a-f]{12}$")
MAX_ID_LENGTH = 255


def _tail(nbytes: int, scope: str, request_key: str | None) -> str:
    if request_key is None:
        return secrets.token_hex(nbytes)
    return hashlib.sha256(f"{scope}\x1f{request_key}".encode()).hexdigest()[:nbytes * 2]


def new_post_id(topic_id: str, request_key: str | None = None) -> str:
    return f"{topic_id}_{_tail(8, f'post:{topic_id}', request_key)}"


def new_comment_id(post_id: str, request_key: str | None = None) -> str:
    return f"{post_id}_{_tail(6, f'comment:{post_id}', request_key)}"


def _split(value: str, tail: re.Pattern[str]) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH or "_" not in value:
        return None
    parent, _, end = value.rpartition("_")
    return parent if parent and tail.match(end) else None


def topic_of_post(post_id: str) -> str:
    """The topic id inside a post id; NotFound `post_not_found` for anything that is not a post id."""
    topic_id = _split(post_id, _POST_TAIL)
    if topic_id is None:
        raise post_not_found()
    return topic_id


def post_of_comment(comment_id: str) -> str:
    """The post id inside a comment id; NotFound `comment_not_found` for anything that is not a comment id."""
    post_id = _split(comment_id, _COMMENT_TAIL)
    if post_id is None or _split(post_id, _POST_TAIL) is None:
        raise comment_not_found()
    return post_id


def is_comment_id(value: str) -> bool:
    post_id = _split(value, _COMMENT_TAIL)
    return post_id is not None and _split(post_id, _POST_TAIL) is not None


def post_not_found() -> NotFound:
    return NotFound("Post not found.", code="post_not_found")


def comment_not_found() -> NotFound:
    return NotFound("Comment not found.", code="comment_not_found")
