import azure.functions as func

bp = func.Blueprint()

from functions.messages import members, messages, rooms  # noqa: E402, F401  (their decorators register on bp)
