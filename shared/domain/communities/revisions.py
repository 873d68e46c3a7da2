"""Edit history of posts and comments: the versions an edit replaced, one document each.

`revisions` container: pk = the post or comment id, id = the version number zero-padded ("000001" is the
original), with the fields that version had. An edit writes the old version *before* replacing the item with
If-Match: version n's content is fixed once n exists, so a write repeated by a retried or lost race stores the
same thing again (upsert) and no version can go missing.
"""

from __future__ import annotations

from shared.domain import cursors
from shared.domain.communities.content_ids import REVISIONS
from shared.domain.communities.documents import RevisedFields, revision_docs
from shared.domain.communities.post_models import RevisionPage, RevisionPublic
from shared.domain.purging import delete_partition
from shared.ports import Query


def revision_id(version: int) -> str:
    return f"{version:06d}"


async def save(item_id: str, version: int, fields: RevisedFields, *, created_at: str, replaced_at: str) -> None:
    await revision_docs.upsert({"id": revision_id(version), "pk": item_id, "version": version,
                                                "created_at": created_at, "replaced_at": replaced_at, **fields})


async def history(item_id: str, *, limit: int, cursor: str | None) -> RevisionPage:
    """Earlier versions, newest first."""
    scope = f"revisions:{item_id}"
    continuation = cursors.decode(scope, cursor).get("c") if cursor else None
    if cursor and not isinstance(continuation, str):
        raise cursors.invalid_cursor()
    page = await revision_docs.query(Query(order_by=[("version", "desc")]), pk=item_id, limit=limit,
                                          continuation=continuation)
    items = [RevisionPublic(version=doc["version"], title=doc.get("title"), content=doc.get("content"),
                            tags=doc.get("tags"), created_at=doc["created_at"], replaced_at=doc["replaced_at"])
             for doc in page.items]
    next_cursor = cursors.encode(scope, {"c": page.continuation}) if page.continuation else None
    return RevisionPage(items=items, next_cursor=next_cursor)


async def erase(item_id: str) -> None:
    await delete_partition(REVISIONS, item_id)
