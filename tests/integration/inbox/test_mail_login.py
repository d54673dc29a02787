"""A mail server that wants a login (aiosmtpd with AUTH on a free local port):
the mailer logs in with MARKETPLACE_SMTP_USER / _PASSWORD before it sends, and
a refused login stops the run with a message that never repeats the password."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from marketplace.adapters.mailer import Email, MailServerDown, SmtpMailer
from marketplace.settings import load_settings
from tests.integration.inbox.test_digest import MailSink, free_port

# aiosmtpd warns about AUTH without TLS: true, and why only 127.0.0.1 is used
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring")
USER, PASSWORD = "karma-digest", "Qp7vN2xL9sT4wK8m"
EMAIL = Email(to="ada@karma.example", subject="Your day", body="Hello")


def only_karma(server, session, envelope, mechanism, auth_data) -> AuthResult:
    wanted = LoginPassword(USER.encode(), PASSWORD.encode())
    # handled=False: aiosmtpd answers a refusal itself (535)
    return AuthResult(success=auth_data == wanted, handled=False)


@pytest.fixture
def server():
    """Plain SMTP with AUTH allowed without TLS: a test on this machine only."""
    sink, port = MailSink(), free_port()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        authenticator=only_karma,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield sink, port
    controller.stop()


def mailer_for(port: int, password: str) -> SmtpMailer:
    settings = load_settings(
        {
            "MARKETPLACE_SMTP_PORT": str(port),
            "MARKETPLACE_SMTP_USER": USER,
            "MARKETPLACE_SMTP_PASSWORD": password,
        }
    )
    return SmtpMailer.from_settings(settings)


def test_the_mailer_logs_in_with_the_configured_credentials(server):
    sink, port = server
    mailer_for(port, PASSWORD).send(EMAIL)
    assert [message["Subject"] for message in sink.messages] == ["Your day"]


def test_a_refused_login_stops_the_run_without_repeating_the_password(server):
    sink, port = server
    with pytest.raises(MailServerDown, match="refused the login") as refused:
        mailer_for(port, "wrong-password-123").send(EMAIL)
    assert "wrong-password-123" not in str(refused.value)
    assert sink.messages == []


def test_without_a_user_the_mailer_does_not_log_in(server):
    sink, port = server
    mailer = SmtpMailer.from_settings(
        load_settings({"MARKETPLACE_SMTP_PORT": str(port)})
    )
    # this server wants a login: the message is refused, not sent
    with pytest.raises(MailServerDown):
        mailer.send(EMAIL)
    assert sink.messages == []
