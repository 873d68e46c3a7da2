"""Who may read a post, and what each reader sees of it.

The one place that turns a post document into a response or an event payload:
- anonymous posts: author_id and author_username are null, display_name is the topic alias, for every reader
  and in every event; only administrators get the real author, inside `moderation`;
- deleted (by the author) and removed (by a moderator) posts are readable by their author, the topic's
  moderators and administrators only; everyone else gets 404 as if the post never existed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, TypedDict

from shared import wiring
from shared.domain.communities.access import TopicAccess, access_topic, access_topic_for_contribution
from shared.domain.communities.content_ids import post_not_found, topic_of_post
from shared.domain.communities.documents import PostDoc, follow_docs, post_docs
from shared.domain.communities.post_models import ModerationInfo, PostPublic
from shared.domain.communities.votes import my_votes
from shared.domain.identity import Principal
from shared.errors import Conflict, NotFound

IMAGE_CONTAINER = "post-images"
IMAGE_URL_SECONDS = 3600


@dataclass(frozen=True)
class Viewer:
    user_id: str | None = None
    is_admin: bool = False
    moderates: bool = False  # may manage posts in the post's topic


EVENT_VIEWER = Viewer()  # events go to a whole group: nobody's personal view


def viewer_of(access: TopicAccess) -> Viewer:
    return Viewer(user_id=access.user_id, is_admin=access.is_admin, moderates=access.can("manage_posts"))


def may_read(post: PostDoc, viewer: Viewer) -> bool:
    if post.get("state") == "visible":
        return True
    return viewer.is_admin or viewer.moderates or (viewer.user_id is not None and viewer.user_id == post["author_id"])


class AuthorFields(TypedDict):
    """Who a reader is told wrote a post or comment (keyword arguments of PostPublic and CommentPublic)."""

    author_id: str | None
    author_username: str | None
    display_name: str
    is_anonymous: bool


def author_fields(doc: PostDoc) -> AuthorFields:
    if doc.get("anonymous"):
        return {"author_id": None, "author_username": None, "display_name": doc.get("anonymous_name") or "Anonymous",
                "is_anonymous": True}
    if doc.get("author_id") is None:  # the account was erased
        return {"author_id": None, "author_username": None, "display_name": "[deleted]", "is_anonymous": False}
    return {"author_id": doc["author_id"], "author_username": doc.get("author_username"),
            "display_name": doc.get("author_username") or "", "is_anonymous": False}


def moderation_info(doc: PostDoc, viewer: Viewer) -> ModerationInfo | None:
    if not (viewer.is_admin or viewer.moderates):
        return None
    removal = doc.get("removal") or {}
    info = ModerationInfo(removal_reason=removal.get("reason"), removed_at=removal.get("at"),
                          report_count=doc.get("report_count", 0))
    if viewer.is_admin and doc.get("anonymous"):
        info.real_author_id = doc.get("author_id")
        info.real_author_username = doc.get("author_username")
    return info


async def image_url(doc: PostDoc) -> str | None:
    image = doc.get("image")
    if not image or doc.get("state") == "deleted":
        return None
    return await wiring.blobs().read_url(IMAGE_CONTAINER, image, expires_in_seconds=IMAGE_URL_SECONDS)


async def present(doc: PostDoc, viewer: Viewer, *, vote: int = 0, followed: bool = False,
                  topic_title: str | None = None) -> PostPublic:
    state = doc.get("state", "visible")
    is_author = viewer.user_id is not None and viewer.user_id == doc.get("author_id")
    # The author took it back: nobody but administrators reads the text any more.
    hidden = state == "deleted" and not viewer.is_admin
    removal = doc.get("removal") or {}
    return PostPublic(
        id=doc["id"], topic_id=doc["topic_id"], **author_fields(doc),
        title=None if hidden else doc.get("title"), content=None if hidden else doc.get("content"),
        tags=doc.get("tags") or [], image_url=None if hidden else await image_url(doc),
        upvote_count=doc.get("upvote_count", 0), downvote_count=doc.get("downvote_count", 0),
        score=doc.get("score", 0), comment_count=doc.get("comment_count", 0), hot_rank=doc.get("hot_rank", 0.0),
        state=state, locked=bool(doc.get("locked")), pinned=bool(doc.get("pinned")),
        edit_count=doc.get("edit_count", 0), created_at=doc["created_at"], edited_at=doc.get("edited_at"),
        last_activity=doc.get("last_activity") or doc["created_at"], topic_title=topic_title,
        user_vote=vote, is_followed=followed, is_author=is_author,
        removal_reason=removal.get("reason") if state == "removed" and (is_author or viewer.moderates
                                                                         or viewer.is_admin) else None,
        moderation=moderation_info(doc, viewer))


async def present_page(docs: list[PostDoc], viewer: Viewer, *,
                       topic_titles: dict[str, str] | None = None) -> list[PostPublic]:
    """Posts with the caller's own votes and follows: two reads for the whole page."""
    ids = [doc["id"] for doc in docs]
    votes, followed = await asyncio.gather(my_votes(ids, viewer.user_id), followed_ids(ids, viewer.user_id))
    titles = topic_titles or {}
    return [await present(doc, viewer, vote=votes.get(doc["id"], 0), followed=doc["id"] in followed,
                          topic_title=titles.get(doc["topic_id"])) for doc in docs]


async def event_payload(doc: PostDoc) -> dict[str, Any]:  # PostPublic as JSON, for every reader
    return (await present(doc, EVENT_VIEWER)).model_dump(mode="json", exclude={"user_vote", "is_followed",
                                                                                 "is_author", "moderation"})


async def followed_ids(post_ids: list[str], user_id: str | None) -> set[str]:
    if not user_id or not post_ids:
        return set()
    docs = await follow_docs.read_many([(pid, user_id) for pid in post_ids])
    return {doc["pk"] for doc in docs}


async def read_post(topic_id: str, post_id: str) -> PostDoc:
    try:
        return await post_docs.read(topic_id, post_id)
    except NotFound:
        raise post_not_found() from None


async def load_post(principal: Principal | None, post_id: str, *,
                    contribute: bool = False) -> tuple[TopicAccess, PostDoc]:
    """The caller's access to the post's topic and the post, read together; 404 `post_not_found` when either
    is missing or hidden from the caller. With contribute=True a ban or mute answers 403 (only once the caller
    has been shown the post exists)."""
    topic_id = topic_of_post(post_id)
    gate = access_topic_for_contribution(principal, topic_id) if contribute and principal else access_topic(
        principal, topic_id)
    access, post = await asyncio.gather(gate, read_post(topic_id, post_id), return_exceptions=True)
    if isinstance(access, NotFound) or isinstance(post, NotFound):
        raise post_not_found()
    if isinstance(post, BaseException):
        raise post
    if isinstance(access, BaseException):
        if not may_read(post, Viewer(user_id=principal.user_id if principal else None)):
            raise post_not_found() from None
        raise access
    if not may_read(post, viewer_of(access)):
        raise post_not_found()
    return access, post


def require_active(post: PostDoc) -> None:
    """Writes on a deleted or removed post (which only its author or moderators can still see) are refused."""
    if post.get("state") != "visible":
        raise Conflict("This post was deleted or removed.", code="post_not_active")
