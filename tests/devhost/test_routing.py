import pytest

from devhost.routing import Router, compile_route


def router(*templates: str) -> Router:
    routes = []
    for template in templates:
        route = compile_route(template, "api")
        route.target = template
        routes.append(route)
    return Router(routes)


def resolve(r: Router, path: str, method: str = "GET"):
    found = r.resolve(path, method)
    return (found[0].target, found[1]) if found else None


def test_a_literal_segment_beats_a_parameter_whatever_the_registration_order():
    r = router("topics/{topic_id}", "topics/my")
    assert resolve(r, "/api/topics/my") == ("topics/my", {})
    assert resolve(r, "/api/topics/abc") == ("topics/{topic_id}", {"topic_id": "abc"})


def test_a_constrained_parameter_beats_an_unconstrained_one_and_only_matches_its_type():
    r = router("items/{name}", "items/{id:int}")
    assert resolve(r, "/api/items/42") == ("items/{id:int}", {"id": "42"})
    assert resolve(r, "/api/items/abc") == ("items/{name}", {"name": "abc"})


def test_route_params_arrive_as_strings():
    assert resolve(router("n/{id:int}"), "/api/n/-7") == ("n/{id:int}", {"id": "-7"})


def test_optional_parameters_and_defaults():
    r = router("things/{id?}", "pages/{page=1}")
    assert resolve(r, "/api/things") == ("things/{id?}", {})
    assert resolve(r, "/api/things/9") == ("things/{id?}", {"id": "9"})
    assert resolve(r, "/api/pages") == ("pages/{page=1}", {"page": "1"})


def test_a_catch_all_comes_last_and_takes_the_rest_of_the_path():
    r = router("files/{*rest}", "files/readme")
    assert resolve(r, "/api/files/readme") == ("files/readme", {})
    assert resolve(r, "/api/files/a/b/c.txt") == ("files/{*rest}", {"rest": "a/b/c.txt"})
    assert resolve(r, "/api/files") == ("files/{*rest}", {})


def test_matching_ignores_case_like_the_host():
    assert resolve(router("topics/{id}"), "/API/Topics/5") == ("topics/{id}", {"id": "5"})


@pytest.mark.parametrize(("template", "good", "bad"), [
    ("a/{id:guid}", "/api/a/0f8fad5b-d9cb-469f-a165-70867728950e", "/api/a/nope"),
    ("a/{flag:bool}", "/api/a/true", "/api/a/yes"),
    ("a/{n:min(10)}", "/api/a/10", "/api/a/9"),
    ("a/{n:range(1,5)}", "/api/a/5", "/api/a/6"),
    ("a/{s:length(3)}", "/api/a/abc", "/api/a/abcd"),
    ("a/{s:alpha}", "/api/a/abc", "/api/a/ab1"),
    ("a/{s:regex(^x\\d+$)}", "/api/a/x12", "/api/a/y12"),
])
def test_constraints_accept_and_refuse_like_aspnet(template, good, bad):
    r = router(template)
    assert resolve(r, good) is not None
    assert resolve(r, bad) is None


def test_a_route_only_answers_its_methods():
    route = compile_route("jobs", "api")
    route.target, route.methods = "jobs", frozenset({"POST"})
    r = Router([route])
    assert r.resolve("/api/jobs", "GET") is None
    assert r.resolve("/api/jobs", "POST") is not None
