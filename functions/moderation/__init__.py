import azure.functions as func

bp = func.Blueprint()

from functions.moderation import audit_routes, report_routes, ticket_routes, warning_routes  # noqa: E402, F401  (their decorators register on bp)
