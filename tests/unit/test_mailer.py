"""The SMTP conversation's order: STARTTLS before the login, so the password
never crosses the network in clear; no login at all without a user."""

from __future__ import annotations

import pytest

from marketplace.adapters import mailer as mailer_module
from marketplace.adapters.mailer import Email, SmtpMailer
from marketplace.settings import load_settings

EMAIL = Email(to="ada@karma.example", subject="Your day", body="Hello")


class RecordingSmtp:
    """Stands in for smtplib.SMTP and writes down what was asked of it."""

    calls: list[str]

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls = RecordingSmtp.calls

    def __enter__(self) -> RecordingSmtp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("quit")

    def starttls(self, context: object = None) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user}")

    def send_message(self, message: object) -> None:
        self.calls.append("send")


@pytest.fixture
def conversation(monkeypatch) -> list[str]:
    RecordingSmtp.calls = []
    monkeypatch.setattr(mailer_module.smtplib, "SMTP", RecordingSmtp)
    return RecordingSmtp.calls


def mailer(**env: str) -> SmtpMailer:
    return SmtpMailer.from_settings(load_settings(env))


def test_starttls_comes_before_the_login(conversation):
    mailer(
        MARKETPLACE_SMTP_USER="karma-digest",
        MARKETPLACE_SMTP_PASSWORD="Qp7vN2xL9sT4wK8m",
        MARKETPLACE_SMTP_STARTTLS="1",
    ).send(EMAIL)
    assert conversation == ["starttls", "login karma-digest", "send", "quit"]


def test_without_a_user_there_is_no_login_and_no_starttls_unless_asked(conversation):
    mailer().send(EMAIL)
    assert conversation == ["send", "quit"]


def test_header_values_are_put_on_one_line():
    from marketplace.adapters.mailer import header_safe

    assert header_safe("Eve\r\nBcc: x@y.z  booked\t“Pricing”") == (
        "Eve Bcc: x@y.z booked “Pricing”"
    )
    assert header_safe("x" * 300, 10) == "x" * 9 + "…"


def test_an_attachment_travels_with_the_text_and_a_line_break_in_its_name_is_refused():
    from marketplace.adapters.mailer import Attachment, MailRefused

    pdf = Attachment("receipt-R-2026-000001.pdf", "application/pdf", b"%PDF-1.3 x")
    message = mailer()._message(
        Email(to="ada@karma.example", subject="Receipt", body="Hi", attachments=(pdf,))
    )
    assert message.get_body(("plain",)).get_content() == "Hi\n"
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == "receipt-R-2026-000001.pdf"
    assert attached.get_content() == b"%PDF-1.3 x"
    forged = Attachment("a.pdf\r\nBcc: eve@x.y", "application/pdf", b"")
    with pytest.raises(MailRefused):
        mailer()._message(
            Email(to="a@b.c", subject="s", body="b", attachments=(forged,))
        )


def test_an_attachments_type_keeps_its_parameters():
    from marketplace.adapters.mailer import Attachment

    invite = Attachment(
        "invite.ics", "text/calendar; charset=utf-8; method=CANCEL", b"BEGIN:VCALENDAR"
    )
    message = SmtpMailer("127.0.0.1", 25, "Karma <a@karma.example>")._message(
        Email(to="ada@karma.example", subject="s", body="b", attachments=(invite,))
    )
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert (part.get_param("method"), part.get_param("charset")) == ("CANCEL", "utf-8")


def test_an_attachment_type_with_a_line_break_is_refused():
    from marketplace.adapters.mailer import Attachment, MailRefused

    sly = Attachment("a.ics", "text/calendar\r\nBcc: x@evil.example", b"x")
    with pytest.raises(MailRefused):
        SmtpMailer("127.0.0.1", 25, "Karma <a@karma.example>")._message(
            Email(to="ada@karma.example", subject="s", body="b", attachments=(sly,))
        )
