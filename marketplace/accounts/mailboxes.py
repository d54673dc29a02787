"""Which account a mailbox belongs to: one mailbox, one account.

Addresses are compared by their canonical form (domain/accounts.py,
`canonical_email`), never as typed, so `Ann+x@gmail.com` finds `a.nn@gmail.com`.
"""

from __future__ import annotations

from sqlmodel import Session, select

from marketplace import routes
from marketplace.adapters.mailer import Email
from marketplace.domain.accounts import canonical_email
from marketplace.domain.errors import Conflict
from marketplace.models import Member
from marketplace.settings import get_settings


def member_by_email(session: Session, email: str) -> Member | None:
    """The account of the mailbox `email` (normalized) reaches, however typed."""
    return session.exec(
        select(Member).where(Member.email_canonical == canonical_email(email))
    ).first()


class KnownAddress(Conflict):
    """A sign-up or a change of address onto a mailbox that has an account.
    The caller answers as it would for a free one and mails the owner
    (`known_address_email`), so no form tells a stranger which
    addresses have accounts."""

    def __init__(self, owner_id: int, email: str) -> None:
        super().__init__("An account with that email already exists.")
        self.owner_id = owner_id
        self.email = email


def refuse_taken_email(owner: Member) -> None:
    """Stop a sign-up onto `owner`'s mailbox."""
    raise KnownAddress(owner.id, owner.email)


def known_address_email(to: str) -> Email:
    """What the owner of an address gets when someone signs up with it, or
    asks to move another account onto it."""
    base = get_settings().base_url.rstrip("/")
    return Email(
        to=to,
        subject="Someone tried to use your address on Karma",
        body=(
            "Someone just tried to use this address for a Karma account, but "
            "it already has one: yours. If it was you, log in:\n\n"
            f"{base}{routes.LOGIN}\n\nor set a new password:\n\n"
            f"{base}{routes.FORGOT_PASSWORD}\n\n"
            "If it wasn't you, ignore this mail: nothing was changed."
        ),
    )
