"""Comment trees in pages that never orphan a reply.

Each comment stores `root_id` (its top-level ancestor), `depth` (0 for roots) and `path`: its ancestors' and its
own fixed-width sort keys joined by "/" (a key is the creation time plus the id's random tail). Sorting by path
lists a thread depth-first with siblings oldest first, every comment right after its parent.

A page is a set of comments that share a parent (the post's roots, or one comment's replies), each with its
subtree, read with two queries whatever the page size:
1. the parents' children page (roots in the requested order, or a comment's replies oldest first);
2. their descendants in path order, at most REPLY_BUDGET of them.
Because descendants come in path order, a cut-off leaves every included comment's parent included, and the
replies each comment is missing are its youngest ones: the comment says how many (`more_replies`) and carries a
`replies_cursor` for GET /api/comments/{id}/replies, which continues after the last reply shown. No reply is
ever shown without its parent, and none is skipped.
"""

from __future__ import annotations

from shared import clock
from shared.domain import cursors
from shared.domain.communities.documents import CommentDoc

REPLY_BUDGET = 200
_SEGMENT_TIME = "%Y%m%d%H%M%S%f"


def path_segment(created_at: str, comment_id: str) -> str:
    """Fixed width (20 time digits + 12 hex), so string order is creation order."""
    return clock.parse(created_at).strftime(_SEGMENT_TIME) + comment_id.rsplit("_", 1)[-1]


def child_path(parent: CommentDoc | None, created_at: str, comment_id: str) -> str:
    segment = path_segment(created_at, comment_id)
    return f"{parent['path']}/{segment}" if parent else segment


def subtree_end(path: str) -> str:
    """An upper bound just past every descendant of `path`: "/" sorts before every key character."""
    return path + "0"


def replies_scope(comment_id: str) -> str:
    return f"replies:{comment_id}"


def replies_cursor(comment_id: str, after: str | None) -> str:
    return cursors.encode(replies_scope(comment_id), {"after": after})


def assemble(tops: list[CommentDoc], descendants: list[CommentDoc]) -> tuple[
        list[CommentDoc], dict[str, list[CommentDoc]]]:
    """Links descendants under their parents. Returns the tops and {comment id: included children in path
    order}; a descendant whose parent is not included (never the case for a path-ordered prefix) is dropped
    rather than shown as an orphan."""
    children: dict[str, list[CommentDoc]] = {doc["id"]: [] for doc in tops}
    for doc in descendants:
        parent = doc.get("parent_id")
        if parent in children:
            children[parent].append(doc)
            children[doc["id"]] = []
    return tops, children
