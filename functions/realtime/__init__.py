import azure.functions as func

bp = func.Blueprint()

from functions.realtime import routes  # noqa: E402,F401  (registers the routes on bp)
