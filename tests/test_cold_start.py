"""Loading the app is a cold start's fixed cost: `import function_app` must not load SDKs, the domain code behind
the routes, their pydantic models or the settings class. Each check imports the app in a fresh interpreter."""

import inspect
import json
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("azure.cosmos", "azure.storage", "azure.servicebus", "azure.messaging", "azure.identity", "numpy",
         "sklearn", "skops", "scipy", "pandas", "sendgrid", "redis", "fakeredis", "aiohttp")
# The registries the blueprints register erasers and topic purgers with (by dotted path), and their packages.
DOMAIN_MODULES_LOADED_ON_PURPOSE = {
    "shared.domain", "shared.domain.accounts", "shared.domain.accounts.erasers",
    "shared.domain.communities", "shared.domain.communities.purgers",
    "shared.domain.identity",  # the Principal dataclass the HTTP layer hands to the domain
}
# Loaded when first used: pydantic's model machinery (the first model a request needs), the settings class
# (the first settings read), the ports and the adapters' wiring (the first storage call).
LOADED_ON_FIRST_USE = ("pydantic.main", "pydantic_settings", "shared.settings_model", "shared.ports", "shared.wiring")


@cache
def modules_loaded_by_importing_function_app() -> tuple[str, ...]:
    code = "import json, sys, function_app; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return tuple(json.loads(out.stdout.strip().splitlines()[-1]))


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_importing_function_app_loads_no_azure_sdk_numpy_or_scikit_learn():
    loaded = modules_loaded_by_importing_function_app()
    heavy = [name for name in loaded if any(is_within(name, h) for h in HEAVY)]
    assert heavy == [], f"function_app pulled in: {heavy}"


def test_importing_function_app_loads_no_domain_code_only_the_registries_it_fills():
    loaded = modules_loaded_by_importing_function_app()
    domain = {name for name in loaded if is_within(name, "shared.domain")}
    assert domain - DOMAIN_MODULES_LOADED_ON_PURPOSE == set(), "route modules must name domain modules lazily"
    adapters = [name for name in loaded if is_within(name, "shared.adapters")]
    assert adapters == []


def test_importing_function_app_builds_no_pydantic_model_and_reads_no_settings():
    loaded = modules_loaded_by_importing_function_app()
    early = [name for name in loaded if any(is_within(name, m) for m in LOADED_ON_FIRST_USE)]
    assert early == [], f"loaded before first use: {early}"
    route_models = [name for name in loaded if name.startswith("functions.") and name.endswith("route_models")]
    assert route_models == []


def test_every_model_a_route_names_lazily_exists():
    import function_app
    from devhost.function_index import FunctionIndex

    for fn in FunctionIndex.from_app(function_app.app).http:
        spec = fn.user_function.endpoint_spec
        for role in ("body", "query", "path", "response"):
            model = getattr(spec, role)  # resolves a ModelRef: an ImportError or AttributeError fails here
            assert model is None or isinstance(model, type), f"{fn.name}: {role} is {model!r}"


def test_the_erasers_and_topic_purgers_registered_by_path_are_async_functions():
    import function_app  # noqa: F401  (its blueprints register them)
    from shared.domain.accounts.erasers import registered_erasers
    from shared.domain.communities.purgers import registered_topic_purgers

    erasers, purgers = registered_erasers(), registered_topic_purgers()
    assert {"models", "communities.content", "communities.topics"} <= set(erasers)
    assert "communities.posts" in purgers
    for name, fn in {**erasers, **purgers}.items():
        assert inspect.iscoroutinefunction(fn), f"{name} is not an async function"


def test_the_model_jobs_queue_written_out_in_the_trigger_is_the_one_jobs_are_sent_to():
    from functions.models.queue_worker import QUEUE
    from shared.domain.models import store

    assert QUEUE == store.QUEUE
