import azure.functions as func

bp = func.Blueprint()

from functions.platform import docs, health, timers  # noqa: E402,F401  (registers the routes and timers on bp)
