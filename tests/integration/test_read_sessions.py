"""A page's read session: one snapshot, nothing it changes is written, and on
PostgreSQL its statements stay prepared from one read to the next (psycopg
forgets them on every rollback, and PostgreSQL would plan each query of every
page afresh). SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from marketplace import db
from marketplace.db import read_only, unit_of_work
from marketplace.market import threads
from marketplace.models import Member
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import post, propose
from tests.integration.network.test_graph_across_workers import pg  # noqa: F401


def test_a_page_read_stays_prepared_across_reads(pg):  # noqa: F811
    """PostgreSQL only: SQLite keeps its own statement cache."""
    ada, bob = member("ada"), member("bob")
    engagement = propose(bob, post(ada, terms="free", price=0))
    for _ in range(db.PREPARE_AFTER_RUNS + 1):  # then prepared on its next run
        with read_only() as s:
            threads.party_engagement(s, ada.member_id, engagement)
            prepared = s.execute(
                text("SELECT count(*) FROM pg_prepared_statements")
            ).scalar_one()
    assert prepared >= 1


def test_rows_changed_in_a_read_are_not_written(ada):
    with read_only() as s:
        s.get(Member, ada.member_id).display_name = "Shown only"
    with read_only() as s:
        assert s.get(Member, ada.member_id).display_name == "Ada"


def test_a_read_ends_its_transaction_either_way(ada):
    """A read that fails midway leaves nothing open on the connection it
    hands back (the next unit of work gets a clean one)."""
    try:
        with read_only() as s:
            s.get(Member, ada.member_id)
            raise ValueError("the page crashed")
    except ValueError:
        pass
    with unit_of_work() as s:
        s.get(Member, ada.member_id).headline = "Pricing"
    with read_only() as s:
        assert s.get(Member, ada.member_id).headline == "Pricing"
