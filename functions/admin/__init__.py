import azure.functions as func

bp = func.Blueprint()

from functions.admin import audit_routes, report_routes, review_routes, ticket_routes, timers  # noqa: E402, F401  (their decorators register on bp)
