import azure.functions as func

bp = func.Blueprint()

from functions.users import admin, people, profile  # noqa: E402,F401  (registers the routes on bp)
