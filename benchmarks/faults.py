"""Fault tests: the production set-up (PostgreSQL + Redis + several Granian
workers) under the load test's realistic mix, while a worker dies, PostgreSQL
restarts, or Redis restarts.

    python benchmarks/faults.py                      # all three, ~5 minutes
    python benchmarks/faults.py --faults kill-worker --clients 40 --seconds 40

Per fault, against a fresh database (`bench_load_<pid>_<n>`, populated as
`benchmarks/load.py` does) and a fresh `reflex run --env prod --backend-only`
with `--workers` workers and the Reflex state in our own Redis database:

1. `--clients` members connect and log in over the real WebSocket protocol
   (load.py's client: the session cookie, HttpOnly, in each socket's
   handshake), then act out load.py's pairs -- post, find, offer, accept,
   message, deliver, confirm, browse -- one action about every 0.5 s, with
   the navigation's heartbeat every 15 s, as the browser's timer does;
2. after `--before` seconds the fault:
   - `kill-worker`: SIGKILL the worker holding the most sockets. Its clients'
     sockets drop; each reconnects as socket.io does (after 1-2 s, same tab
     token, the cookie in the new handshake) to whichever worker takes it,
     and goes on from the page it was on: its page state lives in Redis;
   - `restart-postgres`: `pg_ctlcluster <version> main restart`. Events fail
     while the server is away; the app must come back by itself;
   - `restart-redis`: `redis-cli shutdown nosave`, then `redis-server
     /etc/redis/redis.conf` (this machine's Redis keeps nothing on disk, so
     every page state is gone). The pages stay signed in: the member comes
     from the socket's cookie, which the browser holds, not from the state,
     so a fresh state (on a worker that lives on, or after the reconnect to
     one that replaced it) knows them at its next event;
3. the window goes on for `--after` seconds; the last `--settled` seconds of it
   must be free of errors (the set-up recovered);
4. checks: the ledger audit is clean; every engagement a client saw confirmed
   is confirmed in the database; every karma hold is resolved the way its
   engagement's status says (confirmed: posted once; accepted or delivered:
   still pending; cancelled: voided) -- no transfer lost or doubled.

Reported per fault: errors before, during and after the recovery, the outage
(from the fault to the last failed round trip), reconnects,
round trips per second before and after, and the checks. The last stdout line
is one JSON object with a row per fault and `ok`: every fault recovered (no
error in the settled part), a clean audit and a consistent ledger.

Run it on a quiet machine: it restarts the machine's PostgreSQL and Redis,
which anything else using them will notice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import load
from load import (
    PG_DATABASES,
    REDIS_DBS,
    REDIS_HOST,
    REDIS_PORT,
    SERVERS,
    Config,
    Disconnected,
    Pair,
    Recorder,
    Server,
    SimMember,
    StepFailed,
    act_out,
    copy_app,
    heartbeats,
    make_database,
    populate,
    say,
)
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from marketplace import db
from marketplace.ledger.audit import audit_ledger

FAULTS = ("kill-worker", "restart-postgres", "restart-redis")
REDIS_CONF = "/etc/redis/redis.conf"


# --------------------------------------------------------------------------- clients


class Tab(SimMember):
    """load.py's member, plus what a browser tab does after a fault: it
    reconnects when its socket drops. The cookie stays in the tab's jar
    whatever the server lost (it never comes in a delta), so the new socket
    carries it and the page is signed in again."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reconnects = 0

    async def come_back(self) -> None:
        """socket.io's reconnect: a new socket with the same tab token and
        the cookie in its handshake, hydrating the page it was on."""
        await self.reload(self.path)
        self.reconnects += 1


async def recover(tab: Tab, rng: random.Random) -> bool:
    """A browser's recovery, for load.act_out: a dropped socket reconnects
    after 1-2 s. True when it took the turn."""
    if not tab.socket.closed.is_set():
        return False
    await asyncio.sleep(rng.uniform(1.0, 2.0))  # socket.io's delay
    try:
        await tab.come_back()
    except (StepFailed, Disconnected, OSError, TimeoutError) as failure:
        tab.rec.error("reconnect", str(failure) or type(failure).__name__)
    return True


class TimedRecorder(Recorder):
    """Keeps when each round trip ended and each error happened."""

    def __init__(self) -> None:
        super().__init__()
        self.done_at: list[float] = []
        self.error_at: list[tuple[float, str]] = []
        self.confirmed_ids: set[int] = set()

    def sample(self, kind: str, began: float, ms: float) -> None:
        super().sample(kind, began, ms)
        self.done_at.append(time.perf_counter())

    def error(self, kind: str, detail: str) -> None:
        super().error(kind, detail)
        self.error_at.append((time.perf_counter(), f"{kind}: {detail}"[:160]))


# --------------------------------------------------------------------------- faults


def kill_worker(server: Server) -> str:
    def sockets(proc) -> int:
        with contextlib.suppress(Exception):
            return sum(
                1
                for c in proc.net_connections(kind="tcp")
                if c.laddr and c.laddr.port == server.port and c.raddr
            )
        return 0

    held = {proc: sockets(proc) for proc in server.processes()[1:]}
    victim = max(held, key=held.get)
    os.kill(victim.pid, signal.SIGKILL)
    return f"killed worker {victim.pid}, which held {held[victim]} of the sockets"


def restart_postgres() -> str:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    began = time.perf_counter()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )
    return f"PostgreSQL {version} restarted in {time.perf_counter() - began:.1f}s"


def restart_redis() -> str:
    began = time.perf_counter()
    subprocess.run(
        ["redis-cli", "-h", REDIS_HOST, "-p", str(REDIS_PORT), "shutdown", "nosave"],
        capture_output=True,
    )
    while _redis_up():
        time.sleep(0.05)
    subprocess.run(["redis-server", REDIS_CONF], check=True, capture_output=True)
    while not _redis_up():
        time.sleep(0.05)
    return f"Redis restarted (empty) in {time.perf_counter() - began:.1f}s"


def _redis_up() -> bool:
    probe = subprocess.run(
        ["redis-cli", "-h", REDIS_HOST, "-p", str(REDIS_PORT), "ping"],
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() == "PONG"


# --------------------------------------------------------------------------- checks


def ledger_mismatches(database) -> list[str]:
    """Engagements whose karma hold is not resolved as their status says."""
    expected = {
        "confirmed": "post",
        "resolved": None,  # either way, once
        "accepted": "",
        "delivered": "",
        "disputed": "",
        "cancelled": "void",
    }
    query = text(
        "SELECT e.id, e.status, h.id, p.kind FROM engagement e "
        "LEFT JOIN ledger_transfer h ON h.transfer_key = e.hold_key "
        "LEFT JOIN ledger_transfer p ON p.pending_id = h.id "
        "WHERE e.hold_key IS NOT NULL"
    )
    wrong = []
    with database.engine.connect() as conn:
        for engagement, status, hold, resolved in conn.execute(query):
            want = expected.get(status)
            if hold is None:
                wrong.append(f"engagement {engagement} ({status}): its hold is lost")
            elif want is not None and (resolved or "") != want:
                wrong.append(
                    f"engagement {engagement} ({status}): hold resolved as "
                    f"{resolved or 'nothing'}"
                )
    return wrong


# --------------------------------------------------------------------------- one fault


@dataclass
class Outcome:
    fault: str
    clients: int
    workers: int
    what: str = ""
    errors_before: int = 0
    errors_during: int = 0
    errors_after: int = 0
    outage_s: float = 0.0
    reconnects: int = 0
    trips_per_s_before: float = 0.0
    trips_per_s_after: float = 0.0
    confirmed_seen: int = 0
    confirmed_missing: int = 0
    audit_ok: bool = False
    ledger_ok: bool = False
    recovered: bool = False
    first_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    ledger_problems: list[str] = field(default_factory=list)


async def run_fault(fault: str, n: int, args, scratch: Path) -> Outcome:
    config = Config.parse(f"pg-redis-{args.workers}w")
    outcome = Outcome(fault, args.clients, args.workers)
    database = make_database(config, scratch, n)
    try:
        say(f"{fault}: populating {args.clients} members")
        populate(database, args.clients, args.seed)
        redis_db = args.redis_db
        REDIS_DBS.add(redis_db)
        redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}"
        _flush(redis_db)
        server = Server(scratch / "run", database.url, redis_url, config)
        SERVERS.append(server)
        tabs: list[Tab] = []
        try:
            await asyncio.to_thread(server.wait_ready)
            await _play(fault, server, database, tabs, args, outcome)
        finally:
            await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
            await asyncio.to_thread(server.stop)
            SERVERS.remove(server)
            outcome.server_errors = _distinct(server.log_errors())
            if args.logs:
                Path(args.logs).mkdir(parents=True, exist_ok=True)
                shutil.copy2(server.log, Path(args.logs) / f"{fault}.log")
            _flush(redis_db)
        _check(database, outcome)
    finally:
        database.close()
    return outcome


async def _play(fault, server, database, tabs, args, outcome: Outcome) -> None:
    rec = TimedRecorder()
    tabs.extend(
        Tab(server.port, email, rec, args.timeout)
        for email in database.emails[: args.clients]
    )
    await load._sign_in(tabs, rec, database.cookies)
    if rec.errors:
        raise RuntimeError(f"sign-in failed: {dict(rec.errors)}")
    pairs = [
        Pair(i, tabs[2 * i], tabs[2 * i + 1], database.skills)
        for i in range(len(tabs) // 2)
    ]
    started = time.perf_counter()
    fault_at = started + args.before
    until = fault_at + args.after
    rec.measuring, rec.started = True, started
    tasks = [
        asyncio.create_task(
            act_out(
                tab,
                pair,
                until,
                hash((args.seed, i)),
                database.skills,
                0.5,
                recover=recover,
            )
        )
        for pair in pairs
        for i, tab in enumerate((pair.a, pair.b))
    ]
    tasks.append(asyncio.create_task(heartbeats(tabs, until)))  # load's timer
    await asyncio.sleep(max(0.0, fault_at - time.perf_counter()))
    say(f"{fault}: injecting the fault")
    actual_fault_at = time.perf_counter()
    outcome.what = await asyncio.to_thread(_inject, fault, server)
    say(f"  {outcome.what}")
    await asyncio.gather(*tasks, return_exceptions=True)
    _tally(rec, tabs, started, actual_fault_at, until, args.settled, outcome)


def _inject(fault: str, server: Server) -> str:
    if fault == "kill-worker":
        return kill_worker(server)
    if fault == "restart-postgres":
        return restart_postgres()
    return restart_redis()


def _tally(rec, tabs, started, fault_at, until, settled, outcome: Outcome) -> None:
    settled_from = until - settled
    for at, _what in rec.error_at:
        if at < fault_at:
            outcome.errors_before += 1
        elif at < settled_from:
            outcome.errors_during += 1
        else:
            outcome.errors_after += 1
    late = [at for at, _ in rec.error_at if at >= fault_at]
    outcome.outage_s = round(max(late) - fault_at, 1) if late else 0.0
    outcome.first_errors = [what for at, what in rec.error_at if at >= fault_at][:6]
    outcome.reconnects = sum(t.reconnects for t in tabs)
    before = [at for at in rec.done_at if started <= at < fault_at]
    after = [at for at in rec.done_at if at >= settled_from]
    outcome.trips_per_s_before = round(len(before) / max(fault_at - started, 1e-9), 1)
    outcome.trips_per_s_after = round(len(after) / settled, 1)
    outcome.confirmed_seen = rec.confirmed
    outcome.recovered = outcome.errors_after == 0 and len(after) > 0


def _check(database, outcome: Outcome) -> None:
    database.engine.dispose()  # our own pooled connections may predate a restart
    db.use_engine(database.engine)
    with db.read_only() as session:
        report = audit_ledger(session)
    outcome.audit_ok = report.ok
    outcome.ledger_problems = [str(b) for b in report.breaches[:5]]
    mismatches = ledger_mismatches(database)
    outcome.ledger_problems += mismatches
    outcome.ledger_ok = not mismatches
    # The load members start with no engagement: every one confirmed in the
    # database now was confirmed in this window, seen by its client or not.
    in_db = load.confirmed_engagements(database)
    outcome.confirmed_missing = max(0, outcome.confirmed_seen - in_db)


def _distinct(lines: list[str], most: int = 6) -> list[str]:
    seen: dict[str, int] = {}
    for line in lines:
        seen[line[:160]] = seen.get(line[:160], 0) + 1
    return [f"{count}x {line}" for line, count in list(seen.items())[:most]]


def _flush(redis_db: int) -> None:
    with contextlib.suppress(Exception):
        import redis

        redis.Redis(REDIS_HOST, REDIS_PORT, db=redis_db).flushdb()


# --------------------------------------------------------------------------- report


def report(outcomes: list[Outcome]) -> bool:
    out = Console(file=sys.stdout, width=150)
    table = Table(title="Faults under load (PostgreSQL + Redis + workers)")
    for column in (
        "fault",
        "errors before / during / after",
        "outage s",
        "reconnects",
        "trips/s before -> after",
        "audit",
        "ledger",
        "recovered",
    ):
        table.add_column(column)
    for o in outcomes:
        table.add_row(
            o.fault,
            f"{o.errors_before} / {o.errors_during} / {o.errors_after}",
            f"{o.outage_s:.1f}",
            str(o.reconnects),
            f"{o.trips_per_s_before} -> {o.trips_per_s_after}",
            "clean" if o.audit_ok else "BREACH",
            "consistent" if o.ledger_ok else "; ".join(o.ledger_problems[:2]),
            "yes" if o.recovered else "NO",
        )
    out.print(table)
    for o in outcomes:
        out.print(f"[bold]{o.fault}[/]: {o.what}")
        for line in o.first_errors:
            out.print(f"  {line}", markup=False)
        for line in o.server_errors:
            out.print(f"  server: {line}", markup=False)
    ok = bool(outcomes) and all(
        o.recovered and o.audit_ok and o.ledger_ok and not o.confirmed_missing
        for o in outcomes
    )
    print(json.dumps({"faults": [asdict(o) for o in outcomes], "ok": ok}))
    return ok


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--clients", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=float, default=15.0)
    parser.add_argument("--after", type=float, default=45.0)
    parser.add_argument("--settled", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--redis-db", type=int, default=11)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--logs", default="", help="keep the servers' logs here")
    args = parser.parse_args(argv)
    args.faults = [f for f in args.faults.split(",") if f]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose from {FAULTS}")
    if args.clients % 2 or args.clients < 2:
        parser.error("--clients must be an even number (members act in pairs)")
    return args


async def run_all(args, scratch: Path) -> list[Outcome]:
    outcomes = []
    for n, fault in enumerate(args.faults):
        outcomes.append(await run_fault(fault, n, args, scratch))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="karma-faults-"))
    try:
        copy_app(scratch / "run")
        outcomes = asyncio.run(run_all(args, scratch))
    except KeyboardInterrupt:
        return 2
    finally:
        for server in list(SERVERS):
            server.stop()
        for name in list(PG_DATABASES):
            with contextlib.suppress(Exception):
                load.drop_database(name)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0 if report(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
