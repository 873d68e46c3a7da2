import azure.functions as func

bp = func.Blueprint()

from functions.auth import account, jobs, login, passwords, registration, two_factor  # noqa: E402,F401  (routes)
