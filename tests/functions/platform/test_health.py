def test_health_answers_200_with_the_stack_version_and_every_dependency_ready(api, host):
    response = api.get("/api/health")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "ok"
    assert data["stack"] == host.env["APP_STACK"]
    assert data["version"]
    assert set(data["dependencies"]) == {"documents", "blobs", "cache", "queue", "realtime", "mail"}
    assert all(dep["status"] == "ok" for dep in data["dependencies"].values()), data["dependencies"]


def test_health_names_the_adapters_of_the_stack_in_use(api, host):
    dependencies = api.get("/api/health").json()["data"]["dependencies"]
    if host.env["APP_STACK"] == "azure":
        assert dependencies["documents"]["adapter"] == "CosmosDocuments"
        assert dependencies["blobs"]["adapter"] == "AzureBlobs"
    else:
        assert dependencies["documents"]["adapter"] == "SqliteDocuments"
        assert dependencies["blobs"]["adapter"] == "LocalBlobs"


def test_an_unknown_api_route_is_a_json_404(api):
    response = api.get("/api/does-not-exist")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_a_cors_preflight_from_a_configured_origin_is_answered_and_others_are_refused(api):
    allowed = api.options("/api/health", headers={"Origin": "http://localhost:3000",
                                                  "Access-Control-Request-Method": "POST"})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "X-CSRF-Token" in allowed.headers["access-control-allow-headers"]
    refused = api.options("/api/health", headers={"Origin": "https://evil.example",
                                                  "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in refused.headers
