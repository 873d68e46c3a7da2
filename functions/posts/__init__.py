import azure.functions as func

bp = func.Blueprint()

from functions.posts import routes, timers  # noqa: E402, F401  (their decorators register on bp)
from shared.domain.communities import content_erasure  # noqa: E402

content_erasure.register()  # account erasure and topic purge reach posts, comments, votes and notifications
