"""The OData filter language of Azure Web PubSub: parsed by hand, type-checked, evaluated against a connection.

The service takes a `filter` on send to all / group / user and on `:addToGroups` / `:removeFromGroups`; the
message or the membership change applies to the connections for which the filter is true. A connection exposes
three identifiers (their names are case-insensitive): `userId` and `connectionId` (strings; `userId` is null for
an anonymous connection) and `groups` (the collection of groups the connection is in right now).

Grammar, lowest precedence first. Operators and function names are lower case; `not` binds tighter than the
comparisons, so `not length(userId) gt 5` is a type error and needs `not (length(userId) gt 5)`, as on Azure.

    filter      := or_expr END
    or_expr     := and_expr ( 'or' and_expr )*
    and_expr    := test ( 'and' test )*
    test        := unary [ COMPARE unary | 'in' in_target ]       COMPARE: eq ne lt le gt ge
    in_target   := '(' or_expr ( ',' or_expr )* ')'                a list of values, or one collection
                 | unary                                           normally `groups`
    unary       := 'not' unary | primary
    primary     := STRING | INTEGER | 'true' | 'false' | 'null'
                 | IDENTIFIER                                      userId, connectionId, groups
                 | FUNCTION '(' [ or_expr ( ',' or_expr )* ] ')'
                 | '(' or_expr ')'
    STRING      := "'" ( any character but "'" | "''" )* "'"      '' stands for one quote
    INTEGER     := [ '+' | '-' ] digit+                            32-bit

Functions: tolower, toupper, trim, concat, substring(s, start[, length]) give strings; length (of a string or
of groups) and indexof give integers; startswith, endswith, contains give booleans.

Types are checked before anything is evaluated, so a filter that could never be evaluated is refused even when
no connection would reach the operator in question. Ordering (lt le gt ge) compares integers only, and eq / ne /
in need both sides of one type (or null): the strict side of what Microsoft documents. Null in: a comparison with
null is false except `eq null` / `ne null`; string functions of null are null; predicates of null are false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

MAX_DEPTH = 100  # nesting of parentheses, `not` and calls: deeper filters are refused, never a stack overflow
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

Type = Literal["string", "int", "bool", "null", "collection"]
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null", *COMPARISONS})
IDENTIFIERS: dict[str, Type] = {"userid": "string", "connectionid": "string", "groups": "collection"}


class FilterError(ValueError):
    """The filter is malformed or ill-typed; the message says where and why (the REST layer answers 400)."""


class Subject(Protocol):
    """What a filter sees of a connection (the hub's Connection is one)."""

    id: str
    user_id: str | None
    groups: Collection[str]


# ---- tokens -----------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<int>[+-]?\d+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: Literal["string", "int", "word", "punct", "end"]
    text: str
    at: int  # character offset, for error messages


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    at = 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            if text[at] == "'":
                raise FilterError(f"Invalid filter: the string that starts at position {at} is not closed.")
            raise FilterError(f"Invalid filter: unexpected character {text[at]!r} at position {at}.")
        kind = match.lastgroup
        if kind != "space":
            tokens.append(Token(kind, match.group(), at))  # type: ignore[arg-type]
        at = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# ---- the tree: every node knows its static type and evaluates against a subject ---------------------------


@dataclass(frozen=True)
class Node:
    type: Type
    run: Callable[[Subject], Any]
    text: str  # how the node reads in the filter, for error messages


def _constant(value: Any, type_: Type, text: str) -> Node:
    return Node(type_, lambda _: value, text)


def _identifier(name: str, text: str) -> Node:
    if name == "userid":
        return Node("string", lambda s: s.user_id, text)
    if name == "connectionid":
        return Node("string", lambda s: s.id, text)
    return Node("collection", lambda s: s.groups, text)


def _need(node: Node, *types: Type) -> None:
    if node.type not in types and not (node.type == "null" and "string" in types):
        raise FilterError(f"Invalid syntax for '{node.text}': type '{node.type}', expected '{'/'.join(types)}'.")


def _comparable(left: Node, right: Node, op: str) -> None:
    for side in (left, right):
        if side.type == "collection":
            raise FilterError(f"Invalid syntax for '{side.text}': a collection can only follow 'in' or be "
                              "measured with length().")
    if "null" not in (left.type, right.type) and left.type != right.type:
        raise FilterError(f"Invalid syntax for '{left.text} {op} {right.text}': cannot compare '{left.type}' "
                          f"with '{right.type}'.")


def _compare(op: str, left: Node, right: Node) -> Node:
    _comparable(left, right, op)
    text = f"{left.text} {op} {right.text}"
    if op in ("eq", "ne"):
        same = op == "eq"
        return Node("bool", lambda s: (left.run(s) == right.run(s)) == same, text)
    for side in (left, right):
        if side.type not in ("int", "null"):
            raise FilterError(f"Invalid syntax for '{text}': '{op}' orders integers only (for example "
                              "length(userId)).")
    order: Callable[[int, int], bool] = {
        "lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    }[op]

    def run(s: Subject) -> bool:
        a, b = left.run(s), right.run(s)
        return a is not None and b is not None and order(a, b)

    return Node("bool", run, text)


def _member_of(item: Node, values: Sequence[Node] | Node, text: str) -> Node:
    if isinstance(values, Node):  # a collection
        _need(item, "string")
        return Node("bool", lambda s: item.run(s) in values.run(s), text)
    for value in values:
        _comparable(item, value, "in")
    return Node("bool", lambda s: any(item.run(s) == v.run(s) for v in values), text)


def _all(parts: list[Node], text: str) -> Node:
    for part in parts:
        _need(part, "bool")
    # Every part is evaluated (no short cut) so that evaluation costs the same whichever way it comes out.
    return Node("bool", lambda s: all([p.run(s) for p in parts]), text)


def _any(parts: list[Node], text: str) -> Node:
    for part in parts:
        _need(part, "bool")
    return Node("bool", lambda s: any([p.run(s) for p in parts]), text)


def _not(operand: Node, text: str) -> Node:
    _need(operand, "bool")
    return Node("bool", lambda s: not operand.run(s), text)


# ---- functions --------------------------------------------------------------------------------------------


def _string_function(name: str, args: list[Node], text: str) -> Node:
    transforms: dict[str, Callable[[str], str]] = {"tolower": str.lower, "toupper": str.upper, "trim": str.strip}
    if name in transforms:
        _arity(name, args, 1, text)
        _need(args[0], "string")
        transform, (arg,) = transforms[name], args

        def run(s: Subject) -> str | None:
            value = arg.run(s)
            return None if value is None else transform(value)

        return Node("string", run, text)
    if name == "concat":
        _arity(name, args, 2, text)
        for arg in args:
            _need(arg, "string")
        first, second = args

        def joined(s: Subject) -> str | None:
            a, b = first.run(s), second.run(s)
            return None if a is None and b is None else (a or "") + (b or "")

        return Node("string", joined, text)
    # substring(s, start[, length]); out of range gives null
    if len(args) not in (2, 3):
        raise FilterError(f"Invalid syntax for '{text}': substring takes 2 or 3 arguments.")
    _need(args[0], "string")
    for arg in args[1:]:
        _need(arg, "int")

    def cut(s: Subject) -> str | None:
        value, start = args[0].run(s), args[1].run(s)
        length = args[2].run(s) if len(args) == 3 else None
        if value is None or start is None or not 0 <= start <= len(value):
            return None
        if length is None:
            return None if len(args) == 3 else value[start:]
        return value[start:start + length] if 0 <= length <= len(value) - start else None

    return Node("string", cut, text)


def _call(name: str, args: list[Node], text: str) -> Node:
    if name in ("tolower", "toupper", "trim", "concat", "substring"):
        return _string_function(name, args, text)
    if name == "length":
        _arity(name, args, 1, text)
        _need(args[0], "string", "collection")
        (arg,) = args

        def length(s: Subject) -> int | None:
            value = arg.run(s)
            return None if value is None else len(value)

        return Node("int", length, text)
    predicates: dict[str, Callable[[str, str], bool]] = {
        "startswith": str.startswith, "endswith": str.endswith, "contains": lambda a, b: b in a}
    if name in predicates or name == "indexof":
        _arity(name, args, 2, text)
        for arg in args:
            _need(arg, "string")
        first, second = args
        if name == "indexof":
            def index(s: Subject) -> int:
                a, b = first.run(s), second.run(s)
                return -1 if a is None or b is None else a.find(b)

            return Node("int", index, text)
        predicate = predicates[name]

        def test(s: Subject) -> bool:
            a, b = first.run(s), second.run(s)
            return a is not None and b is not None and predicate(a, b)

        return Node("bool", test, text)
    raise FilterError(f"Invalid syntax for '{text}': unknown function '{name}'.")


def _arity(name: str, args: list[Node], count: int, text: str) -> None:
    if len(args) != count:
        raise FilterError(f"Invalid syntax for '{text}': {name} takes {count} argument{'s' if count > 1 else ''}.")


FUNCTIONS = frozenset({"tolower", "toupper", "trim", "concat", "substring", "length", "indexof", "startswith",
                       "endswith", "contains"})


# ---- the parser -------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.at = 0
        self.depth = 0

    # helpers

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def at_word(self, *words: str) -> bool:
        return self.token.kind == "word" and self.token.text in words

    def at_punct(self, mark: str) -> bool:
        return self.token.kind == "punct" and self.token.text == mark

    def expect_punct(self, mark: str) -> None:
        if not self.at_punct(mark):
            self.fail(f"expected '{mark}'")
        self.take()

    def fail(self, what: str) -> None:
        token = self.token
        found = "the end of the filter" if token.kind == "end" else f"'{token.text}'"
        raise FilterError(f"Invalid filter: {what} at position {token.at}, found {found}.")

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(f"Invalid filter: nested more than {MAX_DEPTH} levels deep.")

    # rules

    def filter(self) -> Node:
        if self.token.kind == "end":
            raise FilterError("Invalid filter: the filter is empty.")
        node = self.or_expr()
        if self.token.kind != "end":
            self.fail("expected 'and', 'or' or the end of the filter")
        _need(node, "bool")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.at_word("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else _any(parts, " or ".join(p.text for p in parts))

    def and_expr(self) -> Node:
        parts = [self.test()]
        while self.at_word("and"):
            self.take()
            parts.append(self.test())
        return parts[0] if len(parts) == 1 else _all(parts, " and ".join(p.text for p in parts))

    def test(self) -> Node:
        left = self.unary()
        if self.at_word(*COMPARISONS):
            op = self.take().text
            return _compare(op, left, self.unary())
        if self.at_word("in"):
            self.take()
            return self.in_target(left)
        return left

    def in_target(self, item: Node) -> Node:
        if not self.at_punct("("):
            collection = self.unary()
            if collection.type != "collection":
                raise FilterError(f"Invalid syntax for '{item.text} in {collection.text}': 'in' needs a collection "
                                  "or a parenthesised list.")
            return _member_of(item, collection, f"{item.text} in {collection.text}")
        self.deeper()
        self.take()
        values = self.arguments()
        self.depth -= 1
        text = f"{item.text} in ({', '.join(v.text for v in values)})"
        if not values:
            raise FilterError(f"Invalid syntax for '{text}': the list is empty.")
        if len(values) == 1 and values[0].type == "collection":
            return _member_of(item, values[0], text)
        return _member_of(item, values, text)

    def arguments(self) -> list[Node]:
        """Comma-separated expressions up to the closing parenthesis (the opening one is taken)."""
        values: list[Node] = []
        if not self.at_punct(")"):
            values.append(self.or_expr())
            while self.at_punct(","):
                self.take()
                values.append(self.or_expr())
        self.expect_punct(")")
        return values

    def unary(self) -> Node:
        if self.at_word("not"):
            self.take()
            self.deeper()
            operand = self.unary()
            self.depth -= 1
            return _not(operand, f"not {operand.text}")
        return self.primary()

    def primary(self) -> Node:
        token = self.token
        if token.kind == "string":
            self.take()
            return _constant(token.text[1:-1].replace("''", "'"), "string", token.text)
        if token.kind == "int":
            self.take()
            value = int(token.text)
            if not INT_MIN <= value <= INT_MAX:
                raise FilterError(f"Invalid filter: {token.text} at position {token.at} is not a 32-bit integer.")
            return _constant(value, "int", token.text)
        if token.kind == "punct" and token.text == "(":
            self.take()
            self.deeper()
            node = self.or_expr()
            self.depth -= 1
            self.expect_punct(")")
            return Node(node.type, node.run, f"({node.text})")
        if token.kind == "word":
            return self.word()
        self.fail("expected a value, an identifier, a function or '('")
        raise AssertionError("unreachable")  # fail() raises

    def word(self) -> Node:
        token = self.take()
        if token.text in ("true", "false"):
            return _constant(token.text == "true", "bool", token.text)
        if token.text == "null":
            return _constant(None, "null", token.text)
        if token.text in FUNCTIONS and self.at_punct("("):
            self.take()
            self.deeper()
            args = self.arguments()
            self.depth -= 1
            return _call(token.text, args, f"{token.text}({', '.join(a.text for a in args)})")
        if self.at_punct("("):
            raise FilterError(f"Invalid filter: unknown function '{token.text}' at position {token.at}.")
        if token.text.lower() in IDENTIFIERS:
            return _identifier(token.text.lower(), token.text)
        if token.text in KEYWORDS:
            self.at -= 1
            self.fail("expected a value, an identifier, a function or '('")
        raise FilterError(f"Invalid filter: unknown identifier '{token.text}' at position {token.at} (known: userId, "
                          "connectionId, groups).")


@dataclass(frozen=True)
class Filter:
    source: str
    _root: Node

    def matches(self, subject: Subject) -> bool:
        return bool(self._root.run(subject))


def parse(source: str) -> Filter:
    """A checked filter; FilterError when it is malformed or ill-typed."""
    return Filter(source, _Parser(source).filter())
