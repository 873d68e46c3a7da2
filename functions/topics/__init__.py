import azure.functions as func

bp = func.Blueprint()

from functions.topics import queue, routes, timers  # noqa: E402, F401  (their decorators register on bp)
from shared.domain.accounts.erasers import register_eraser  # noqa: E402

# Account erasure reaches memberships, bans, mutes, requests, aliases and invitations (imported when it runs).
register_eraser("communities.topics", "shared.domain.communities.erasure:erase_user")
