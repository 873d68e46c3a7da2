"""A path no function serves is a 404, and a path served only under other methods a 405 naming them in Allow, both
in the error envelope (functions/platform/fallback.py)."""


def test_a_path_nothing_serves_is_a_404_in_the_envelope(api):
    response = api.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": {"code": "not_found", "message": "No such route.",
                                                           "details": None}}


def test_a_method_the_path_does_not_serve_is_a_405_that_lists_the_ones_it_does(api):
    response = api.delete("/api/auth/me")
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert api.request("OPTIONS", "/api/topics").headers["allow"] == "GET, POST"


def test_allow_names_the_resource_a_client_means_not_a_template_that_also_matches(api):
    # /topics/invitations is its own resource, although /topics/{topic_id} would match the same path
    assert api.post("/api/topics/invitations").headers["allow"] == "GET"
    # a template constraint counts: version numbers are integers, so this path is no resource at all
    assert api.get("/api/models/m1/versions/latest").status_code == 404
