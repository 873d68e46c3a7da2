"""Deleting an account erases its models (versions, artifacts, jobs, uploads) and withdraws its grants."""

from tests.functions.models.helpers import regression_rows, trained_model
from tests.support.users import ok, signup


def test_an_erased_account_leaves_no_models_grants_or_records_behind(host, api):
    leaving, staying = signup(host), signup(host)
    own, _ = trained_model(host, leaving, "linear_regression", regression_rows(30), "y")
    theirs, _ = trained_model(host, staying, "linear_regression", regression_rows(30), "y")
    ok(api.put(f"/api/models/{theirs['id']}/grants/{leaving.id}", json={"role": "trainer"},
               headers=staying.headers))
    job = ok(api.post(f"/api/models/{theirs['id']}/train", json={"data": regression_rows(30), "target": "y"},
                      headers=leaving.headers), 202)["job"]
    host.drain()

    response = api.post("/api/auth/delete-account", json={"password": leaving.password}, headers=leaving.headers)
    assert response.status_code == 202
    host.drain()  # the erasure job, then the cleanup jobs it queues
    host.drain()

    assert ok(api.get(f"/api/models/{theirs['id']}/grants", headers=staying.headers))["items"] == []
    assert ok(api.get(f"/api/jobs/{job['id']}", headers=staying.headers))["created_by"] == "deleted-user"
    left = host.run(lambda: _left_behind(leaving.id, own["id"]))
    assert left == {"model": False, "versions": 0, "artifacts": 0, "owner_records": 0}


async def _left_behind(user_id, model_id):
    from shared import wiring
    from shared.domain.models import store
    from shared.errors import NotFound

    documents = wiring.documents()
    try:
        await documents.read(store.MODELS, model_id, model_id)
        model = True
    except NotFound:
        model = False
    return {"model": model, "versions": await documents.count(store.VERSIONS, pk=model_id),
            "artifacts": len(await wiring.blobs().list(store.ARTIFACTS_CONTAINER, f"{model_id}/")),
            "owner_records": await documents.count(store.OWNERS, pk=user_id)}
