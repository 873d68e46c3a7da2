"""What the communities area stores: one TypedDict per kind of document, and the typed containers that hold them
(docs/data-model.md describes the same fields; containers.py and content_ids.py name the ids).

Fields the code writes on every document are required; those added later by a patch (a deletion request, a
removal, an erasure stamp) are `NotRequired`. Nullable fields are `X | None`: an erased author, an unanswered
invitation, a ban without an end.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from shared.domain.communities.containers import (
    ALIASES,
    INVITATIONS,
    MEMBERSHIPS,
    TOPIC_TITLES,
    TOPICS,
    USER_TOPICS,
)
from shared.domain.communities.content_ids import COMMENTS, FOLLOWS, POSTS, REVISIONS, VOTES
from shared.domain.stored import Container, Stored

Permission = Literal["manage_posts", "manage_comments", "ban_users", "mute_users", "manage_invitations"]
MemberRole = Literal["member", "moderator", "owner"]
Visibility = Literal["public", "private"]
ContentState = Literal["visible", "deleted", "removed"]

# ---------------------------------------------------------------------------------------------------------
# topics (pk = id = topic id) and their title reservations


class TopicSettingsDoc(TypedDict):
    allow_anonymous: bool
    require_approval: bool  # invite-only; fixed at creation


class TopicDeletionDoc(TypedDict):
    requested_by: str
    requested_at: str
    permanent_delete_at: str
    status: Literal["pending", "approved", "rejected"]
    reviewed_by: str | None
    reviewed_at: str | None
    reason: NotRequired[str]  # "owner_account_deleted" when the erasure of the last member deleted it


class TopicDoc(Stored):
    title: str
    title_key: str | None  # the reservation in topic_titles; None for an invite-only topic, which reserves none
    description: str
    tags: list[str]
    settings: TopicSettingsDoc
    visibility: Visibility
    audience: str  # "public", or the topic's own id when invite-only
    search_words: list[str]
    owner_id: str | None  # None once the owner's account was erased and nobody was left to inherit it
    member_count: int
    post_count: int
    last_activity: str
    created_at: str
    updated_at: str
    status: Literal["active", "pending_deletion", "deletion_approved"]
    hot_rank: float
    deletion: NotRequired[TopicDeletionDoc]


class TitleLookupDoc(Stored):
    """pk = id = title key: the reservation that makes titles unique."""

    topic_id: str
    title: str  # normalised
    created_at: str


# ---------------------------------------------------------------------------------------------------------
# memberships (pk = topic id): member, ban, mute and join-request edges; user_topics mirrors the member edges


class MemberEdgeDoc(Stored):
    kind: Literal["member"]
    topic_id: str
    user_id: str
    role: MemberRole
    permissions: list[Permission]  # a moderator's granted set; every permission for the owner
    joined_at: str
    added_by: str | None
    moderator_since: NotRequired[str]


class RestrictionDoc(Stored):
    """A ban or a mute."""

    kind: Literal["ban", "mute"]
    topic_id: str
    user_id: str
    reason: str | None
    by: str
    created_at: str
    expires_at: str | None  # None: until lifted


class JoinRequestDoc(Stored):
    kind: Literal["request"]
    topic_id: str
    user_id: str
    created_at: str


MembershipDoc = MemberEdgeDoc | RestrictionDoc | JoinRequestDoc


class UserTopicDoc(Stored):
    """pk = user id, id = topic id."""

    topic_id: str
    user_id: str
    visibility: Visibility
    joined_at: str


class InvitationDoc(Stored):
    """pk = invitee id, id = "inv_<topic id>"."""

    topic_id: str
    invitee_id: str
    inviter_id: str
    status: Literal["pending", "accepted", "declined"]
    created_at: str
    responded_at: NotRequired[str]


# ---------------------------------------------------------------------------------------------------------
# aliases (pk = topic id)


class AliasDoc(Stored):
    """id = "user:<uid>": the user's anonymous name in the topic."""

    kind: Literal["alias"]
    topic_id: str
    user_id: str
    anonymous_name: str
    created_at: str
    updated_at: str


class AliasNameDoc(Stored):
    """id = "name:<lower-case name>": the reservation of the name."""

    kind: Literal["alias_name"]
    topic_id: str
    user_id: str
    anonymous_name: str
    created_at: str


# ---------------------------------------------------------------------------------------------------------
# posts (pk = topic id) and comments (pk = post id)


class RemovalDoc(TypedDict):
    reason: str
    by: str
    at: str


class PostDoc(Stored):
    kind: Literal["post"]
    topic_id: str
    audience: str  # "public", the topic id when invite-only, "hidden:<topic id>" while it awaits deletion
    author_id: str | None  # None once the author's account was erased
    author_username: str | None
    anonymous: bool
    anonymous_name: str | None
    title: str | None  # None once erased
    content: str | None
    tags: list[str]
    image: str | None  # blob name in post-images
    upvote_count: int
    downvote_count: int
    score: int
    comment_count: int
    hot_rank: float
    state: ContentState
    locked: bool
    pinned: bool
    edit_count: int
    created_at: str
    edited_at: str | None
    last_activity: str
    report_count: int
    pinned_at: NotRequired[str]
    removal: NotRequired[RemovalDoc | None]  # None after a restore
    deleted_at: NotRequired[str]
    erased_at: NotRequired[str]


class PostKey(TypedDict):
    """Enough of a post to address it and its topic (what the counters need)."""

    pk: str
    id: str
    topic_id: str


class CommentDoc(Stored):
    kind: Literal["comment"]
    post_id: str
    topic_id: str
    parent_id: str | None
    root_id: str
    depth: int
    path: str  # ancestors' and own fixed-width keys joined by "/" (comment_tree.py)
    author_id: str | None
    author_username: str | None
    anonymous: bool
    anonymous_name: str | None
    content: str | None
    state: ContentState
    upvote_count: int
    downvote_count: int
    score: int
    reply_count: int
    edit_count: int
    created_at: str
    edited_at: str | None
    report_count: int
    removal: NotRequired[RemovalDoc | None]
    deleted_at: NotRequired[str]
    erased_at: NotRequired[str]


ContentDoc = PostDoc | CommentDoc


# ---------------------------------------------------------------------------------------------------------
# votes, follows, revisions (reports: shared/domain/moderation)


class VoteDoc(Stored):
    """pk = target (post or comment) id, id = voter id."""

    voter_id: str
    value: int  # -1, 0 or 1
    kind: Literal["post", "comment"]
    topic_id: str
    post_id: str
    updated_at: str


class FollowDoc(Stored):
    """pk = post id, id = follower id."""

    follower_id: str
    topic_id: str
    created_at: str


class RevisedFields(TypedDict, total=False):
    """What an edit replaced: a post's title, content and tags, a comment's content."""

    title: str | None
    content: str | None
    tags: list[str] | None


class RevisionDoc(Stored, RevisedFields):
    """pk = post or comment id, id = version, zero-padded."""

    version: int
    created_at: str
    replaced_at: str


topic_docs = Container[TopicDoc](TOPICS)
title_docs = Container[TitleLookupDoc](TOPIC_TITLES)
membership_docs = Container[MembershipDoc](MEMBERSHIPS)  # any edge (mixed reads)
member_docs = Container[MemberEdgeDoc](MEMBERSHIPS)  # reads and queries of member edges only
restriction_docs = Container[RestrictionDoc](MEMBERSHIPS)
request_docs = Container[JoinRequestDoc](MEMBERSHIPS)
user_topic_docs = Container[UserTopicDoc](USER_TOPICS)
invitation_docs = Container[InvitationDoc](INVITATIONS)
alias_docs = Container[AliasDoc](ALIASES)
alias_name_docs = Container[AliasNameDoc](ALIASES)
post_docs = Container[PostDoc](POSTS)
comment_docs = Container[CommentDoc](COMMENTS)
vote_docs = Container[VoteDoc](VOTES)
follow_docs = Container[FollowDoc](FOLLOWS)
revision_docs = Container[RevisionDoc](REVISIONS)
