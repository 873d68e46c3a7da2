"""Background jobs under failure: retries without duplicate versions, poison messages, cancel, retry, and one
active job per model. Failures are injected at named checkpoints of the real worker, in the host process."""

import threading
import time

import pytest

from tests.functions.models.helpers import (
    Gate,
    create_model,
    drain_in_background,
    get_job,
    install_fault,
    regression_rows,
    submit,
)
from tests.support.users import ok, signup


@pytest.fixture(scope="module")
def owner(host):
    return signup(host)


def versions_of(api, user, model_id):
    return ok(api.get(f"/api/models/{model_id}/versions", headers=user.headers))["items"]


def test_a_model_has_at_most_one_active_training_job(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    first = submit(api, owner, model["id"], regression_rows(30), "y")
    second = api.post(f"/api/models/{model['id']}/train", json={"data": regression_rows(30), "target": "y"},
                      headers=owner.headers)
    assert second.status_code == 409
    assert second.json()["error"] == {**second.json()["error"], "code": "job_already_active",
                                      "details": {"active_job_id": first["id"]}}
    host.drain()
    assert get_job(api, owner, first["id"])["state"] == "succeeded"
    submit(api, owner, model["id"], regression_rows(30), "y")  # free again once the first has finished
    host.drain()


def test_a_failure_in_the_middle_of_a_job_is_retried_and_writes_exactly_one_version(host, api, owner):
    failures = []

    def fail_once(job):
        if not failures:
            failures.append(job["attempts"])
            raise RuntimeError("the worker died after storing the version")

    install_fault(host, "version_written", fail_once)
    model = create_model(api, owner, "linear_regression")
    job = submit(api, owner, model["id"], regression_rows(40), "y")
    host.drain()

    job = get_job(api, owner, job["id"])
    assert failures == [1]
    assert job["state"] == "succeeded" and job["attempts"] == 2 and job["result_version"] == 1
    assert [v["number"] for v in versions_of(api, owner, model["id"])] == [1]
    model = ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))
    assert model["current_version"] == 1 and model["latest_version"] == 1 and model["active_job_id"] is None
    finished = [e for e in host.events(group=f"user_{owner.id}", type="model_job_finished")
                if e["data"]["job_id"] == job["id"]]
    assert len(finished) == 1
    retrying = [e["data"] for e in host.events(group=f"user_{owner.id}", type="model_job_progress")
                if e["data"]["job_id"] == job["id"] and e["data"]["stage"] == "retrying"]
    assert retrying and retrying[0]["state"] == "queued"


def test_a_duplicate_delivery_of_a_finished_job_changes_nothing(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    job = submit(api, owner, model["id"], regression_rows(40), "y")
    host.drain()
    before = get_job(api, owner, job["id"])

    from shared import wiring
    from shared.domain.models.store import QUEUE

    async def deliver_again():  # a new message id, so the queue's duplicate detection does not drop it
        await wiring.queue().send(QUEUE, {"job_id": job["id"], "model_id": model["id"], "kind": "train"},
                                  message_id=f"again-{job['id']}")

    host.run(deliver_again)
    host.drain()
    assert get_job(api, owner, job["id"]) == before
    assert [v["number"] for v in versions_of(api, owner, model["id"])] == [1]


def test_a_poison_job_ends_failed_with_its_dead_letter_recorded(host, api, owner):
    def always_fail(job):
        raise RuntimeError("poison")

    install_fault(host, "fitted", always_fail)
    model = create_model(api, owner, "linear_regression")
    job = submit(api, owner, model["id"], regression_rows(40), "y")
    host.drain()

    job = get_job(api, owner, job["id"])
    assert job["state"] == "failed" and job["dead_lettered"] is True
    assert job["attempts"] == 3  # QUEUE_MAX_DELIVERY_COUNT in this suite
    assert job["error"]["code"] == "dead_lettered"
    assert job["error"]["details"] == {"attempts": 3, "last_error": "RuntimeError"}
    assert "poison" not in job["error"]["message"]  # exception text is never shown to clients
    dead = host.run(lambda: _dead_letters(host))
    assert [(m.message_id, m.dead_letter_reason) for m in dead if m.message_id == job["id"]] == \
        [(job["id"], "MaxDeliveryCountExceeded")]
    model = ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))
    assert model["status"] == "failed" and model["active_job_id"] is None
    assert model["last_error"]["code"] == "dead_lettered" and model["last_error"]["job_id"] == job["id"]
    assert versions_of(api, owner, model["id"]) == []


async def _dead_letters(host):
    return host.devhost.queue_store.dead_letters("model-jobs")


def test_a_failed_job_can_be_retried_as_a_new_job_on_the_same_input(host, api, owner):
    def always_fail(job):
        raise RuntimeError("poison")

    install_fault(host, "loaded", always_fail)
    model = create_model(api, owner, "linear_regression")
    failed = submit(api, owner, model["id"], regression_rows(40), "y")
    host.drain()
    assert get_job(api, owner, failed["id"])["state"] == "failed"

    from shared.domain.models import faults

    async def clear():
        faults.clear()

    host.run(clear)
    response = api.post(f"/api/jobs/{failed['id']}/retry", headers=owner.headers)
    assert response.status_code == 202
    retry = response.json()["data"]["job"]
    assert retry["retry_of"] == failed["id"] and retry["id"] != failed["id"]
    host.drain()
    assert get_job(api, owner, retry["id"])["state"] == "succeeded"
    again = api.post(f"/api/jobs/{retry['id']}/retry", headers=owner.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_not_retryable"


def test_a_queued_job_is_cancelled_at_once_and_its_message_is_skipped(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    job = submit(api, owner, model["id"], regression_rows(40), "y")
    response = api.post(f"/api/jobs/{job['id']}/cancel", headers=owner.headers)
    assert response.status_code == 200 and response.json()["data"]["state"] == "cancelled"
    assert ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))["status"] == "new"
    host.drain()
    job = get_job(api, owner, job["id"])
    assert job["state"] == "cancelled" and job["attempts"] == 0
    assert versions_of(api, owner, model["id"]) == []
    late = api.post(f"/api/jobs/{job['id']}/cancel", headers=owner.headers)
    assert late.status_code == 409 and late.json()["error"]["code"] == "job_finished"


def test_a_running_job_stops_at_its_next_checkpoint_when_cancelled(host, api, owner):
    gate = Gate()
    install_fault(host, "loaded", gate)
    model = create_model(api, owner, "linear_regression")
    job = submit(api, owner, model["id"], regression_rows(40), "y")
    worker = drain_in_background(host)
    try:
        assert gate.reached.wait(30), "the job never started"
        assert get_job(api, owner, job["id"])["state"] == "running"
        response = api.post(f"/api/jobs/{job['id']}/cancel", headers=owner.headers)
        assert response.status_code == 202
        assert response.json()["data"]["cancel_requested"] is True
    finally:
        gate.release.set()
        worker.join(60)
    job = get_job(api, owner, job["id"])
    assert job["state"] == "cancelled" and job["result_version"] is None
    assert versions_of(api, owner, model["id"]) == []
    model = ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))
    assert model["active_job_id"] is None and model["status"] == "new"


def test_a_long_fit_is_abandoned_at_its_next_heartbeat_when_cancelled(host, api, owner):
    fit_started, fit_may_go = threading.Event(), threading.Event()

    def slow_fit(job):  # runs in the worker thread, as the fit does
        fit_started.set()
        fit_may_go.wait(30)

    install_fault(host, "fitting", slow_fit)
    model = create_model(api, owner, "random_forest_regressor", {"n_estimators": 20, "random_state": 0})
    job = submit(api, owner, model["id"], regression_rows(60), "y")
    worker = drain_in_background(host)
    try:
        assert fit_started.wait(30)
        assert api.post(f"/api/jobs/{job['id']}/cancel", headers=owner.headers).status_code == 202
        deadline = time.monotonic() + 10
        while get_job(api, owner, job["id"])["state"] != "cancelled":  # while the fit is still under way
            assert time.monotonic() < deadline, "the cancel was not noticed during the fit"
            time.sleep(0.05)
    finally:
        fit_may_go.set()
        worker.join(60)
    assert get_job(api, owner, job["id"])["state"] == "cancelled"
    assert versions_of(api, owner, model["id"]) == []


def test_a_job_list_pages_with_a_cursor(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    ids = []
    for _ in range(3):
        ids.append(submit(api, owner, model["id"], regression_rows(20), "y")["id"])
        host.drain()
    first = ok(api.get(f"/api/models/{model['id']}/jobs", params={"limit": 2}, headers=owner.headers))
    second = ok(api.get(f"/api/models/{model['id']}/jobs", params={"limit": 2, "cursor": first["next_cursor"]},
                        headers=owner.headers))
    assert [j["id"] for j in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    succeeded = ok(api.get(f"/api/models/{model['id']}/jobs", params={"state": "failed"}, headers=owner.headers))
    assert succeeded["items"] == []


def test_the_current_version_keeps_answering_while_a_new_one_trains(host, api, owner):
    model = create_model(api, owner, "linear_regression")
    submit(api, owner, model["id"], regression_rows(40), "y")
    host.drain()
    gate = Gate()
    install_fault(host, "loaded", gate)
    retrain = submit(api, owner, model["id"], regression_rows(40, seed=9), "y")
    worker = drain_in_background(host)
    try:
        assert gate.reached.wait(30)
        answer = ok(api.post(f"/api/models/{model['id']}/predict", json={"data": regression_rows(2)},
                             headers=owner.headers))
        assert answer["version"] == 1
        assert ok(api.get(f"/api/models/{model['id']}", headers=owner.headers))["status"] == "training"
    finally:
        gate.release.set()
        worker.join(60)
    assert get_job(api, owner, retrain["id"])["result_version"] == 2


def test_messages_that_name_no_job_are_dropped_rather_than_retried(host):
    from shared import wiring
    from shared.domain.models.store import QUEUE

    async def send_junk():
        queue = wiring.queue()
        await queue.send(QUEUE, {"hello": "world"}, message_id="junk-1")
        await queue.send(QUEUE, {"job_id": "no-such-job"}, message_id="junk-2")
        await queue.send(QUEUE, {"kind": "cleanup"}, message_id="junk-3")

    host.run(send_junk)
    host.drain()
    dead = host.run(lambda: _dead_letters(host))
    assert not [m for m in dead if m.message_id.startswith("junk-")]
