"""The Documents contract: every test runs on SQLite and on Cosmos (the @vercel/cosmosdb-server stand-in).

Run: .venv/bin/pytest tests/contracts/test_documents.py -q
"""

from __future__ import annotations

import asyncio

import pytest

from devhost.standins.cosmos import EMULATOR_KEY
from shared.errors import BadRequest, Conflict, NotFound, PreconditionFailed
from shared.ports import BatchOp, Documents, Patch, Query, Where
from tests.contracts.documents_fixtures import (  # noqa: F401 - cosmos_standin is a fixture
    DOCUMENT_BACKENDS,
    cosmos_standin,
    dispose,
    documents_store_for,
    make_store,
)

C = "items"


@pytest.fixture(params=DOCUMENT_BACKENDS)
async def db(request, tmp_path):
    async with documents_store_for(request.param, request, tmp_path) as store:
        yield store


def doc(id: str, pk: str = "p1", **fields):
    return {"id": id, "pk": pk, **fields}


async def all_pages(db, query: Query = Query(), *, pk=None, limit=100, container=C) -> list[list[dict]]:
    pages, token = [], None
    while True:
        page = await db.query(container, query, pk=pk, limit=limit, continuation=token)
        assert len(page.items) <= limit
        pages.append(page.items)
        token = page.continuation
        if token is None:
            return pages
        assert isinstance(token, str) and token
        assert len(pages) < 1000, "pagination does not end"


async def ids(db, query: Query = Query(), *, pk=None, limit=100) -> list[str]:
    return [d["id"] for page in await all_pages(db, query, pk=pk, limit=limit) for d in page]


def plain(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


# -- create and read ----------------------------------------------------------------------------------------


async def test_the_adapter_implements_the_documents_port(db):
    assert isinstance(db, Documents)


async def test_a_created_document_reads_back_with_an_etag_and_a_timestamp(db):
    created = await db.create(C, doc("a", title="Hello", n=1))
    assert plain(created) == {"id": "a", "pk": "p1", "title": "Hello", "n": 1}
    assert isinstance(created["_etag"], str) and created["_etag"]
    assert isinstance(created["_ts"], int) and created["_ts"] > 1_700_000_000
    read = await db.read(C, "p1", "a")
    assert read == created
    assert set(read) == {"id", "pk", "title", "n", "_etag", "_ts"}


async def test_system_fields_sent_by_the_caller_are_not_stored(db):
    created = await db.create(C, doc("a", _etag="mine", _ts=1, _rid="x", _self="y", _attachments="z"))
    assert created["_etag"] != "mine" and created["_ts"] != 1
    assert set(await db.read(C, "p1", "a")) == {"id", "pk", "_etag", "_ts"}


async def test_creating_an_existing_id_in_the_same_partition_conflicts(db):
    await db.create(C, doc("a", v=1))
    with pytest.raises(Conflict):
        await db.create(C, doc("a", v=2))
    assert (await db.read(C, "p1", "a"))["v"] == 1


async def test_the_same_id_may_live_in_another_partition_and_another_container(db):
    await db.create(C, doc("a", pk="p1", v=1))
    await db.create(C, doc("a", pk="p2", v=2))
    await db.create("others", doc("a", pk="p1", v=3))
    assert (await db.read(C, "p1", "a"))["v"] == 1
    assert (await db.read(C, "p2", "a"))["v"] == 2
    assert (await db.read("others", "p1", "a"))["v"] == 3


async def test_reading_a_missing_document_or_with_the_wrong_partition_is_not_found(db):
    with pytest.raises(NotFound):
        await db.read(C, "p1", "nope")
    await db.create(C, doc("a"))
    with pytest.raises(NotFound):
        await db.read(C, "p2", "a")
    with pytest.raises(NotFound):
        await db.read("never-used", "p1", "a")


async def test_ids_cosmos_refuses_are_refused_everywhere(db):
    for bad_id in ["a/b", "a\\b", "a?b", "a#b", "", "x" * 256]:
        with pytest.raises(BadRequest):
            await db.create(C, doc(bad_id))
    with pytest.raises(BadRequest):
        await db.create(C, {"id": "no-pk"})
    with pytest.raises(BadRequest):
        await db.create(C, {"pk": "p1"})


async def test_a_key_no_document_can_have_is_simply_not_found(db):
    for pk, bad_id in [("p1", "a/b"), ("p1", "a?b"), ("p1", ""), ("", "a")]:
        with pytest.raises(NotFound):
            await db.read(C, pk, bad_id)
        with pytest.raises(NotFound):
            await db.delete(C, pk, bad_id)
        with pytest.raises(NotFound):
            await db.patch(C, pk, bad_id, [Patch("set", "/x", 1)])
    assert await db.read_many(C, [("p1", "a/b"), ("", "a")]) == []


async def test_integers_and_fractional_numbers_keep_their_types(db):
    await db.create(C, doc("a", i=3, f=3.25, big=2**53, neg=-0.5, nested={"x": [1, 2.5]}))
    read = await db.read(C, "p1", "a")
    assert type(read["i"]) is int and type(read["f"]) is float
    assert read["big"] == 2**53 and type(read["big"]) is int and read["neg"] == -0.5
    assert read["nested"] == {"x": [1, 2.5]} and type(read["nested"]["x"][1]) is float
    [found] = (await db.query(C, Query(where=[Where("i", "=", 3)]), pk="p1")).items
    assert type(found["i"]) is int and type(found["f"]) is float


async def test_on_sqlite_a_whole_float_and_a_huge_integer_come_back_exactly(tmp_path):
    # Cosmos keeps numbers as doubles and the stand-in is JavaScript (3.0 comes back as 3), so only SQLite
    # promises this; docs/documents-port.md tells domain code not to rely on it.
    from shared.adapters.documents_sqlite import SqliteDocuments

    store = SqliteDocuments(tmp_path / "d.sqlite3")
    try:
        await store.create(C, doc("a", f=3.0, big=2**63 + 1))
        read = await store.read(C, "p1", "a")
        assert type(read["f"]) is float and read["big"] == 2**63 + 1
    finally:
        await store.close()


async def test_read_many_returns_the_found_documents_in_the_order_asked(db):
    for i, pk in [("a", "p1"), ("b", "p2"), ("c", "p1")]:
        await db.create(C, doc(i, pk=pk))
    got = await db.read_many(C, [("p1", "c"), ("p9", "x"), ("p2", "b"), ("p1", "a"), ("p2", "a")])
    assert [(d["pk"], d["id"]) for d in got] == [("p1", "c"), ("p2", "b"), ("p1", "a")]
    assert await db.read_many(C, []) == []


# -- upsert, replace, delete with if_match ------------------------------------------------------------------


async def test_upsert_creates_then_overwrites_with_a_new_etag(db):
    first = await db.upsert(C, doc("a", v=1))
    second = await db.upsert(C, doc("a", v=2))
    assert second["_etag"] != first["_etag"]
    read = await db.read(C, "p1", "a")
    assert plain(read) == {"id": "a", "pk": "p1", "v": 2}
    assert read["_etag"] == second["_etag"]


async def test_upsert_with_if_match_succeeds_on_the_current_etag_and_fails_on_a_stale_one(db):
    first = await db.create(C, doc("a", v=1))
    second = await db.upsert(C, doc("a", v=2), if_match=first["_etag"])
    with pytest.raises(PreconditionFailed):
        await db.upsert(C, doc("a", v=3), if_match=first["_etag"])
    assert (await db.read(C, "p1", "a"))["_etag"] == second["_etag"]


async def test_upsert_with_if_match_on_a_missing_document_is_a_failed_precondition(db):
    with pytest.raises(PreconditionFailed):
        await db.upsert(C, doc("ghost", v=1), if_match="some-etag")
    with pytest.raises(NotFound):
        await db.read(C, "p1", "ghost")


async def test_replace_needs_the_document_and_honours_if_match(db):
    with pytest.raises(NotFound):
        await db.replace(C, doc("a", v=1))
    first = await db.create(C, doc("a", v=1, gone="yes"))
    second = await db.replace(C, doc("a", v=2), if_match=first["_etag"])
    assert plain(second) == {"id": "a", "pk": "p1", "v": 2}
    with pytest.raises(PreconditionFailed):
        await db.replace(C, doc("a", v=3), if_match=first["_etag"])
    third = await db.replace(C, {**second, "v": 4})  # a read document can be sent back as it is
    assert third["v"] == 4 and third["_etag"] != second["_etag"]
    with pytest.raises(NotFound):
        await db.replace(C, doc("a", pk="p2", v=5), if_match=third["_etag"])


async def test_delete_needs_the_document_and_honours_if_match(db):
    with pytest.raises(NotFound):
        await db.delete(C, "p1", "a")
    first = await db.create(C, doc("a"))
    second = await db.upsert(C, doc("a", v=2))
    with pytest.raises(PreconditionFailed):
        await db.delete(C, "p1", "a", if_match=first["_etag"])
    await db.delete(C, "p1", "a", if_match=second["_etag"])
    with pytest.raises(NotFound):
        await db.read(C, "p1", "a")
    with pytest.raises(NotFound):
        await db.delete(C, "p1", "a")


# -- patch -------------------------------------------------------------------------------------------------


async def test_patch_sets_increments_adds_appends_and_removes_in_one_step(db):
    before = await db.create(C, doc("a", title="t", votes=1, score=1.5, tags=["x"], meta={"k": 1, "old": True}))
    after = await db.patch(C, "p1", "a", [
        Patch("set", "/title", "new"),
        Patch("incr", "/votes", 2),
        Patch("incr", "/score", 1),
        Patch("add", "/tags/-", "y"),
        Patch("add", "/tags/0", "first"),
        Patch("set", "/meta/k", 2),
        Patch("remove", "/meta/old"),
        Patch("set", "/fresh", {"deep": [1]}),
        Patch("incr", "/views", 5),
    ])
    assert plain(after) == {"id": "a", "pk": "p1", "title": "new", "votes": 3, "score": 2.5,
                            "tags": ["first", "x", "y"], "meta": {"k": 2}, "fresh": {"deep": [1]}, "views": 5}
    assert type(after["votes"]) is int and type(after["score"]) is float
    assert after["_etag"] != before["_etag"]
    assert await db.read(C, "p1", "a") == after


async def test_patch_replaces_and_removes_array_elements_by_index(db):
    await db.create(C, doc("a", tags=["x", "y", "z"], counts=[1, 2]))
    after = await db.patch(C, "p1", "a", [Patch("set", "/tags/1", "Y"), Patch("remove", "/tags/0"),
                                          Patch("incr", "/counts/1", 10)])
    assert after["tags"] == ["Y", "z"] and after["counts"] == [1, 12]


async def test_patching_a_missing_document_is_not_found(db):
    with pytest.raises(NotFound):
        await db.patch(C, "p1", "ghost", [Patch("set", "/a", 1)])


async def test_an_invalid_patch_is_a_bad_request_and_changes_nothing(db):
    created = await db.create(C, doc("a", n=1, s="text"))
    for ops in (
        [Patch("set", "/n", 2), Patch("remove", "/missing")],
        [Patch("set", "/n", 2), Patch("set", "/no/parent", 1)],
        [Patch("incr", "/s", 1)],
        [Patch("set", "/pk", "p2")],
        [],
        [Patch("set", f"/f{i}", i) for i in range(11)],
    ):
        with pytest.raises(BadRequest):
            await db.patch(C, "p1", "a", ops)
    assert await db.read(C, "p1", "a") == created


async def test_patch_honours_if_match(db):
    first = await db.create(C, doc("a", n=1))
    second = await db.patch(C, "p1", "a", [Patch("incr", "/n", 1)], if_match=first["_etag"])
    with pytest.raises(PreconditionFailed):
        await db.patch(C, "p1", "a", [Patch("incr", "/n", 1)], if_match=first["_etag"])
    assert (await db.read(C, "p1", "a")) == second and second["n"] == 2


async def test_patch_applies_only_when_the_condition_holds(db):
    await db.create(C, doc("a", status="open", seats=2, tags=["x"]))
    full = [Where("status", "=", "open"), Where("seats", ">", 0)]
    await db.patch(C, "p1", "a", [Patch("incr", "/seats", -1)], condition=full)
    await db.patch(C, "p1", "a", [Patch("incr", "/seats", -1)], condition=full)
    with pytest.raises(PreconditionFailed):
        await db.patch(C, "p1", "a", [Patch("incr", "/seats", -1)], condition=full)
    with pytest.raises(PreconditionFailed):
        await db.patch(C, "p1", "a", [Patch("set", "/x", 1)], condition=[Where("tags", "array_contains", "nope")])
    after = await db.patch(C, "p1", "a", [Patch("set", "/x", 1)], condition=[Where("tags", "array_contains", "x")])
    assert after["seats"] == 0 and after["x"] == 1


async def test_fifty_concurrent_increments_all_count(db):
    await db.create(C, doc("counter", n=0))
    await asyncio.gather(*(db.patch(C, "p1", "counter", [Patch("incr", "/n", 1)]) for _ in range(50)))
    assert (await db.read(C, "p1", "counter"))["n"] == 50


async def test_fifty_concurrent_creates_of_one_id_give_one_success_and_forty_nine_conflicts(db):
    results = await asyncio.gather(*(db.create(C, doc("once", n=i)) for i in range(50)), return_exceptions=True)
    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, dict))
    assert await db.read(C, "p1", "once") == winners[0]


async def test_concurrent_conditional_patches_never_oversell(db):
    await db.create(C, doc("stock", left=10))
    ops, cond = [Patch("incr", "/left", -1)], [Where("left", ">", 0)]
    results = await asyncio.gather(*(db.patch(C, "p1", "stock", ops, condition=cond) for _ in range(25)),
                                   return_exceptions=True)
    assert sum(isinstance(r, dict) for r in results) == 10
    assert all(isinstance(r, PreconditionFailed) for r in results if not isinstance(r, dict))
    assert (await db.read(C, "p1", "stock"))["left"] == 0


# -- query -------------------------------------------------------------------------------------------------

SAMPLE = [
    doc("a", kind="post", n=1, title="Apple pie", tags=["food", "sweet"], meta={"lang": "en", "ok": True}),
    doc("b", kind="post", n=2, title="apple tart", tags=["food"], meta={"lang": "fr", "ok": False}),
    doc("c", kind="post", n=3.5, title="Banana", tags=[], meta={"lang": "en", "ok": True}, extra=None),
    doc("d", kind="note", n="3", title="Cherry", tags=["sweet", 7]),
    doc("e", kind="note", title="Date", flag=True),
    doc("f", pk="p2", kind="post", n=10, title="Apple juice", tags=["drink"], meta={"lang": "en", "ok": True}),
]


@pytest.fixture
async def sample(db):
    for d in SAMPLE:
        await db.create(C, d)
    await db.create("others", doc("z", kind="post", n=1))
    return db


async def found(db, *where: Where, pk="p1") -> set[str]:
    return set(await ids(db, Query(where=list(where)), pk=pk))


async def test_equality_matches_only_values_of_the_same_type(sample):
    assert await found(sample, Where("kind", "=", "post")) == {"a", "b", "c"}
    assert await found(sample, Where("n", "=", 3.5)) == {"c"}
    assert await found(sample, Where("n", "=", 1)) == {"a"}
    assert await found(sample, Where("n", "=", "3")) == {"d"}
    assert await found(sample, Where("flag", "=", True)) == {"e"}
    assert await found(sample, Where("n", "=", True)) == set()
    assert await found(sample, Where("extra", "=", None)) == {"c"}


async def test_dotted_paths_reach_into_nested_objects(sample):
    assert await found(sample, Where("meta.lang", "=", "en")) == {"a", "c"}
    assert await found(sample, Where("meta.ok", "=", False)) == {"b"}
    assert await found(sample, Where("meta.lang", "=", "en"), pk=None) == {"a", "c", "f"}


async def test_not_equal_matches_other_values_of_the_same_type_only(sample):
    assert await found(sample, Where("kind", "!=", "post")) == {"d", "e"}
    assert await found(sample, Where("n", "!=", 1)) == {"b", "c"}  # "3" is a string, e has no n


async def test_range_filters_skip_missing_fields_and_other_types(sample):
    assert await found(sample, Where("n", ">", 1)) == {"b", "c"}
    assert await found(sample, Where("n", ">=", 1), Where("n", "<", 3.5)) == {"a", "b"}
    assert await found(sample, Where("n", "<=", 3.5)) == {"a", "b", "c"}
    assert await found(sample, Where("title", ">=", "B"), Where("title", "<", "D")) == {"c", "d"}
    assert await found(sample, Where("n", ">", "0")) == {"d"}


async def test_in_matches_any_listed_value_of_the_same_type(sample):
    assert await found(sample, Where("id", "in", ["a", "c", "zz"])) == {"a", "c"}
    assert await found(sample, Where("n", "in", [2, "3", 99])) == {"b", "d"}
    assert await found(sample, Where("n", "in", [])) == set()


async def test_array_contains_matches_an_element(sample):
    assert await found(sample, Where("tags", "array_contains", "sweet")) == {"a", "d"}
    assert await found(sample, Where("tags", "array_contains", 7)) == {"d"}
    assert await found(sample, Where("tags", "array_contains", "7")) == set()
    assert await found(sample, Where("title", "array_contains", "Banana")) == set()


async def test_starts_with_is_case_sensitive_and_needs_a_string(sample):
    assert await found(sample, Where("title", "starts_with", "Apple")) == {"a"}
    assert await found(sample, Where("title", "starts_with", "apple")) == {"b"}
    assert await found(sample, Where("title", "starts_with", "Apple"), pk=None) == {"a", "f"}
    assert await found(sample, Where("n", "starts_with", "3")) == {"d"}


async def test_defined_counts_null_as_defined(sample):
    assert await found(sample, Where("extra", "defined")) == {"c"}
    assert await found(sample, Where("n", "undefined")) == {"e"}
    assert await found(sample, Where("meta.lang", "undefined")) == {"d", "e"}


async def test_conditions_combine_with_and(sample):
    assert await found(sample, Where("kind", "=", "post"), Where("tags", "array_contains", "food"),
                       Where("meta.lang", "=", "en")) == {"a"}


async def test_a_partition_query_sees_only_its_partition_and_a_cross_partition_one_sees_all(sample):
    assert set(await ids(sample, pk="p1")) == {"a", "b", "c", "d", "e"}
    assert set(await ids(sample, pk="p2")) == {"f"}
    assert set(await ids(sample, pk="p3")) == set()
    assert set(await ids(sample)) == {"a", "b", "c", "d", "e", "f"}
    assert [d["pk"] for d in (await sample.query(C, pk="p2")).items] == ["p2"]


async def test_query_results_carry_etag_and_timestamp_and_no_other_system_field(sample):
    page = await sample.query(C, Query(where=[Where("id", "=", "a")]), pk="p1")
    [item] = page.items
    assert item == await sample.read(C, "p1", "a")
    assert page.continuation is None


async def test_order_by_one_field_ascending_and_descending(sample):
    by_title = Query(where=[Where("title", "defined")], order_by=[("title", "asc")])
    assert await ids(sample, by_title, pk="p1") == ["a", "c", "d", "e", "b"]  # binary string order
    by_n = Query(where=[Where("n", ">=", 0)], order_by=[("n", "desc")])
    assert await ids(sample, by_n) == ["f", "c", "b", "a"]


async def test_order_by_two_fields_with_mixed_directions(db):
    rows = [("a", "x", 3), ("b", "y", 1), ("c", "x", 1), ("d", "y", 2), ("e", "x", 2)]
    for id, group, rank in rows:
        await db.create(C, doc(id, group=group, rank=rank))
    query = Query(order_by=[("group", "asc"), ("rank", "desc")])
    assert await ids(db, query, pk="p1") == ["a", "e", "c", "d", "b"]
    assert await ids(db, query, pk="p1", limit=2) == ["a", "e", "c", "d", "b"]


async def test_count_with_and_without_a_partition_and_filters(sample):
    assert await sample.count(C) == 6
    assert await sample.count(C, pk="p1") == 5
    assert await sample.count(C, [Where("kind", "=", "post")]) == 4
    assert await sample.count(C, [Where("kind", "=", "post")], pk="p2") == 1
    assert await sample.count(C, [Where("tags", "array_contains", "food")], pk="p1") == 2
    assert await sample.count("never-used") == 0


# -- pagination ----------------------------------------------------------------------------------------------


@pytest.fixture
async def many(db):
    for i in range(23):
        await db.create(C, doc(f"d{i:02}", pk=f"p{i % 3}", n=i % 5, odd=i % 2 == 1, label=f"L{(i * 7) % 23:02}"))
    return db


async def test_pages_cover_a_partition_exactly_once(many):
    pages = await all_pages(many, pk="p0", limit=3)
    got = [d["id"] for page in pages for d in page]
    assert sorted(got) == [f"d{i:02}" for i in range(0, 23, 3)]
    assert len(got) == len(set(got))
    assert all(len(page) == 3 for page in pages[:-2])


async def test_cross_partition_pages_cover_everything_exactly_once(many):
    got = await ids(many, limit=4)
    assert sorted(got) == [f"d{i:02}" for i in range(23)]


async def test_pages_keep_filter_and_order_across_continuations(many):
    query = Query(where=[Where("odd", "=", True)], order_by=[("label", "desc")])
    expected = await ids(many, query, limit=100)
    assert len(expected) == 11
    labels = [(await many.read(C, f"p{int(i[1:]) % 3}", i))["label"] for i in expected]
    assert labels == sorted(labels, reverse=True)
    for limit in (1, 2, 5):
        assert await ids(many, query, limit=limit) == expected


async def test_pages_ordered_by_a_field_with_ties_never_skip_or_repeat(many):
    query = Query(order_by=[("n", "asc")])
    for limit in (1, 3, 7):
        got = [d for page in await all_pages(many, query, limit=limit) for d in page]
        assert sorted(d["id"] for d in got) == [f"d{i:02}" for i in range(23)]
        assert [d["n"] for d in got] == sorted(d["n"] for d in got)


async def test_a_page_that_holds_everything_has_no_continuation(many):
    page = await many.query(C, pk="p1", limit=50)
    assert len(page.items) == 8 and page.continuation is None


async def test_a_garbage_or_foreign_continuation_is_a_bad_request(many):
    first = await many.query(C, Query(order_by=[("n", "asc")]), limit=2)
    assert first.continuation
    with pytest.raises(BadRequest):
        await many.query(C, Query(order_by=[("n", "asc")]), limit=2, continuation="not a token!")
    with pytest.raises(BadRequest):
        await many.query(C, Query(order_by=[("n", "desc")]), limit=2, continuation=first.continuation)
    with pytest.raises(BadRequest):
        await many.query(C, Query(order_by=[("n", "asc")]), pk="p1", limit=2, continuation=first.continuation)


# -- batch ---------------------------------------------------------------------------------------------------


async def test_a_batch_applies_every_kind_of_operation_in_one_partition(db):
    old = await db.create(C, doc("old", v=1))
    await db.create(C, doc("gone"))
    await db.create(C, doc("kept", v=1))
    results = await db.batch(C, "p1", [
        BatchOp("create", doc("new", v=1)),
        BatchOp("upsert", doc("kept", v=2)),
        BatchOp("replace", doc("old", v=2), if_match=old["_etag"]),
        BatchOp("delete", id="gone"),
        BatchOp("read", id="kept"),
    ])
    assert plain(results[0]) == doc("new", v=1) and results[0]["_etag"]
    assert plain(results[1]) == doc("kept", v=2)
    assert plain(results[2]) == doc("old", v=2)
    assert results[3] is None
    assert plain(results[4]) == doc("kept", v=2)
    assert await db.read(C, "p1", "new") == results[0]
    with pytest.raises(NotFound):
        await db.read(C, "p1", "gone")
    assert (await db.read(C, "p1", "old"))["v"] == 2


@pytest.mark.parametrize(("failing", "error"), [
    (BatchOp("create", doc("exists")), Conflict),
    (BatchOp("replace", doc("missing")), NotFound),
    (BatchOp("delete", id="missing"), NotFound),
    (BatchOp("read", id="missing"), NotFound),
    (BatchOp("replace", doc("exists", v=9), if_match="stale-etag"), PreconditionFailed),
    (BatchOp("delete", id="exists", if_match="stale-etag"), PreconditionFailed),
])
async def test_a_failing_batch_raises_the_operation_error_and_writes_nothing(db, failing, error):
    before = await db.create(C, doc("exists", v=1))
    with pytest.raises(error):
        await db.batch(C, "p1", [
            BatchOp("create", doc("n1")),
            BatchOp("upsert", doc("exists", v=2)),
            failing,
            BatchOp("create", doc("n2")),
        ])
    assert await db.read(C, "p1", "exists") == before
    assert await db.count(C, pk="p1") == 1


async def test_a_batch_is_limited_to_one_hundred_operations_in_its_own_partition(db):
    results = await db.batch(C, "p1", [BatchOp("create", doc(f"d{i}")) for i in range(100)])
    assert len(results) == 100 and await db.count(C, pk="p1") == 100
    with pytest.raises(BadRequest):
        await db.batch(C, "p2", [BatchOp("create", doc(f"d{i}", pk="p2")) for i in range(101)])
    with pytest.raises(BadRequest):
        await db.batch(C, "p2", [BatchOp("create", doc("x", pk="p3"))])
    with pytest.raises(BadRequest):
        await db.batch(C, "p2", [])
    assert await db.count(C, pk="p2") == 0


# -- lifetime ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", DOCUMENT_BACKENDS)
def test_one_store_keeps_working_across_event_loops(backend, request, tmp_path):
    # The app builds a store once per worker (shared.wiring); tests and hosts may run it on several loops.
    store = make_store(backend, request, tmp_path)

    async def write_and_read(n):
        await store.upsert(C, doc("a", n=n))
        return (await store.read(C, "p1", "a"))["n"]

    async def second_loop():
        try:
            return await write_and_read(2)
        finally:
            await dispose(store)

    assert asyncio.run(write_and_read(1)) == 1
    assert asyncio.run(second_loop()) == 2


def test_the_wiring_builds_sqlite_on_the_embedded_stack_and_cosmos_on_the_azure_stack(monkeypatch, tmp_path):
    from shared import wiring
    from shared.adapters.documents_cosmos import CosmosDocuments
    from shared.adapters.documents_sqlite import SqliteDocuments

    monkeypatch.setenv("LOCAL_SETTINGS_FILE", str(tmp_path / "absent.json"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    try:
        monkeypatch.setenv("APP_STACK", "embedded")
        wiring.reset()
        store = wiring.documents()
        assert isinstance(store, SqliteDocuments) and store.path == tmp_path / "documents.sqlite3"

        monkeypatch.setenv("APP_STACK", "azure")
        monkeypatch.setenv("COSMOS_ENDPOINT", "https://example.documents.azure.com:443/")
        monkeypatch.setenv("COSMOS_KEY", "")
        wiring.reset()
        cloud = wiring.documents()
        assert isinstance(cloud, CosmosDocuments) and not cloud.manages_resources  # managed identity

        monkeypatch.setenv("COSMOS_KEY", EMULATOR_KEY)
        wiring.reset()
        assert wiring.documents().manages_resources
    finally:
        wiring.reset()
