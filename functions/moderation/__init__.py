import azure.functions as func

bp = func.Blueprint()

from functions.moderation import audit_routes, report_routes, ticket_routes, warning_routes  # noqa: E402, F401
from shared.domain.accounts.erasers import register_eraser  # noqa: E402

# Account erasure reaches warnings and tickets (imported when it runs); reports go with the user's content.
register_eraser("moderation", "shared.domain.moderation.erasure:erase_user")
