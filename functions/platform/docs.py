from pathlib import Path

import azure.functions as func

from functions import blueprints
from functions.platform import bp
from shared.http.endpoint import Call, endpoint
from shared.http.openapi import cached_openapi_json

DOCS_PAGE = Path(__file__).with_name("docs.html")


@bp.route(route="openapi.json", methods=["GET"])
@endpoint(summary="The OpenAPI document of this API", auth="none", raw=True, response=dict)
async def get_openapi(call: Call) -> func.HttpResponse:
    return func.HttpResponse(cached_openapi_json(tuple(blueprints())), mimetype="application/json",
                             headers={"Cache-Control": "public, max-age=300"})


@bp.route(route="docs", methods=["GET"])
@endpoint(summary="A browsable page of the OpenAPI document", auth="none", raw=True, response=str,
          media_type="text/html")
async def get_docs(call: Call) -> func.HttpResponse:
    return func.HttpResponse(DOCS_PAGE.read_text(), mimetype="text/html",
                             headers={"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                                                                 "style-src 'unsafe-inline'"})
