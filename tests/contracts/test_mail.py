"""The Mailer contract, run on the outbox folder and on SendGridMailer pointed at a local HTTP server that records
the request the real `sendgrid` library makes (and answers as SendGrid would)."""

from __future__ import annotations

import email
import json
import logging
import threading
from dataclasses import dataclass, field
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from devhost.standins.processes import free_port
from shared.adapters.mail_outbox import OutboxMailer, read_outbox
from shared.adapters.mail_sendgrid import MailNotSent, SendGridMailer
from shared.ports import Mail, Mailer
from shared.settings import Settings

API_KEY = "SG.test-key-abcdefghijklmnop.qrstuvwxyz0123456789"
SENDER = "no-reply@topicsflow.test"
WELCOME = Mail(to="ana@example.com", subject="Welcome, Ana", text="Your code is 123456.",
               html="<p>Your code is <b>123456</b>.</p>", tags=("verify", "accounts"))


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeSendGrid:
    """A loopback HTTP server answering like POST /v3/mail/send; `answer` sets the next responses."""

    server: ThreadingHTTPServer
    requests: list[Recorded] = field(default_factory=list)
    answer: tuple[int, bytes] = (202, b"")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def sendgrid_server():
    recorder: FakeSendGrid

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            recorder.requests.append(Recorded("POST", self.path, dict(self.headers.items()), body))
            status, payload = recorder.answer
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    recorder = FakeSendGrid(server)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()


@dataclass
class Backend:
    kind: str
    mailer: Any
    read_back: Any  # () -> list of {"to","subject","text","html","tags"}, oldest first


@pytest.fixture(params=["outbox", "sendgrid"])
def backend(request, tmp_path):
    if request.param == "outbox":
        mailer = OutboxMailer(tmp_path / "outbox", sender=SENDER)
        return Backend("outbox", mailer, lambda: list(reversed(read_outbox(tmp_path / "outbox", limit=500))))
    server = request.getfixturevalue("sendgrid_server")
    mailer = SendGridMailer(API_KEY, SENDER, host=server.url)

    def read_back():
        sent = []
        for recorded in server.requests:
            payload = json.loads(recorded.body)
            content = {c["type"]: c["value"] for c in payload["content"]}
            sent.append({"to": payload["personalizations"][0]["to"][0]["email"], "subject": payload["subject"],
                         "text": content["text/plain"], "html": content["text/html"],
                         "tags": payload.get("categories", [])})
        return sent

    return Backend("sendgrid", mailer, read_back)


# -- both mailers ----------------------------------------------------------------------------------------------


async def test_both_mailers_implement_the_mailer_port(backend):
    assert isinstance(backend.mailer, Mailer)
    assert await backend.mailer.ready() is True


async def test_a_sent_mail_arrives_with_recipient_subject_text_html_and_tags(backend):
    await backend.mailer.send(WELCOME)
    [sent] = backend.read_back()
    assert sent["to"] == "ana@example.com"
    assert sent["subject"] == "Welcome, Ana"
    assert sent["text"].strip() == "Your code is 123456."
    assert sent["html"].strip() == "<p>Your code is <b>123456</b>.</p>"
    assert sent["tags"] == ["verify", "accounts"]


async def test_non_ascii_subjects_and_bodies_survive(backend):
    await backend.mailer.send(Mail(to="zoë@example.com", subject="Grüße — 你好", text="Ünïcödé ✓",
                                   html="<p>Ünïcödé ✓</p>"))
    [sent] = backend.read_back()
    assert (sent["to"], sent["subject"], sent["text"].strip(), sent["html"].strip()) == (
        "zoë@example.com", "Grüße — 你好", "Ünïcödé ✓", "<p>Ünïcödé ✓</p>")


async def test_mails_arrive_in_the_order_they_were_sent(backend):
    for n in range(3):
        await backend.mailer.send(Mail(to=f"u{n}@example.com", subject=f"mail {n}", text="t", html="<p>h</p>"))
    assert [m["subject"] for m in backend.read_back()] == ["mail 0", "mail 1", "mail 2"]


@pytest.mark.parametrize("bad", [
    {"subject": "Hi\r\nBcc: victim@example.com"},
    {"to": "a@example.com\nBcc: victim@example.com"},
    {"to": "a@example.com, b@example.com"},
    {"to": ""},
])
async def test_header_injection_and_several_recipients_are_refused_before_anything_is_sent(backend, bad):
    fields = {"to": "a@example.com", "subject": "Hi", "text": "t", "html": "<p>h</p>", **bad}
    with pytest.raises(ValueError):
        await backend.mailer.send(Mail(**fields))
    assert backend.read_back() == []


# -- the outbox --------------------------------------------------------------------------------------------------


async def test_each_outbox_mail_is_a_standard_eml_file_with_a_text_and_an_html_part(tmp_path):
    await OutboxMailer(tmp_path, sender=SENDER).send(WELCOME)
    [path] = list(tmp_path.glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["From"] == SENDER and message["To"] == "ana@example.com"
    assert message["Message-ID"] and message["Date"]


async def test_read_outbox_lists_the_newest_first_up_to_the_limit(tmp_path):
    mailer = OutboxMailer(tmp_path)
    for n in range(5):
        await mailer.send(Mail(to="a@example.com", subject=f"mail {n}", text="t", html="<p>h</p>"))
    newest = read_outbox(tmp_path, limit=3)
    assert [m["subject"] for m in newest] == ["mail 4", "mail 3", "mail 2"]
    assert set(newest[0]) == {"id", "to", "subject", "text", "html", "sent_at", "tags"}
    assert len({m["id"] for m in read_outbox(tmp_path)}) == 5
    assert newest[0]["sent_at"] >= newest[1]["sent_at"]
    assert "T" in newest[0]["sent_at"]  # ISO 8601


def test_read_outbox_on_a_missing_folder_is_empty(tmp_path):
    assert read_outbox(tmp_path / "never-written") == []
    assert read_outbox(tmp_path, limit=0) == []


async def test_read_outbox_skips_files_that_are_not_finished_or_not_mail(tmp_path):
    mailer = OutboxMailer(tmp_path)
    await mailer.send(WELCOME)
    (tmp_path / ".00000000000000000001-x.partial").write_bytes(b"half a mail")
    (tmp_path / "notes.txt").write_text("not mail")
    assert [m["subject"] for m in read_outbox(tmp_path)] == ["Welcome, Ana"]


def test_the_outbox_mailer_writes_into_the_data_folder(tmp_path):
    mailer = OutboxMailer.from_settings(Settings(data_dir=tmp_path, mail_from="team@example.org"))
    assert mailer.folder == tmp_path / "outbox"
    assert mailer.sender == "team@example.org"


# -- SendGrid ----------------------------------------------------------------------------------------------------


async def test_sendgrid_receives_the_v3_request_with_the_bearer_key_and_json_payload(sendgrid_server):
    await SendGridMailer(API_KEY, SENDER, host=sendgrid_server.url).send(WELCOME)
    [request] = sendgrid_server.requests
    assert (request.method, request.path) == ("POST", "/v3/mail/send")
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("sendgrid/")
    assert json.loads(request.body) == {
        "from": {"email": SENDER},
        "subject": "Welcome, Ana",
        "personalizations": [{"to": [{"email": "ana@example.com"}]}],
        "content": [{"type": "text/plain", "value": "Your code is 123456."},
                    {"type": "text/html", "value": "<p>Your code is <b>123456</b>.</p>"}],
        "categories": ["verify", "accounts"],
    }


@pytest.mark.parametrize("status", [400, 401, 403, 413, 429, 500, 503])
async def test_a_refusal_from_sendgrid_raises_with_the_status_and_without_secrets(sendgrid_server, status, caplog):
    sendgrid_server.answer = (status, json.dumps({"errors": [{"message": "The from address does not match a "
                                                                        "verified Sender Identity.",
                                                              "field": "from"}]}).encode())
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailNotSent) as failed:
        await SendGridMailer(API_KEY, SENDER, host=sendgrid_server.url).send(WELCOME)
    assert failed.value.status == status
    assert str(status) in str(failed.value) and "Sender Identity" in str(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    for text in (str(failed.value), caplog.text):
        assert API_KEY not in text and "123456" not in text


async def test_an_unexpected_success_code_outside_2xx_raises(sendgrid_server):
    sendgrid_server.answer = (304, b"")
    with pytest.raises(MailNotSent) as failed:
        await SendGridMailer(API_KEY, SENDER, host=sendgrid_server.url).send(WELCOME)
    assert failed.value.status == 304


async def test_an_unreachable_sendgrid_raises_mail_not_sent():
    mailer = SendGridMailer(API_KEY, SENDER, host=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(MailNotSent) as failed:
        await mailer.send(WELCOME)
    assert API_KEY not in str(failed.value)


async def test_nothing_the_sendgrid_mailer_logs_or_shows_contains_the_key_or_the_mail(sendgrid_server, caplog):
    caplog.set_level(logging.DEBUG)
    mailer = SendGridMailer(API_KEY, SENDER, host=sendgrid_server.url)
    await mailer.send(WELCOME)
    assert API_KEY not in caplog.text and "123456" not in caplog.text
    assert API_KEY not in repr(mailer)


def test_sendgrid_needs_a_key_and_takes_the_sender_from_settings():
    with pytest.raises(ValueError):
        SendGridMailer.from_settings(Settings(sendgrid_api_key=""))
    mailer = SendGridMailer.from_settings(Settings(sendgrid_api_key=API_KEY, mail_from="team@example.org"))
    assert (mailer.sender, mailer.host) == ("team@example.org", "https://api.sendgrid.com")


def test_the_outbox_module_path_is_where_the_dev_host_looks(tmp_path):
    assert Path(OutboxMailer.from_settings(Settings(data_dir=tmp_path)).folder).name == "outbox"


def test_importing_the_mail_adapters_loads_no_sendgrid():
    import subprocess
    import sys

    from devhost.standins.processes import ROOT

    code = ("import sys, shared.adapters.mail_sendgrid, shared.adapters.mail_outbox; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sendgrid', 'python_http_client')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
