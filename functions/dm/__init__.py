import azure.functions as func

bp = func.Blueprint()

from functions.dm import routes, timers  # noqa: E402, F401  (their decorators register on bp)
