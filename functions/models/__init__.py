"""Models API (`/api/models...`, `/api/jobs...`) and the Service Bus-triggered worker of queue `model-jobs`.

Only thin adapters live here; the work is in shared/domain/models. scikit-learn, numpy and skops are imported
only when a request or message needs them, never when the app is loaded.
"""

import azure.functions as func

bp = func.Blueprint()

from functions.models import (  # noqa: E402,F401  (registers the functions on bp)
    grant_routes,
    job_routes,
    model_routes,
    predict_routes,
    queue_worker,
    timers,
    type_routes,
    version_routes,
)
from shared.domain.accounts.erasers import register_eraser  # noqa: E402

register_eraser("models", "shared.domain.models.erasure:erase_user_models")  # imported when an erasure runs
