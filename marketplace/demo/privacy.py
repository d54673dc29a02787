"""Demo privacy settings, so the privacy page and the profiles show the idea
at work: Marcus keeps his email and karma balance to himself, Lena shows
her connections to everyone but takes connection requests only from the
2nd degree, and among the generated members one is hidden from people
search, one shows her location to connections only, and one takes no
connection requests at all. Everyone else has the defaults.

Idempotent, and a member's own choice wins: only members with no settings
row yet are given one (accounts/privacy.save_all, as the member).
"""

from __future__ import annotations

from sqlmodel import Session

from marketplace.accounts import privacy
from marketplace.adapters.clock import Clock
from marketplace.models import PrivacySetting

DEMO_CHOICES: dict[str, dict[str, object]] = {
    "marcus": {"email": "me", "karma": "me"},
    "lena": {"connections": "everyone", "connect_requests": "second"},
}
# for the first generated members, in order
GENERATED_CHOICES: tuple[dict[str, object], ...] = (
    {"hidden_from_search": True},
    {"location": "first", "reviews": "second"},
    {"connect_requests": "nobody", "give_get": "first"},
)


def seed_privacy(
    session: Session, ids: dict[str, int], generated: list[str], clock: Clock
) -> int:
    """Give the chosen demo members their settings; returns how many rows
    were written this time."""
    chosen = dict(DEMO_CHOICES)
    chosen.update(zip(generated, GENERATED_CHOICES, strict=False))
    written = 0
    for handle, form in chosen.items():
        member_id = ids.get(handle)
        if member_id is None or session.get(PrivacySetting, member_id) is not None:
            continue
        privacy.save_all(
            session, actor_id=member_id, member_id=member_id, form=form, clock=clock
        )
        written += 1
    return written
