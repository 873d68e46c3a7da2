import azure.functions as func

bp = func.Blueprint()

from functions.posts import routes, timers  # noqa: E402, F401  (their decorators register on bp)
from shared.domain.accounts.erasers import register_eraser  # noqa: E402
from shared.domain.communities.purgers import register_topic_purger  # noqa: E402

# Account erasure and topic purge reach posts, comments, votes and notifications (by path: imported when they run).
register_eraser("communities.content", "shared.domain.communities.content_erasure:erase_user")
register_topic_purger("communities.posts", "shared.domain.communities.post_moderation:purge_topic_content")
