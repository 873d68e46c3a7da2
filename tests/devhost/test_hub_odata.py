"""The dev hub's OData filter language on its own: precedence, literals and escaping, null, functions, the errors
a malformed or ill-typed filter gets, and the filters shared.realtime_filters builds from hostile values."""

from dataclasses import dataclass, field

import pytest

from devhost.hub.odata import MAX_DEPTH, FilterError, parse
from shared.realtime_filters import both, connection_filter, either, in_group, literal, negate, user_filter


@dataclass
class Conn:
    id: str
    user_id: str | None
    groups: set[str] = field(default_factory=set)


ALICE = Conn("c-alice", "alice", {"topic_1", "topic_access_1", "post_9"})
BOB = Conn("c-bob", "bob", {"topic_1", "post_9"})
ANONYMOUS = Conn("c-anon", None)
EVERYONE = (ALICE, BOB, ANONYMOUS)


def picked(filter_text: str) -> set[str]:
    """The connection ids the filter is true for."""
    compiled = parse(filter_text)
    return {c.id for c in EVERYONE if compiled.matches(c)}


# ---- what filters pick ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "ids"), [
    ("userId eq 'alice'", {"c-alice"}),
    ("userId ne 'alice'", {"c-bob", "c-anon"}),
    ("connectionId eq 'c-bob'", {"c-bob"}),
    ("'topic_access_1' in groups", {"c-alice"}),
    ("not ('topic_access_1' in groups)", {"c-bob", "c-anon"}),
    ("userId in ('bob', 'carol')", {"c-bob"}),
    ("'post_9' in (groups)", {"c-alice", "c-bob"}),
    ("true", {"c-alice", "c-bob", "c-anon"}),
    ("false", set()),
    ("length(groups) ge 3", {"c-alice"}),
    ("length(groups) eq 0", {"c-anon"}),
])
def test_a_filter_picks_the_connections_it_is_true_for(text, ids):
    assert picked(text) == ids


def test_identifier_names_are_case_insensitive():
    assert picked("USERID eq 'alice' and ConnectionID eq 'c-alice' and 'post_9' in GROUPS") == {"c-alice"}


def test_string_comparisons_are_case_sensitive_unless_a_function_folds_them():
    assert picked("userId eq 'ALICE'") == set()
    assert picked("toupper(userId) eq 'ALICE'") == {"c-alice"}


def test_and_binds_tighter_than_or():
    # a or b and c  ==  a or (b and c), not (a or b) and c
    assert picked("userId eq 'bob' or userId eq 'alice' and 'nowhere' in groups") == {"c-bob"}
    assert picked("(userId eq 'bob' or userId eq 'alice') and 'nowhere' in groups") == set()


def test_not_binds_tighter_than_a_comparison_so_it_needs_parentheses_around_one():
    with pytest.raises(FilterError, match="expected 'bool'"):
        parse("not length(userId) gt 4")
    # The anonymous connection's length(userId) is null, and null is not greater than 4.
    assert picked("not (length(userId) gt 4)") == {"c-bob", "c-anon"}


def test_comparisons_bind_tighter_than_and_and_or():
    text = "length(userId) gt 0 and length(userId) lt 4 or length(userId) gt 4 and length(userId) lt 10"
    spelled_out = ("((length(userId) gt 0) and (length(userId) lt 4))"
                   " or ((length(userId) gt 4) and (length(userId) lt 10))")
    assert picked(text) == picked(spelled_out) == {"c-alice", "c-bob"}


def test_a_quote_inside_a_string_literal_is_written_twice():
    obrien = Conn("c-ob", "o'brien")
    assert parse("userId eq 'o''brien'").matches(obrien)
    assert not parse("userId eq 'o''''brien'").matches(obrien)


def test_null_stands_for_the_user_id_of_an_anonymous_connection():
    assert picked("userId eq null") == {"c-anon"}
    assert picked("userId ne null") == {"c-alice", "c-bob"}


@pytest.mark.parametrize(("text", "ids"), [
    ("startswith(userId, 'al')", {"c-alice"}),
    ("endswith(userId, 'ob')", {"c-bob"}),
    ("contains(connectionId, '-a')", {"c-alice", "c-anon"}),
    ("indexof(userId, 'li') eq 1", {"c-alice"}),
    ("indexof(userId, 'li') eq -1", {"c-bob", "c-anon"}),  # null contains nothing
    ("substring(userId, 1) eq 'lice'", {"c-alice"}),
    ("substring(userId, 0, 2) eq 'bo'", {"c-bob"}),
    ("concat(userId, '!') eq 'bob!'", {"c-bob"}),
    ("trim(concat(' ', userId)) eq 'bob'", {"c-bob"}),
    ("tolower(userId) eq null", {"c-anon"}),
])
def test_the_documented_functions_work_and_treat_null_as_absent(text, ids):
    assert picked(text) == ids


def test_a_long_chain_of_alternatives_is_fine():
    text = " or ".join(f"'group_{i}' in groups" for i in range(5000)) + " or 'post_9' in groups"
    assert picked(text) == {"c-alice", "c-bob"}


# ---- what filters are refused -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "why"), [
    ("", "empty"),
    ("   ", "empty"),
    ("userId eq", "expected a value"),
    ("userId eq 'alice", "not closed"),
    ("(userId eq 'alice'", "expected '\\)'"),
    ("userId eq 'alice')", "expected 'and', 'or'"),
    ("userId eq 'a' eq 'b'", "expected 'and', 'or'"),
    ("userId eq 'a' and", "expected a value"),
    ("userId == 'alice'", "unexpected character '='"),
    ("userName eq 'alice'", "unknown identifier 'userName'"),
    ("lower(userId) eq 'a'", "unknown function 'lower'"),
    ("length(userId, groups) eq 1", "takes 1 argument"),
    ("userId", "expected 'bool'"),
    ("userId eq 1", "cannot compare 'string' with 'int'"),
    ("userId lt 'b'", "orders integers only"),
    ("groups eq 'topic_1'", "collection"),
    ("'topic_1' in userId", "needs a collection"),
    ("userId in ()", "empty"),
    ("1 eq 2147483648", "32-bit"),
    ("'a' in groups or 5", "expected 'bool'"),
])
def test_a_malformed_or_ill_typed_filter_is_refused_with_a_reason(text, why):
    with pytest.raises(FilterError, match=why):
        parse(text)


def test_types_are_checked_even_where_evaluation_would_never_reach():
    with pytest.raises(FilterError, match="cannot compare"):
        parse("true or length(groups) eq 'many'")


def test_nesting_deeper_than_the_limit_is_refused_not_a_crash():
    assert picked("(" * MAX_DEPTH + "true" + ")" * MAX_DEPTH) == {"c-alice", "c-bob", "c-anon"}
    with pytest.raises(FilterError, match="nested"):
        parse("(" * (MAX_DEPTH + 1) + "true" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(FilterError, match="nested"):
        parse("not " * 5000 + "true")


# ---- filters built from values ----------------------------------------------------------------------------


def test_the_helpers_write_the_filters_the_service_documents():
    assert user_filter("alice") == "userId eq 'alice'"
    assert connection_filter("c1") == "connectionId eq 'c1'"
    assert in_group("topic_1") == "'topic_1' in groups"
    assert both(user_filter("a"), in_group("g")) == "(userId eq 'a') and ('g' in groups)"
    assert either(user_filter("a"), user_filter("b")) == "(userId eq 'a') or (userId eq 'b')"
    assert negate(in_group("g")) == "not ('g' in groups)"
    assert both(in_group("g")) == "'g' in groups"


@pytest.mark.parametrize("hostile", ["o'brien", "x' or '1' eq '1", "' or true or '", "''", "'", "a) or (true"])
def test_a_quote_in_a_value_cannot_change_what_the_filter_means(hostile):
    victim, other = Conn("c-v", hostile, {hostile}), Conn("c-o", "someone else", {"g"})
    for built in (user_filter(hostile), in_group(hostile), both(user_filter(hostile), in_group(hostile))):
        compiled = parse(built)
        assert compiled.matches(victim) and not compiled.matches(other), built
    assert literal(hostile) == "'" + hostile.replace("'", "''") + "'"


def test_the_helpers_take_strings_and_at_least_one_filter():
    with pytest.raises(TypeError):
        user_filter(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        both()
