"""The developer page: routes, queues with their dead letters, outbox mail; only in the dev host."""

import function_app
from devhost.function_index import FunctionIndex
from shared import wiring
from shared.ports import Mail


def test_the_outbox_is_served_newest_first_with_to_subject_text_and_html(host):
    for n in (1, 2):
        host.run(lambda n=n: wiring.mailer().send(Mail(to=f"p{n}@example.com", subject=f"Hello {n}",
                                                       text=f"text {n}", html=f"<p>html {n}</p>")))
    mails = host.api.get("/dev/api/outbox").json()
    assert [m["subject"] for m in mails[:2]] == ["Hello 2", "Hello 1"]
    assert {"to", "subject", "text", "html"} <= set(mails[0])
    assert mails[0]["to"] == "p2@example.com" and mails[0]["html"].strip() == "<p>html 2</p>"


def test_the_queue_view_shows_each_queue_with_its_function_and_dead_letters(host):
    host.run(lambda: wiring.queue().send("nobody-listens", {"x": 1}, message_id="m-1"))
    queues = {q["queue"]: q for q in host.api.get("/dev/api/queues").json()}
    assert queues["nobody-listens"]["active"] == 1 and queues["nobody-listens"]["function"] is None
    assert queues["mail"]["function"]  # every queue a function listens on is listed
    assert all("dead_letters" in q for q in queues.values())


def test_the_page_lists_routes_queues_and_mail(host):
    page = host.api.get("/dev", follow_redirects=True)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/api/health" in page.text and "Queues" in page.text and "Outbox" in page.text
    routes = host.api.get("/dev/api/routes").json()
    assert {"methods": ["GET"], "route": "/api/health", "function": "get_health"} in routes


def test_no_function_of_the_app_lives_under_dev():
    index = FunctionIndex.from_app(function_app.app)
    assert not [fn.name for fn in index.http if (fn.trigger.route or "").strip("/").lower().startswith("dev")]


def test_a_bad_outbox_limit_is_a_422_with_the_error_envelope(host):
    for bad in ("abc", "0", "-1", "501", "1.5", "9" * 5000, "%00"):
        answer = host.api.get(f"/dev/api/outbox?limit={bad}")
        assert answer.status_code == 422, (bad, answer.status_code)
        error = answer.json()["error"]
        assert answer.json()["success"] is False and error["code"] == "validation_error"
        assert [d["field"] for d in error["details"]] == ["query.limit"]
    assert isinstance(host.api.get("/dev/api/outbox?limit=2").json(), list)
    assert isinstance(host.api.get("/dev/api/outbox?limit=").json(), list)
