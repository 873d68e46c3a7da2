"""Azure Functions route templates (ASP.NET Core syntax) compiled to regexes, in the host's precedence order.

Supported: literal segments, `{name}`, `{name:constraint}` (int, long, bool, guid, alpha, float, double, decimal,
datetime, min(n), max(n), range(a,b), length(n[,m]), minlength(n), maxlength(n), regex(...)), optional `{name?}`,
defaults `{name=value}`, and catch-alls `{*name}` / `{**name}`. Matching is case-insensitive, like the host.
Precedence (the host's, not registration order): literal segments beat parameters, constrained parameters beat
unconstrained ones, optional ones come after, catch-alls come last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_PARAM = re.compile(r"\{(?P<body>[^{}]+(?:\([^)]*\))?[^{}]*)\}")
_TYPE_PATTERNS = {
    "int": r"-?\d+", "long": r"-?\d+", "bool": r"(?:true|false)", "alpha": r"[A-Za-z]+",
    "guid": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
    "float": r"-?\d+(?:\.\d+)?", "double": r"-?\d+(?:\.\d+)?", "decimal": r"-?\d+(?:\.\d+)?",
    "datetime": r"[0-9T:\-\.Z+]+",
}
LITERAL, CONSTRAINED, PLAIN, OPTIONAL, CATCH_ALL = range(5)


@dataclass
class Param:
    name: str
    constraints: list[str] = field(default_factory=list)
    optional: bool = False
    default: str | None = None
    catch_all: bool = False

    def check(self, value: str) -> bool:
        """The checks a regex cannot express: numeric ranges and lengths."""
        for constraint in self.constraints:
            name, _, arg = constraint.partition("(")
            args = [a.strip() for a in arg[:-1].split(",")] if arg and name != "regex" else []
            try:
                if name == "min" and int(value) < int(args[0]):
                    return False
                if name == "max" and int(value) > int(args[0]):
                    return False
                if name == "range" and not int(args[0]) <= int(value) <= int(args[1]):
                    return False
            except ValueError:
                return False
            if name == "length" and len(args) == 1 and len(value) != int(args[0]):
                return False
            if name == "length" and len(args) == 2 and not int(args[0]) <= len(value) <= int(args[1]):
                return False
            if name == "regex" and not re.search(arg[:-1], value):
                return False
            if name == "minlength" and len(value) < int(args[0]):
                return False
            if name == "maxlength" and len(value) > int(args[0]):
                return False
        return True


def _parse_param(body: str) -> Param:
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    default = None
    if "=" in body and "(" not in body.split("=", 1)[0]:
        body, default = body.split("=", 1)
    optional = body.endswith("?")
    body = body.rstrip("?")
    name, *constraints = _split_constraints(body)
    return Param(name=name, constraints=constraints, optional=optional or default is not None or catch_all,
                 default=default, catch_all=catch_all)


def _split_constraints(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in body:
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    parts.append(current)
    return parts


def _constraint_pattern(param: Param) -> str:
    for constraint in param.constraints:
        name = constraint.partition("(")[0]
        if name in _TYPE_PATTERNS:
            return _TYPE_PATTERNS[name]
        if name in ("min", "max", "range"):
            return r"-?\d+"
    return r"[^/]+"


@dataclass
class CompiledRoute:
    template: str
    regex: re.Pattern[str]
    params: dict[str, Param]
    rank: tuple[int, ...]
    target: Any = None
    methods: frozenset[str] | None = None  # None: every method

    def match(self, path: str, method: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        values: dict[str, str] = {}
        for name, param in self.params.items():
            value = found.group(name)
            if value is None or value == "":
                if param.default is not None:
                    values[name] = param.default
                continue
            if not param.check(value):
                return None
            values[name] = value
        return values

    def allows(self, method: str) -> bool:
        return self.methods is None or method.upper() in self.methods


def compile_route(template: str, prefix: str = "api") -> CompiledRoute:
    template = template.strip("/")
    full = "/".join(part for part in (prefix.strip("/"), template) if part)
    pattern, params, rank = "", {}, []
    for index, segment in enumerate(full.split("/") if full else []):
        pieces = _PARAM.split(segment)
        # re.split with one named group alternates literal, param body, literal, ...
        seg_regex, seg_rank, only_optional_param = "", LITERAL, False
        for i, piece in enumerate(pieces):
            if i % 2 == 0:
                seg_regex += re.escape(piece)
                continue
            param = _parse_param(piece)
            params[param.name] = param
            if param.catch_all:
                seg_regex += f"(?P<{param.name}>.*)"
                seg_rank = CATCH_ALL
            else:
                seg_regex += f"(?P<{param.name}>{_constraint_pattern(param)})"
                kind = OPTIONAL if param.optional else (CONSTRAINED if param.constraints else PLAIN)
                seg_rank = max(seg_rank, kind)
            only_optional_param = param.optional and len(pieces) == 3 and pieces[0] == "" and pieces[2] == ""
        separator = "/" if index else ""
        if only_optional_param:
            pattern += f"(?:{separator}{seg_regex})?"
        else:
            pattern += separator + seg_regex
        rank.append(seg_rank)
    return CompiledRoute(template=template, regex=re.compile(pattern, re.IGNORECASE), params=params,
                         rank=tuple(rank))


def precedence_key(route: CompiledRoute) -> tuple:
    # Segment by segment the lower rank wins. A route that ends where another goes on sorts first: it can only
    # match the shorter path, so it never hides the longer route.
    return (*route.rank, -1)


class Router:
    def __init__(self, routes: list[CompiledRoute]):
        self.routes = sorted(routes, key=precedence_key)

    def resolve(self, path: str, method: str) -> tuple[CompiledRoute, dict[str, str]] | None:
        path = path.strip("/")
        for route in self.routes:
            if not route.allows(method):
                continue
            values = route.match(path, method)
            if values is not None:
                return route, values
        return None
