"""Reports waiting on the moderation desk, so the operator `ops` finds work.

Two demo accounts report one generated member's listing (spam, then scam
with a note) and a third reports another generated member's profile. They go
through `reports.file_report`, as a member's would, and the desk groups
them by item. Written once: a run that finds reports by the demo accounts
adds none.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from marketplace.accounts import reports
from marketplace.adapters.clock import Clock
from marketplace.demo.members import DEMO_HANDLES
from marketplace.models import Listing, Report

REPORTERS = ("priya", "marcus", "lena")


def seed_reports(session: Session, ids: dict[str, int], clock: Clock) -> int:
    """The demo's open reports; returns how many this run wrote."""
    reporters = [ids[h] for h in REPORTERS if h in ids]
    if len(reporters) < len(REPORTERS) or _already(session, reporters):
        return 0
    demo_ids = [ids[h] for h in DEMO_HANDLES if h in ids]
    listings = session.exec(
        select(Listing)
        .where(
            Listing.audience == "public",
            Listing.status == "open",
            col(Listing.author_id).not_in(demo_ids),
        )
        .order_by(col(Listing.id))
        .limit(2)
    ).all()
    if len(listings) < 2 or listings[0].author_id == listings[1].author_id:
        return 0
    wanted = [
        (reporters[0], "listing", listings[0].id, "spam", ""),
        (
            reporters[1],
            "listing",
            listings[0].id,
            "scam",
            "Asked me to pay outside the platform before we even talked.",
        ),
        (reporters[2], "member", listings[1].author_id, "impersonation", ""),
    ]
    for reporter, kind, item, reason, note in wanted:
        reports.file_report(
            session,
            reporter_id=reporter,
            kind=kind,
            item=item,
            reason=reason,
            note=note,
            clock=clock,
        )
    return len(wanted)


def _already(session: Session, reporters: list[int]) -> bool:
    return (
        session.exec(
            select(Report.id).where(col(Report.reporter_id).in_(reporters))
        ).first()
        is not None
    )
