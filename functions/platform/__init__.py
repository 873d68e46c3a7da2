import azure.functions as func

bp = func.Blueprint()

from functions.platform import docs, fallback, health, timers  # noqa: E402,F401  (their decorators register on bp)
