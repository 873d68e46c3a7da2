import azure.functions as func

bp = func.Blueprint()

from functions.platform import docs, fallback, health  # noqa: E402,F401  (registers the routes on bp)
