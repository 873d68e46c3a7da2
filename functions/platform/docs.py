"""The OpenAPI document, and the docs page: Swagger UI (npm swagger-ui-dist, pinned in package.json, vendored in
functions/platform/swagger_ui/ because Azure deploys no node_modules) with a small init script of ours. The page
loads nothing from elsewhere and runs no inline script (see DOCS_CSP)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import azure.functions as func

from functions import blueprints
from functions.platform import bp
from shared.http.endpoint import Call, endpoint
from shared.http.openapi import cached_openapi_json
from shared.lazy import lazy_models

if TYPE_CHECKING:
    from functions.platform import route_models
else:
    route_models = lazy_models("functions.platform.route_models")

HERE = Path(__file__).parent
DOCS_PAGE = HERE / "docs.html"
ASSETS = {  # name -> (file, media type)
    "swagger-ui-bundle.js": (HERE / "swagger_ui" / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (HERE / "swagger_ui" / "swagger-ui.css", "text/css"),
    "docs-init.js": (HERE / "docs-init.js", "text/javascript"),
}
# Swagger UI draws its icons as data: images; "Try it out" calls this origin only.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": DOCS_CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer"}


@bp.route(route="openapi.json", methods=["GET"])
@endpoint(summary="The OpenAPI document of this API", auth="none", raw=True, response=dict)
async def get_openapi(call: Call) -> func.HttpResponse:
    return func.HttpResponse(cached_openapi_json(tuple(blueprints())), mimetype="application/json",
                             headers={"Cache-Control": "public, max-age=300"})


@bp.route(route="docs", methods=["GET"])
@endpoint(summary="The API reference (Swagger UI), with try-it-out against this host", auth="none", raw=True,
          response=str, media_type="text/html")
async def get_docs(call: Call) -> func.HttpResponse:
    return func.HttpResponse(_read(DOCS_PAGE), mimetype="text/html", headers=dict(SECURITY_HEADERS))


@bp.route(route="docs/assets/{name}", methods=["GET"])
@endpoint(summary="A script or style sheet of the docs page", auth="none", raw=True, response=str,
          path=route_models.DocsAssetPath, media_type=("text/javascript", "text/css"))
async def get_docs_asset(call: Call) -> func.HttpResponse:
    path, media_type = ASSETS[call.path.name]
    return func.HttpResponse(_read(path), mimetype=media_type,
                             headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"})


@lru_cache(maxsize=len(ASSETS) + 1)
def _read(path: Path) -> bytes:
    return path.read_bytes()
