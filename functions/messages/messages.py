from functions.messages import bp  # noqa: F401
