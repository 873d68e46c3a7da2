"""The Functions entry point: registers the blueprints and nothing else (no I/O, no heavy imports)."""

import azure.functions as func

from functions import blueprints

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for blueprint in blueprints():
    app.register_functions(blueprint)
