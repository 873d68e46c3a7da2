"""Every create route honours Idempotency-Key (shared/http/idempotency.py): a POST answering 201, or 202 for work
it starts (jobs, mails, registration), is declared `@endpoint(..., idempotent=True)`. A new route that forgets it
fails here.

Excluded on purpose, each with its reason:
- the 201/202 routes in EXCLUDED, whose answer is a credential (the first factor of a passwordless sign-up
  answers with a session and backup codes), for the reason below;
- the POSTs whose answer is a credential are never idempotent, even though they create something, because a
  replay is served from the cache, which would then keep the secret for 24 hours: the session token of a login,
  the TOTP secret of 2FA setup, fresh backup codes, a negotiated realtime URL (SECRET_ANSWERS). A retried login
  simply makes another session, which is what a client that lost the first answer needs anyway.
"""

from __future__ import annotations

from functions import blueprints
from shared.http.endpoint import endpoint_spec
from shared.http.openapi import http_functions

EXCLUDED: dict[str, str] = {  # "POST route" -> why it may answer 201/202 without honouring Idempotency-Key
    "auth/passkey/register-verify": "a passwordless sign-up's first passkey answers with a session and backup codes",
    "auth/passwordless/totp/confirm": "answers with a session and backup codes",
}
SECRET_ANSWERS = {"auth/login", "auth/login/2fa", "auth/2fa/setup", "auth/2fa/confirm", "auth/2fa/backup-codes",
                  "realtime/negotiate"}


def post_routes():
    for route, methods, fn in http_functions(blueprints()):
        spec = endpoint_spec(fn)
        if spec is not None and "post" in methods:
            yield route, spec


def test_every_post_that_creates_something_honours_idempotency_keys():
    creates = {route: spec for route, spec in post_routes() if spec.status in (201, 202)}
    assert len(creates) >= 20
    missing = sorted(route for route, spec in creates.items() if not spec.idempotent and route not in EXCLUDED)
    assert missing == [], f"add idempotent=True to these create routes (or list them in EXCLUDED, with why): {missing}"
    assert set(EXCLUDED) <= set(creates), "EXCLUDED names a route that no longer answers 201/202"


def test_no_answer_that_carries_a_credential_is_kept_for_replays():
    routes = dict(post_routes())
    assert set(routes) >= SECRET_ANSWERS
    assert sorted(route for route in SECRET_ANSWERS if routes[route].idempotent) == []
