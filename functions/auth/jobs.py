"""Background work of the accounts area: sending mail, erasing deleted accounts, purging stale sign-ups."""

from __future__ import annotations

import hashlib
import json
import logging

import azure.functions as func

from functions.auth import bp

log = logging.getLogger("topicsflow.accounts.jobs")
CONNECTION = "ServiceBusConnection"


@bp.service_bus_queue_trigger(arg_name="msg", queue_name="mail", connection=CONNECTION)
async def accounts_send_mail(msg: func.ServiceBusMessage) -> None:
    """Renders one queued mail and sends it through the Mailer port (skips a redelivered message id)."""
    from shared.domain.accounts import mail

    body = msg.get_body()
    await mail.deliver(json.loads(body), msg.message_id or hashlib.sha256(body).hexdigest())


@bp.service_bus_queue_trigger(arg_name="msg", queue_name="account-erasure", connection=CONNECTION)
async def accounts_erase_account(msg: func.ServiceBusMessage) -> None:
    """Runs every registered eraser, then removes the account's own data; raising makes Service Bus retry."""
    from shared.domain.accounts import erasure

    user_id = json.loads(msg.get_body())["user_id"]
    ran = await erasure.do_erase_account(user_id)
    log.info("erased an account (%d erasers ran)", len(ran))


@bp.timer_trigger(schedule="0 17 3 * * *", arg_name="timer", run_on_startup=False, use_monitor=False)
async def accounts_purge_unverified_signups(timer: func.TimerRequest) -> None:
    """Daily: sign-ups never verified within 24 hours are removed, freeing their usernames and addresses."""
    from shared.domain.accounts import registration

    await registration.purge_stale_registrations()
