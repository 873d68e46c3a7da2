import azure.functions as func

bp = func.Blueprint()

from functions.messages import attachments, members, messages, rooms, timers  # noqa: E402, F401  (their decorators register on bp)
