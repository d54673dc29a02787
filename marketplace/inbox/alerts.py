"""Email alerts: per kind of event, how a member wants to hear of it.

Seven kinds a member chooses for — a booking, an answer (someone offered
help with my request), a message, an intro, a nudge, a payment, a reminder
before a call — each
`immediately` (one email now, through the outbox), `digest` (gathered into
the daily digest, for members who asked for one) or `never`.

Notifications are written with their own kinds (engagement, message,
intro, ...); `alert_kind` maps them onto the seven. A notifier that knows
better (a proposal on a request is an answer) says so with `alert=`.

Unsubscribe links carry an HMAC of (member, kind) with the app's secret key,
so they work without logging in and cannot be forged for someone else. The
daily digest has a link of its own, kind `digest`: it turns the digest off.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from sqlmodel import Session, select

from marketplace import routes
from marketplace.domain.errors import InvalidInput
from marketplace.models import AlertPreference, Member
from marketplace.settings import PROJECT_ROOT, get_settings

IMMEDIATE, DIGEST, NEVER = "immediate", "digest", "never"
CHOICES = (IMMEDIATE, DIGEST, NEVER)
CHOICE_LABELS = {IMMEDIATE: "Immediately", DIGEST: "Daily digest", NEVER: "Never"}


@dataclass(frozen=True)
class AlertKind:
    name: str
    label: str
    default: str


KINDS: tuple[AlertKind, ...] = (
    AlertKind("booking", "Bookings of my offers and their next steps", IMMEDIATE),
    AlertKind("answer", "Answers to my requests", IMMEDIATE),
    AlertKind("message", "Messages", IMMEDIATE),
    AlertKind("intro", "Introductions and connections", IMMEDIATE),
    AlertKind("nudge", "Nudges: people I could help", DIGEST),
    AlertKind("payment", "Payments: karma or money settled", IMMEDIATE),
    AlertKind("reminder", "Reminders before my calls", IMMEDIATE),
)
BY_NAME = {kind.name: kind for kind in KINDS}

# notification kind -> alert kind (unlisted notification kinds send no alert)
NOTIFICATION_ALERTS = {
    "engagement": "booking",
    "review": "booking",
    "dispute": "booking",
    "message": "message",
    "intro": "intro",
    "connection": "intro",
    "ask": "nudge",
    "context": "nudge",
    "payment": "payment",
    "reminder": "reminder",
}

UNSUBSCRIBE_PATH = routes.ALERTS_UNSUBSCRIBE
# The digest's own link: not an alert kind (no choice of its own), it is the
# "Email me a daily digest" box of Edit profile.
DIGEST_MAIL = "digest"
LINK_LABELS = {kind.name: kind.label for kind in KINDS} | {
    DIGEST_MAIL: "The daily digest"
}


def alert_kind(notification_kind: str) -> str | None:
    return NOTIFICATION_ALERTS.get(notification_kind)


def choices_of(session: Session, member_id: int) -> dict[str, str]:
    """Every kind's choice for the member, defaults filled in."""
    rows = session.exec(
        select(AlertPreference).where(AlertPreference.member_id == member_id)
    ).all()
    chosen = {row.kind: row.choice for row in rows}
    return {kind.name: chosen.get(kind.name, kind.default) for kind in KINDS}


def choice_of(session: Session, member_id: int, kind: str) -> str:
    row = session.get(AlertPreference, (member_id, kind))
    return row.choice if row else BY_NAME[kind].default


def choose(session: Session, *, actor_id: int, kind: object, choice: object) -> str:
    """The member's choice for one kind; anything else is refused, unchanged."""
    if not isinstance(kind, str) or kind not in BY_NAME:
        raise InvalidInput("There is no such kind of alert.", "kind")
    if not isinstance(choice, str) or choice not in CHOICES:
        raise InvalidInput("Choose immediately, daily digest or never.", "choice")
    row = session.get(AlertPreference, (actor_id, kind))
    if row is None:
        row = AlertPreference(member_id=actor_id, kind=kind, choice=choice)
    row.choice = choice
    session.add(row)
    return choice


# --------------------------------------------------------------------------- links


@lru_cache(maxsize=1)
def _development_key() -> bytes:
    """A key made for this installation, kept in .data/ (development only:
    elsewhere MARKETPLACE_SECRET_KEY is set)."""
    path = PROJECT_ROOT / ".data" / "secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        try:
            with path.open("x") as out:
                out.write(secrets.token_hex(32))
        except FileExistsError:
            pass  # another worker made it first
    return path.read_text().strip().encode()


def secret_key() -> bytes:
    configured = get_settings().secret_key
    return configured.encode() if configured else _development_key()


def signature(member_id: int, kind: str) -> str:
    message = f"unsubscribe:{int(member_id)}:{kind}".encode()
    return hmac.new(secret_key(), message, hashlib.sha256).hexdigest()[:32]


def unsubscribe_url(member_id: int, kind: str) -> str:
    query = urlencode({"m": member_id, "k": kind, "s": signature(member_id, kind)})
    return f"{api_base_url()}{UNSUBSCRIBE_PATH}?{query}"


def api_base_url() -> str:
    """Where the backend's HTTP routes answer: REFLEX_API_URL when set; in
    development on this machine the backend's own port (the pages' port
    serves no /api there, as Reflex's own default api_url says); otherwise
    the public address (one port in production)."""
    if explicit := os.environ.get("REFLEX_API_URL", "").strip():
        return explicit.rstrip("/")
    settings = get_settings()
    base = urlsplit(settings.base_url.strip())
    if settings.is_development and base.hostname in ("localhost", "127.0.0.1"):
        port = os.environ.get("REFLEX_BACKEND_PORT", "8000").strip() or "8000"
        return f"{base.scheme}://{base.hostname}:{port}"
    return settings.base_url.rstrip("/")


def check_unsubscribe(member: object, kind: object, sig: object) -> tuple[int, str]:
    """(member id, kind) of a genuine link, or InvalidInput (one message for
    every bad link: nothing says which part was wrong)."""
    bad = InvalidInput("This unsubscribe link is not valid.", "link")
    if not (isinstance(member, str) and member.isascii() and member.isdigit()):
        raise bad
    if len(member) > 12 or not isinstance(kind, str) or kind not in LINK_LABELS:
        raise bad
    if not isinstance(sig, str) or not hmac.compare_digest(
        sig.encode(), signature(int(member), kind).encode()
    ):
        raise bad
    return int(member), kind


def unsubscribe(session: Session, member: object, kind: object, sig: object) -> str:
    """Turn off one kind of alert mail (or the daily digest) for the link's
    member; returns its label. Repeating it changes nothing."""
    member_id, name = check_unsubscribe(member, kind, sig)
    found = session.get(Member, member_id)
    if found is None:
        raise InvalidInput("This unsubscribe link is not valid.", "link")
    if name == DIGEST_MAIL:
        found.digest_opt_in = False  # as unticking it on Edit profile does
        session.add(found)
    else:
        choose(session, actor_id=member_id, kind=name, choice=NEVER)
    return LINK_LABELS[name]


def digest_on(session: Session, member_id: int) -> bool:
    """Whether the member asked for the daily digest (Edit profile): the
    'daily digest' choice only mails anything then."""
    member = session.get(Member, member_id)
    return bool(member and member.digest_opt_in)
