import azure.functions as func

bp = func.Blueprint()

from functions.topics import queue, routes, timers  # noqa: E402, F401  (their decorators register on bp)
from shared.domain.communities import erasure  # noqa: E402

erasure.register()  # account erasure reaches memberships, bans, mutes, requests, aliases and invitations
