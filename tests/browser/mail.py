"""The browser tests' mailbox: the session's aiosmtpd server (conftest
`mailbox` puts its sink here) and following the links mailed to someone, as
a person would click them in their mail client."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from urllib.parse import urlsplit

SINK = None  # the running MailSink, set by conftest's `mailbox`
LINK = re.compile(r"https?://\S+")


def mails_to(address: str) -> list[EmailMessage]:
    assert SINK is not None, "the `mailbox` fixture is not running"
    return SINK.to(address)


def wait_for_mail(address: str, path: str, timeout: float = 20.0) -> EmailMessage:
    """The newest mail to `address` with a link to `path`, waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in reversed(mails_to(address)):
            if link_in(mail, path):
                return mail
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} with a link to {path}")


def link_in(mail: EmailMessage, path: str) -> str:
    """The path and query of the first link to `path` in `mail` ('' if none)."""
    for link in LINK.findall(mail.get_content()):
        parts = urlsplit(link)
        if parts.path == path:
            return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return ""


def follow(page, address: str, path: str) -> None:
    """Open, in `page`, the newest link to `path` mailed to `address`: on
    the app's own host (the mail names the configured base URL)."""
    here = urlsplit(page.url)
    target = link_in(wait_for_mail(address, path), path)
    page.goto(f"{here.scheme}://{here.netloc}{target}")
