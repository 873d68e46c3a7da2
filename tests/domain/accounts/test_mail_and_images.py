import re

import pytest

from shared.domain.accounts import mail, mail_templates
from shared.domain.accounts.profiles import sniff_image

PARAMS = {"username": "alice", "code": "123456", "minutes": "30", "hours": "24", "token": "tok", "new_email":
          "new@example.com", "link": "https://example.com/reset-password?token=tok", "name": "Laptop"}


@pytest.mark.parametrize("lang", mail_templates.LANGUAGES)
@pytest.mark.parametrize("template", sorted(mail_templates.TEMPLATES["en"]))
def test_every_template_renders_text_and_html_in_every_language(template, lang):
    rendered = mail_templates.render(template, lang, PARAMS, to="alice@example.com")
    assert rendered.subject and rendered.text and rendered.html.startswith("<!doctype html>")
    assert "$" not in rendered.text and "$" not in rendered.html
    assert f'lang="{lang}"' in rendered.html


def test_both_languages_have_the_same_templates():
    assert set(mail_templates.TEMPLATES["en"]) == set(mail_templates.TEMPLATES["pt"])


def test_the_verification_mail_carries_the_code_line():
    rendered = mail_templates.render("verify_email", "en", PARAMS, to="a@example.com")
    assert re.search(r"^Your code: 123456$", rendered.text, re.M)


def test_values_are_escaped_in_the_html_body():
    rendered = mail_templates.render("verify_email", "en", {**PARAMS, "username": "<script>x</script>"},
                                     to="a@example.com")
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html


async def test_a_redelivered_mail_message_is_sent_once(stack):
    message_id = await mail.enqueue("verify_email", "alice@example.com", params=PARAMS)
    ((queued_id, body),) = stack.queued(mail.MAIL_QUEUE)
    assert queued_id == message_id
    assert await mail.deliver(body, message_id) is True
    assert await mail.deliver(body, message_id) is False
    assert len(await stack.mails_to("alice@example.com")) == 1


async def test_an_unknown_template_cannot_be_queued(stack):
    with pytest.raises(ValueError):
        await mail.enqueue("nope", "a@example.com")


@pytest.mark.parametrize(("head", "expected"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    (b"GIF89a\x01\x00\x01\x00", "image/gif"),
    (b"GIF87a\x01\x00\x01\x00", "image/gif"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", None),
    (b"<!doctype html><script>", None),
    (b"%PDF-1.7\n", None),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    (b"", None),
])
def test_images_are_recognised_by_their_magic_numbers_only(head, expected):
    assert sniff_image(head) == expected
