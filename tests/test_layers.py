"""Imports point down (design.md §3 and §5): the domain knows nothing of HTTP, Azure or the dev host; deployed code
never needs the dev host; only the wiring picks adapters. Checked statically, by parsing every module with `ast`,
so an import inside a function, under TYPE_CHECKING or through `lazy_module("...")` counts like any other."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Calls whose first argument names a module that the code imports later, on first use.
LAZY_IMPORTERS = {"lazy_module", "lazy_models", "import_module", "import_target"}

# What the domain must not depend on: the HTTP layer, the route modules, the Functions runtime, any Azure SDK or
# other service client (the adapters wrap them behind shared/ports.py), the adapters themselves and the dev host.
NOT_FROM_THE_DOMAIN = ("shared.http", "shared.adapters", "functions", "function_app", "azure", "redis", "fakeredis",
                       "sendgrid", "aiohttp", "devhost")


def python_files(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        path = ROOT / part
        found.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return found


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, dotted module name) for every import in the source, wherever it stands."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this file's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from shared import http` imports shared.http: name each imported submodule candidate too.
            yield node.lineno, base
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = node.args[0]
            if name in LAZY_IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node.lineno, first.value.partition(":")[0]


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def offences(files: list[Path], forbidden: tuple[str, ...], allowed_in: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        if any(relative == a or relative.startswith(a.rstrip("/") + "/") for a in allowed_in):
            continue
        for line, name in imports_of(path):
            if any(is_within(name, f) for f in forbidden):
                found.append(f"{relative}:{line} -> {name}")
    return sorted(set(found))


def report(what: str, found: list[str]) -> str:
    return what + ":\n  " + "\n  ".join(found)


def test_the_domain_imports_nothing_from_http_routes_azure_adapters_or_the_dev_host():
    found = offences(python_files("shared/domain"), NOT_FROM_THE_DOMAIN)
    assert found == [], report("the domain must not import HTTP, routes, service SDKs, adapters or the dev host", found)


def test_deployed_code_never_imports_the_dev_host():
    found = offences(python_files("shared", "functions", "function_app.py"), ("devhost",))
    assert found == [], report("devhost/ is not deployed (.funcignore), so deployed code cannot import it", found)


def test_only_the_wiring_picks_adapters():
    # Adapters may share helpers among themselves (blob names, queue messages, the dev host's queue store);
    # everything else in the deployed app reaches them through shared.wiring and the ports. The dev host and the
    # tests are not deployed and use the embedded adapters directly.
    found = offences(python_files("shared", "functions", "function_app.py"), ("shared.adapters",),
                     allowed_in=("shared/adapters", "shared/wiring.py"))
    assert found == [], report("only shared/wiring.py may import shared.adapters", found)


def test_the_checker_sees_every_kind_of_import():
    """The test's own parser: a function-local import, a relative import and a lazy name all count."""
    source = "def f():\n    import devhost.app\nfrom .. import http\nm = lazy_module('azure.functions')\n"
    names = [name for _, name in imports_in(source, "shared.domain")]
    assert "devhost.app" in names and "shared.http" in names and "azure.functions" in names
