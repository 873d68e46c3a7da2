import azure.functions as func

bp = func.Blueprint()

from functions.dm import routes  # noqa: E402, F401  (its decorators register on bp)
