"""Property: every operation of our own OpenAPI document keeps it, whatever a client sends. Schemathesis generates
requests from the document (its examples, coverage and fuzzing phases: valid and invalid input, boundaries,
missing fields, undeclared methods) and runs every check it has on each answer (`--checks all`: no 5xx, status
and content type and headers and body as documented, invalid input rejected, valid input accepted, auth
enforced, ...), while the app itself checks each answer against its declared models (validate_responses).

Every operation is included, the accounts routes too. The fuzzer is a signed-in user (an administrator for the
admin routes, so they are exercised past the role check); the operations that end or change the caller's session
or credentials get a session of their own for each example, so a generated logout cannot sign the rest of the run
out. The numbers (operations, requests, failures, time) are printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from unittest import mock

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from functions import blueprints
from shared.http.openapi import build_openapi, http_functions, operation_id
from tests.functions.conftest import contract_runs
from tests.support.users import TestUser, forget_ip_limits, login, ok, signup

MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "4"))  # fuzzing phase, per operation
SEED = int(os.environ.get("CONTRACT_SEED", "20260601"))  # reproducible in CI; change it to look elsewhere

# The document names its host's realtime service (the origin of the upstream handshake): a test host's is on
# 127.0.0.1, whatever its port. The fuzzers fixture checks that this is the document the host serves.
with mock.patch.dict(os.environ, {"WEBPUBSUB_CONNECTION_STRING": "Endpoint=http://127.0.0.1:1;AccessKey=x;Version=1.0;"}):
    DOCUMENT = build_openapi(blueprints())
SPECS = {operation_id(fn.__name__, method, methods): fn.endpoint_spec for _, methods, fn in http_functions(blueprints())
         for method in methods if hasattr(fn, "endpoint_spec")}
# A cursor is a token we signed: a schema can say how long it may be, not which strings we signed, so a well-formed
# cursor of the fuzzer's own is refused (400 invalid_cursor) although it fits the schema. Only there is a 400 an
# acceptable answer to schema-valid input; the other defaults of the check stay.
CURSOR_OPERATIONS = sorted(op["operationId"] for item in DOCUMENT["paths"].values() for op in item.values()
                           if any(p["name"] == "cursor" for p in op.get("parameters", [])))
# The same for input that no schema can judge: a schema-valid password or one-time code that is wrong, or a new
# password that is too easy to guess (zxcvbn), is refused with 422 naming the field, as it must be.
SECRET_OPERATIONS = ["auth_register", "auth_set_up_two_factor", "auth_confirm_two_factor", "auth_disable_two_factor",
                     "auth_regenerate_backup_codes", "auth_change_email", "auth_confirm_email_change",
                     "auth_change_password", "auth_delete_account", "auth_verify_email", "auth_reset_password",
                     # an enrolment token (a mailed link's) that is not ours, or one sent while signed in already
                     "auth_passkey_register_options", "auth_passkey_register_verify", "auth_passwordless_totp_setup",
                     "auth_passwordless_totp_confirm", "auth_recovery_complete_passwordless",
                     # hyper-parameters are those of the chosen type_key (GET /api/models/types), unknown keys refused
                     "create_model"]
ACCEPTANCE = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # the check's own defaults
# A NUL in any string is refused by rule (422 nul_character, tested on every route in test_request_hardening), a
# rule the document states in words rather than as a pattern on every string: the fuzzer sends none.
CONFIG = SchemathesisConfig.from_dict({"seed": SEED, "generation": {"allow-x00": False}, "operations": [
    {"include-operation-id": CURSOR_OPERATIONS,
     # the communities answer 400 invalid_cursor, the accounts and models areas 422 naming query.cursor
     "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTANCE, "400", "422"]}}},
    {"include-operation-id": SECRET_OPERATIONS,
     "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTANCE, "422"]}}},
]})
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)

# Operations that end the caller's session(s) or change what it signs in with: each example runs as a fresh session.
SESSION_ENDING = {"auth_log_out", "auth_log_out_everywhere", "auth_end_session", "auth_change_password",
                  "auth_delete_account", "auth_change_email", "auth_confirm_email_change", "auth_set_up_two_factor",
                  "auth_confirm_two_factor", "auth_disable_two_factor", "auth_regenerate_backup_codes"}
RATE_RULES = {rule for spec in SPECS.values() for rule in spec.rate_limits}


class Fuzzers:
    def __init__(self, host) -> None:
        self.host = host
        self.user = signup(host)
        self.admin = signup(host, admin=True)
        self.session_owner = signup(host)
        self.session = requests.Session()
        self.session.hooks["response"].append(self._count)
        self.requests = 0
        self.operations: set[str] = set()
        self.started = time.monotonic()

    def _count(self, response, *args, **kwargs) -> None:
        self.requests += 1

    def for_case(self, case) -> TestUser:
        """The caller of this example, with every request window of it cleared (the rate-limit tests test those)."""
        name = case.operation.definition.raw["operationId"]
        caller = self.admin if SPECS[name].auth == "admin" else self.user
        if name in SESSION_ENDING:
            caller = self._fresh_session()
        self._forget_limits(caller)
        return caller

    def _fresh_session(self) -> TestUser:
        owner = self.session_owner
        response = login(self.host, owner.username, owner.password)
        if response.status_code != 200:  # a generated request changed the account after all: carry on with a new one
            owner = self.session_owner = signup(self.host)
            response = login(self.host, owner.username, owner.password)
        token = ok(response)["token"]
        return TestUser(id=owner.id, username=owner.username, email=owner.email, password=owner.password,
                        token=token, headers={"Authorization": f"Bearer {token}"})

    def _forget_limits(self, caller: TestUser) -> None:
        from shared import wiring

        forget_ip_limits(self.host)
        keys = [f"rl:{rule.name}:user:{caller.id}" for rule in RATE_RULES if rule.per == "user"]
        self.host.run(lambda: wiring.kv().delete(*keys))


@pytest.fixture(scope="module")
def fuzzers(host, request):
    served = host.api.get("/api/openapi.json").json()
    assert {**served, "servers": None} == {**json.loads(json.dumps(DOCUMENT)), "servers": None}, \
        "the fuzzed document is not the one the host serves"
    found = Fuzzers(host)
    yield found
    request.config.stash.setdefault(contract_runs, []).append({
        "stack": os.environ.get("APP_STACK", "embedded"), "operations": len(found.operations),
        "requests": found.requests, "seconds": round(time.monotonic() - found.started, 1)})


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_the_documented_contract(case, host, fuzzers):
    caller = fuzzers.for_case(case)
    fuzzers.operations.add(case.operation.label)
    fresh_idempotency_key(case)
    case.call_and_validate(base_url=host.url, session=fuzzers.session, headers=caller.headers, timeout=30)


def fresh_idempotency_key(case) -> None:
    """Each generated request is a new request: a well-formed Idempotency-Key the fuzzer drew again for another
    body would rightly be a 422 idempotency_key_reused (test_idempotency covers repeats). A malformed key stays."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(r"[ -~]{1,255}", key):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
