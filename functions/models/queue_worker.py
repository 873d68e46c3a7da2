from __future__ import annotations

import azure.functions as func

from functions.models import bp

# shared.domain.models.store.QUEUE, written out: importing the store here would load it on every cold start.
QUEUE = "model-jobs"


@bp.service_bus_queue_trigger(arg_name="msg", queue_name=QUEUE, connection="ServiceBusConnection")
async def model_jobs_worker(msg: func.ServiceBusMessage) -> None:
    """Trains, updates, predicts in batch and cleans up, one queue message at a time. An exception abandons
    the message (redelivered, then dead-lettered after the queue's max delivery count)."""
    from shared.domain.models.worker import handle_message

    await handle_message(msg.get_body(), delivery_count=msg.delivery_count or 1)
