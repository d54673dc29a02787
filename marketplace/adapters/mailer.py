"""Sending email: a small protocol and its SMTP implementation.

Services depend on `Mailer` only, so the digest can be driven by any sender;
the app and the CLI use `SmtpMailer`, configured from settings
(MARKETPLACE_SMTP_HOST / _PORT / _MAIL_FROM, and for a server that wants a
login _SMTP_USER / _SMTP_PASSWORD, with _SMTP_STARTTLS to encrypt first).
Plain text only: a digest quotes members' words, and plain text can't carry
markup or tracking. A mail may carry a file the app made (a receipt's PDF).

Two failures are told apart, because a caller reacts differently to each:
`MailServerDown` (no server to talk to: stop, every later send fails too) and
`MailRefused` (the server refused this one message: skip it, go on).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from marketplace.settings import Settings, get_settings

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail (a receipt's PDF): never a member's upload."""

    filename: str
    content_type: str  # "application/pdf", "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    # extra headers (List-Unsubscribe ...): name -> value
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()


def header_safe(value: str, limit: int = 200) -> str:
    """`value` on one line: control characters (CR/LF would start a new
    header: header injection) become spaces, runs of space one space."""
    flat = "".join(" " if ord(ch) < 0x20 or ord(ch) == 0x7F else ch for ch in value)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def refuse_injection(name: str, value: str) -> None:
    """A header value with a line break is refused, never sent."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise MailRefused(f"refused: the {name} header has a line break in it")


class MailError(Exception):
    """A message was not handed over to the mail server."""


class MailServerDown(MailError):
    """The mail server can't be reached or broke off the conversation."""


class MailRefused(MailError):
    """The mail server refused this message (a bad recipient, a policy)."""


class Mailer(Protocol):
    def send(self, email: Email) -> None:
        """Hand `email` to the mail system or raise MailError."""
        ...


class SmtpMailer:
    """One SMTP conversation per message: a daily digest sends few enough that
    a pooled connection would only add a way to fail (servers drop idle ones)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        login: tuple[str, str] | None = None,
        starttls: bool = False,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self._login, self.starttls = login, starttls

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> SmtpMailer:
        settings = settings or get_settings()
        login = (settings.smtp_user, settings.smtp_password)
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            login=login if settings.smtp_user else None,
            starttls=settings.smtp_starttls,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def send(self, email: Email) -> None:
        message = self._message(email)  # MailRefused for an injected header
        try:
            with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
                self._open(smtp)
                smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            raise MailRefused(
                f"the mail server refused the message: {error}"
            ) from error
        except smtplib.SMTPAuthenticationError as error:
            # every later message would be refused the same way: stop
            raise MailServerDown(
                f"the mail server at {self.where} refused the login ({error.smtp_code})"
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            reason = (
                getattr(error, "strerror", None) or str(error) or type(error).__name__
            )
            raise MailServerDown(
                f"can't reach the mail server at {self.where} ({reason})"
            ) from error

    def _open(self, smtp: smtplib.SMTP) -> None:
        """Encrypt before the password crosses the network, then log in."""
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self._login:
            smtp.login(*self._login)

    def _message(self, email: Email) -> EmailMessage:
        for name, value in (("To", email.to), ("Subject", email.subject)):
            refuse_injection(name, value)
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = email.to
        message["Subject"] = email.subject
        for name, value in email.headers:
            refuse_injection(name, value)
            message[name] = value
        message.set_content(email.body)
        for attached in email.attachments:
            refuse_injection("attachment", attached.filename)
            refuse_injection("attachment type", attached.content_type)
            (main, sub), params = content_type_parts(attached.content_type)
            message.add_attachment(
                attached.data,
                maintype=main,
                subtype=sub,
                filename=attached.filename,
                params=params,
            )
        return message


def content_type_parts(value: str) -> tuple[tuple[str, str], dict[str, str]]:
    """('text', 'calendar'), {'method': 'REQUEST'} from
    'text/calendar; method=REQUEST'."""
    kind, *rest = (part.strip() for part in value.split(";"))
    main, _, sub = kind.partition("/")
    params = {}
    for part in rest:
        name, _, param = part.partition("=")
        if name and param:
            params[name.strip().lower()] = param.strip().strip('"')
    return (main, sub), params


def send_in_background(*emails: Email | None, mailer: Mailer | None = None) -> None:
    """Send `emails` (None skipped) after the answer, from a thread: a page
    answers as fast whether or not a mail goes out, so its timing tells
    nothing, and a slow mail server slows no page. Failures are logged."""
    todo = [email for email in emails if email is not None]
    if todo:
        threading.Thread(target=_send_each, args=(todo, mailer), daemon=True).start()


def _send_each(emails: list[Email], mailer: Mailer | None) -> None:
    for email in emails:
        try:
            (mailer or SmtpMailer.from_settings()).send(email)
        except MailError:
            log.warning("could not send %r", email.subject, exc_info=True)
