import azure.functions as func

bp = func.Blueprint()

from functions.comments import queue, routes  # noqa: E402, F401  (their decorators register on bp)
