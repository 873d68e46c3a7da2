"""The Functions entry point: registers the blueprints and nothing else (no I/O, no heavy imports)."""

import azure.functions as func

from functions import auth, comments, messages, models, notifications, platform, posts, realtime, topics, users

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

for group in (platform, auth, users, topics, posts, comments, notifications, messages, models, realtime):
    app.register_functions(group.bp)
