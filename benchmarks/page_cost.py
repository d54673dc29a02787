"""What one page costs: each main page's load handler run in this process
against PostgreSQL at the load benchmark's size, against one read.

    python benchmarks/page_cost.py                 # 30 loads of each page
    python benchmarks/page_cost.py --repeat 100 --explain
    python benchmarks/page_cost.py --pages dashboard,market --profile /tmp/pc

The database is built as `benchmarks/load.py` builds it (the 50-member demo
network, then load-test members with tags and a standing offer), and a round
of activity on top: half the members post a karma request, the other half
answer one, and some of those are accepted, delivered and confirmed, so the
dashboard, the engagements and the inbox have what a member who uses the app
sees. `ANALYZE` follows, as a live database has statistics.

Per page, for one member after another (each handler as the browser calls
it: `State.handler.fn(state)` on a state tree built as Reflex builds it per
tab, the session cookie in its router's headers), the median of:

- `app ms`: this process's CPU time for the handler (Python, SQLAlchemy,
  psycopg), then `state ms`: Reflex's own work after it, the delta sent to
  the browser and the pickled states written to the state manager;
- `db ms`: CPU time of the PostgreSQL backends serving this process (the
  mean: their clock ticks in 10 ms);
- `statements`: how many statements the handler sent.

The baseline in the same run is one read, as the load benchmark's baseline
page does it: a state whose handler runs one SELECT of one row through the
app's own read session. With `--explain`, every distinct statement a page
sent is run again under `EXPLAIN (ANALYZE, BUFFERS)` and its plan's top line
and time are printed; `--profile` writes py-spy-like cProfile stats per page.

Last stdout line: one JSON object, `{"pages": [{"page", "app_ms", "state_ms",
"db_ms", "total_ms", "statements", "ratio_to_read"}, ...], "read": {...},
"ok": ...}`, ok when every page's total CPU is within `TARGET_RATIO` times
the read's (one read's round trip is not a page: the target is that a page is
a handful of reads, not dozens).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import inspect
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load
import reflex as rx
from sqlalchemy import event, select, text

from marketplace import db, routes
from marketplace.accounts import accounts
from marketplace.market import engagements, listings
from marketplace.models import Listing, Member
from marketplace.states.engagements import EngagementsState, EngagementState
from marketplace.states.inbox import InboxState
from marketplace.states.market import (
    ListingFormState,
    ListingState,
    MarketState,
)
from marketplace.states.nav import NavState
from marketplace.states.network import NetworkState
from marketplace.states.people import DashboardState, PeopleState
from marketplace.states.session import (
    FORM_KEY,
    SessionState,
)

TARGET_RATIO = 6.0
MEMBERS = 54  # the load benchmark's at 50 clients (plus its warm-up members)


class ReadState(SessionState):
    """The baseline: one SELECT of one row, as the load benchmark's baseline
    page does, through the app's own read session."""

    name: str = ""

    @rx.event
    def read(self):
        with db.read_only() as session:
            self.name = session.execute(
                select(Member.display_name).where(Member.id == 1)
            ).scalar_one()


@dataclass
class Page:
    name: str
    state: type
    handler: str
    url: Callable[[Fixture, int], str] = lambda _f, _i: "/"
    args: tuple = ()
    again: bool = False  # measure a second load of the same tab


@dataclass
class Fixture:
    tokens: list[str] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)
    listing_ids: list[int] = field(default_factory=list)
    engagement_of: dict[int, int] = field(default_factory=dict)  # member -> one
    own_request: dict[int, int] = field(default_factory=dict)  # member -> open one


PAGES = (
    Page(
        "dashboard",
        DashboardState,
        "load",
        lambda f, i: routes.DASHBOARD,
    ),
    Page(
        "dashboard again",  # within the minute its network side holds
        DashboardState,
        "load",
        lambda f, i: routes.DASHBOARD,
        again=True,
    ),
    Page("market", MarketState, "load", lambda f, i: routes.MARKET),
    Page("search", MarketState, "search", lambda f, i: routes.MARKET, ({"q": "help"},)),
    Page(
        "listing",
        ListingState,
        "load",
        lambda f, i: routes.listing(f.listing_ids[i % len(f.listing_ids)]),
    ),
    Page(
        "my request",  # its author's view: the who-to-ask panel
        ListingState,
        "load",
        lambda f, i: routes.listing(f.own_request[f.member_ids[i]]),
    ),
    Page("engagements", EngagementsState, "load", lambda f, i: routes.ENGAGEMENTS),
    Page(
        "engagement",
        EngagementState,
        "load",
        lambda f, i: routes.engagement(f.engagement_of.get(f.member_ids[i], 0)),
    ),
    Page("inbox", InboxState, "load", lambda f, i: routes.INBOX),
    Page("network", NetworkState, "load", lambda f, i: routes.NETWORK),
    Page("people", PeopleState, "load", lambda f, i: routes.PEOPLE),
    Page("heartbeat", NavState, "check_unread", lambda f, i: routes.DASHBOARD),
)
READ = Page("read", ReadState, "read", lambda f, i: "/")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- data


def build(args) -> tuple[load.Database, Fixture]:
    config = load.Config.parse("pg-redis-2w")
    scratch = Path(tempfile.mkdtemp(prefix="page-cost-"))
    database = load.make_database(config, scratch, 0)
    began = time.perf_counter()
    load.populate(database, args.members, args.seed)
    fixture = Fixture()
    with db.unit_of_work() as session:
        for email in database.emails:
            result = accounts.log_in(session, email=email, password=load.PASSWORD)
            fixture.tokens.append(result.token)
            fixture.member_ids.append(result.member_id)
    _activity(fixture, random.Random(args.seed))
    with database.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    say(f"database built in {time.perf_counter() - began:.0f}s: {database.pg_name}")
    return database, fixture


def _activity(fixture: Fixture, rng: random.Random) -> None:
    """What the load benchmark's pairs leave behind: requests, answers, and
    engagements at every step, so each page reads what a member would see."""
    ids = fixture.member_ids
    askers, helpers = ids[0::2], ids[1::2]
    steps = ("accept", "deliver", "confirm")
    for n, (asker, helper) in enumerate(zip(askers, helpers, strict=False)):
        with db.unit_of_work() as session:
            request = listings.create_listing(
                session,
                actor_id=asker,
                form={
                    "kind": "request",
                    "title": f"Looking for help with a plan {n}",
                    "description": "Half an hour of advice, for karma.",
                    "tags": "strategy",
                    "terms": "karma",
                    "price": "3",
                    "capacity": "1",
                    "audience": "public",
                },
            )
            answer = engagements.propose(
                session, actor_id=helper, listing_id=request.id, note="I can help."
            )
            for step in steps[: rng.randrange(len(steps) + 1)]:
                actor = helper if step == "deliver" else asker
                engagements.act(
                    session, actor_id=actor, engagement_id=answer.id, action=step
                )
            fixture.listing_ids.append(request.id)
            fixture.engagement_of[asker] = fixture.engagement_of[helper] = answer.id
    with db.unit_of_work() as session:  # one open request each, not answered yet
        for n, member_id in enumerate(ids):
            fixture.own_request[member_id] = listings.create_listing(
                session,
                actor_id=member_id,
                form={
                    "kind": "request",
                    "title": f"Who knows pricing? {n}",
                    "description": "A second opinion on a pricing page.",
                    "tags": "pricing, saas",
                    "terms": "karma",
                    "price": "2",
                    "capacity": "1",
                    "audience": "public",
                },
            ).id
    with db.read_only() as session:
        offers = session.execute(
            select(Listing.id).where(Listing.kind == "offer").limit(40)
        ).scalars()
        fixture.listing_ids.extend(offers)


# --------------------------------------------------------------------------- measuring


class Statements:
    """Every statement this process sends, while counting."""

    def __init__(self, engine) -> None:
        self.seen: list[tuple[str, object]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._heard)

    def _heard(self, _conn, _cursor, statement, parameters, _context, _many):
        if self.on:
            self.seen.append((statement, parameters))


class Backends:
    """CPU time of the PostgreSQL backends connected to our database."""

    def __init__(self, engine, name: str) -> None:
        self.engine, self.name = engine, name

    def cpu_seconds(self) -> float:
        total = 0.0
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if cmdline.startswith("postgres:") and f" {self.name} " in cmdline:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    total += times.user + times.system
        return total


@dataclass
class Figures:
    page: str
    app_ms: list[float] = field(default_factory=list)
    state_ms: list[float] = field(default_factory=list)
    db_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    shapes: Counter = field(default_factory=Counter)
    examples: dict[str, object] = field(default_factory=dict)

    def median(self, values: list[float]) -> float:
        return statistics.median(values) if values else 0.0

    def db_mean(self) -> float:
        # the backends' CPU clock ticks in 10 ms: a median of single loads
        # reads 0, the mean over all of them doesn't
        return sum(self.db_ms) / len(self.db_ms) if self.db_ms else 0.0

    def summary(self, read: Figures | None) -> dict:
        total = self.median(self.app_ms) + self.median(self.state_ms)
        total += self.db_mean()
        out = {
            "page": self.page,
            "app_ms": round(self.median(self.app_ms), 2),
            "state_ms": round(self.median(self.state_ms), 2),
            "db_ms": round(self.db_mean(), 2),
            "total_ms": round(total, 2),
            "statements": round(self.median(self.statements), 1),
        }
        if read is not None:
            base = read.summary(None)["total_ms"]
            out["ratio_to_read"] = round(total / base, 2) if base else None
        return out


def _handlers(page: Page):
    """The page's handler; one that loads in steps (a generator: dashboard,
    network) runs all of them, as within its one event."""
    fn = getattr(page.state, page.handler).fn

    def run(state, *args):
        answer = fn(state, *args)
        if not inspect.isgenerator(answer):
            return answer
        steps = [step for step in answer if step is not None]  # every step runs
        return steps[0] if steps else None

    return run


def tab(state_cls: type, token: str, url: str):
    """A state tree as Reflex builds one per tab, its socket carrying `token`."""
    from tests.integration.test_state_security import state_of

    return state_of(state_cls, token, url=url)


def measure(page: Page, fixture: Fixture, args, stmts, backends) -> Figures:
    figures = Figures(page.name)
    members = len(fixture.tokens)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    for i in range(args.repeat + args.warmup):
        m = i % members
        state = tab(page.state, fixture.tokens[m], page.url(fixture, m))
        handler = _handlers(page)
        state._member()  # the session check is remembered per worker
        if page.again:
            handler(state, *page.args)
            state._get_root_state()._clean()
        stmts.seen.clear()
        stmts.on = True
        db_before = backends.cpu_seconds()
        cpu = time.process_time()
        if profiler is not None and i >= args.warmup:
            profiler.enable()
        answer = handler(state, *page.args)
        if profiler is not None:
            profiler.disable()
        app = time.process_time() - cpu
        stmts.on = False
        db_cpu = backends.cpu_seconds() - db_before
        cpu = time.process_time()
        root = state._get_root_state()
        root.get_delta()
        for substate in _loaded(root):
            substate._serialize()
        root._clean()
        own = time.process_time() - cpu
        if _refused(answer):
            raise SystemExit(f"{page.name}: the handler refused: {answer!r}")
        if i < args.warmup:
            continue
        figures.app_ms.append(app * 1000)
        figures.state_ms.append(own * 1000)
        figures.db_ms.append(db_cpu * 1000)
        figures.statements.append(len(stmts.seen))
        for statement, params in stmts.seen:
            shape = _shape(statement)
            figures.shapes[shape] += 1
            figures.examples.setdefault(shape, (statement, params))
    if profiler is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(args.profile / f"{page.name}.prof")
    return figures


WRITES = ("save listing", "propose", "accept", "message", "deliver", "confirm")


def measure_writes(fixture: Fixture, args, stmts, backends) -> list[Figures]:
    """The load benchmark's pair steps through their handlers, as a pair of
    members takes them: a request posted, answered, accepted, a message,
    delivered, confirmed. Each step's figures as a page's."""
    figures = {name: Figures(name) for name in WRITES}
    profilers = {
        name: cProfile.Profile(time.process_time) for name in WRITES if args.profile
    }
    ids, tokens = fixture.member_ids, fixture.tokens
    for n in range(args.repeat + args.warmup):
        a, b = (2 * n) % len(ids), (2 * n + 1) % len(ids)
        got: dict[str, int] = {}
        for name, token, cls, handler, url, form in _pair_steps(
            n, tokens[a], tokens[b], got
        ):
            state = tab(cls, token, url())
            state._member()
            if FORM_KEY in form():
                state._show_forms(form()[FORM_KEY])
            fields = form()
            if FORM_KEY in fields:
                fields[FORM_KEY] = state.form_keys[fields[FORM_KEY]]
            stmts.seen.clear()
            stmts.on = True
            db_before = backends.cpu_seconds()
            profiler = profilers.get(name) if n >= args.warmup else None
            if profiler is not None:
                profiler.enable()
            cpu = time.process_time()
            answer = getattr(cls, handler).fn(state, fields)
            app = time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
            stmts.on = False
            db_cpu = backends.cpu_seconds() - db_before
            cpu = time.process_time()
            root = state._get_root_state()
            root.get_delta()
            for substate in _loaded(root):
                substate._serialize()
            own = time.process_time() - cpu
            if _refused(answer):
                raise SystemExit(f"{name}: the handler refused: {answer!r}")
            _remember(name, answer, got)
            if n >= args.warmup:
                f = figures[name]
                f.app_ms.append(app * 1000)
                f.state_ms.append(own * 1000)
                f.db_ms.append(db_cpu * 1000)
                f.statements.append(len(stmts.seen))
                for statement, params in stmts.seen:
                    f.shapes[_shape(statement)] += 1
                    f.examples.setdefault(_shape(statement), (statement, params))
    for name, profiler in profilers.items():
        args.profile.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(args.profile / f"{name.replace(' ', '_')}.prof")
    return list(figures.values())


def _pair_steps(n: int, asker: str, helper: str, got: dict):
    """(name, token, state, handler, url, form) of one cycle; ids come from
    the answers of the steps before (`got`)."""
    request = {
        "kind": "request", "title": f"Need a hand with planning (round {n})",
        "description": "Looking for someone who knows planning for an hour.",
        "tags": "planning", "terms": "karma", "price": "3", "currency": "usd",
        "rate_kind": "hourly", "capacity": "1", "deadline": "", "audience": "public",
        "chosen": "", FORM_KEY: "listing",
    }  # fmt: skip

    def engagement(action: str) -> Callable[[], dict]:
        return lambda: {"engagement_id": str(got["engagement"]), "action": action}

    def url() -> str:
        return routes.engagement(got.get("engagement", 0))

    return [
        ("save listing", asker, ListingFormState, "save",
         lambda: routes.LISTING_NEW, lambda: dict(request)),
        ("propose", helper, ListingState, "propose",
         lambda: routes.listing(got["listing"]),
         lambda: {"listing_id": str(got["listing"]), "note": "Happy to help.",
                  FORM_KEY: "booking"}),
        ("accept", asker, EngagementState, "act", url, engagement("accept")),
        ("message", helper, EngagementState, "send_message", url,
         lambda: {"engagement_id": str(got["engagement"]),
                  "body": "On it; notes tonight.", FORM_KEY: "message"}),
        ("deliver", helper, EngagementState, "act", url, engagement("deliver")),
        ("confirm", asker, EngagementState, "act", url, engagement("confirm")),
    ]  # fmt: skip


def _remember(name: str, answer: object, got: dict) -> None:
    """The new listing's and engagement's ids, from the redirect answered."""
    found = re.findall(r"/(market|engagements)/(\d+)", str(answer))
    for where, number in found:
        got["listing" if where == "market" else "engagement"] = int(number)


def _loaded(root) -> list:
    found, stack = [], [root]
    while stack:
        state = stack.pop()
        found.append(state)
        stack.extend(state.substates.values())
    return found


def _refused(answer: object) -> bool:
    text_ = str(answer)
    return ("toast" in text_ and "error" in text_) or routes.LOGIN in text_


def _shape(statement: str) -> str:
    return re.sub(r"\s+", " ", statement).strip()


def explain(database: load.Database, figures: Figures, out: Console) -> None:
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for shape, count in figures.shapes.most_common():
            statement, params = figures.examples[shape]
            if not shape.upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params
            )
            plan = cursor.fetchone()[0][0]
            top = plan["Plan"]
            out.print(
                f"    {count / max(1, len(figures.statements)):4.1f}x "
                f"{plan['Execution Time']:6.2f} ms  {top['Node Type']:<18} "
                f"{shape[:110]}",
                highlight=False,
                markup=False,
            )
        raw.rollback()
    finally:
        raw.close()


# --------------------------------------------------------------------------- report


def report(results: list[Figures], read: Figures, args, out: Console) -> dict:
    table = Table(title=f"One page load, median of {args.repeat} (CPU ms)")
    for column in ("page", "app", "state", "db", "total", "statements", "x read"):
        table.add_column(column, justify="left" if column == "page" else "right")
    rows = [read.summary(None) | {"ratio_to_read": 1.0}]
    rows += [f.summary(read) for f in results]
    for row in rows:
        table.add_row(
            row["page"],
            f"{row['app_ms']:.2f}",
            f"{row['state_ms']:.2f}",
            f"{row['db_ms']:.2f}",
            f"{row['total_ms']:.2f}",
            f"{row['statements']:.0f}",
            f"{row['ratio_to_read']:.1f}",
        )
    out.print(table)
    pages = rows[1:]
    ok = all(p["ratio_to_read"] <= TARGET_RATIO for p in pages)
    return {"pages": pages, "read": rows[0], "target_ratio": TARGET_RATIO, "ok": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pages", help="comma-separated page names (default all)")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--writes", action="store_true", help="and the load mix's write steps"
    )
    parser.add_argument("--profile", type=Path, help="cProfile stats per page here")
    args = parser.parse_args(argv)
    chosen = set(args.pages.split(",")) if args.pages else None
    pages = [p for p in PAGES if chosen is None or p.name in chosen]
    os.environ.setdefault("MARKETPLACE_ENV", "development")
    out = Console(file=sys.stdout, width=200)
    database, fixture = build(args)
    try:
        stmts = Statements(database.engine)
        backends = Backends(database.engine, database.pg_name)
        read = measure(READ, fixture, args, stmts, backends)
        results = []
        for page in pages:
            say(f"  {page.name}")
            results.append(measure(page, fixture, args, stmts, backends))
        if args.writes:
            say("  writes: a pair's engagement, step by step")
            results += measure_writes(fixture, args, stmts, backends)
        summary = report(results, read, args, out)
        if args.explain:
            for figures in results:
                out.print(f"{figures.page}: statements per load, plan, execution")
                explain(database, figures, out)
    finally:
        database.close()
    print(json.dumps(summary), flush=True)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
