"""Members as tests need them: signed up, their mailed link followed, signed in.

The same steps as a newcomer's (accounts.register, the link in the mail it
returns, verification.verify_email), without a mailbox in between.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session

from marketplace.accounts import accounts, verification
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Email

LINK = re.compile(r"https?://\S+/verify\?\S+")


def link_token(mail: Email | str) -> str:
    """The token of the verification link in `mail` (or a mail's text)."""
    text = mail if isinstance(mail, str) else mail.body
    found = LINK.search(text)
    assert found, f"no verification link in {text!r}"
    return parse_qs(urlsplit(found.group(0)).query)["token"][0]


def sign_up(
    session: Session, *, clock: Clock = system_clock, verified: bool = True, **form
) -> accounts.LoginResult:
    """Register, follow the mailed link (unless `verified` is False), sign in."""
    done = accounts.register(session, clock=clock, **form)
    if verified:
        verification.verify_email(session, link_token(done.mail), clock=clock)
    return accounts.open_session(session, done.member_id, clock)
