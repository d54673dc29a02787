"""Ledger throughput through the app's own paths, vs pgbench in the same run.

    python benchmarks/ledger.py              # 20 s per database (~1.5 minutes)
    python benchmarks/ledger.py --quick      # 5 s per database, a smoke run
    python benchmarks/ledger.py --seconds 60 --mode hybrid --profile /tmp/w0

What runs, in order, each against its own throwaway database:

1. the yardstick: `pgbench -i -s 16` then `pgbench -c 16 -j 2 -T <seconds>`
   (TPC-B) on a separate database of the same PostgreSQL server;
2. PostgreSQL: 16 writers, each repeating what members do with karma, one
   `marketplace.db.unit_of_work()` (one transaction, one commit) per step,
   each step the service call the app makes there:
     gift  `ledger.give_karma` -- paying it forward from the wallet, as
           `WalletState.send_karma` does (recipient by handle, blocks checked);
     hold  `ledger.hold` -- the karma an engagement's acceptance reserves, with
           the accounts, key, timeout and code `market.engagements` uses;
     post  `ledger.post_hold` -- that hold posted at confirmation;
   1 karma each, between random members, for <seconds>;
3. SQLite (a temporary file): the same.

Each step writes one transfer, so transfers/s is transactions/s, the unit
pgbench counts. The engagement's own rows (its status, events and notices)
are not written: this measures the ledger's part of those units of work.

The 16 writers are 16 processes, 16 threads, or one process per CPU with the
writers shared out as threads ("hybrid"): with `--mode auto` (the default) a
short probe of each decides, and the output says which won and by how much. On
PostgreSQL the writers' backends are sampled in pg_stat_activity to show where
the time goes (server work, lock waits, WAL, or waiting on the client). After each
run `marketplace.ledger.audit.audit_ledger` must find no breach, and the transfers
it counts must equal the setup transfers plus every transfer a writer saw commit.

The last line of stdout is one JSON object (pg_tps, pgbench_tps,
ratio_to_pgbench, sqlite_tps, pg_p95_ms, sqlite_p95_ms, per-path figures,
audit_ok, ok, ...); `ok` means every target was met: PostgreSQL >= 0.8x
pgbench, SQLite >= 1,000 transfers/s, a clean audit and no failed transfer.
The exit status is 0 when ok, 1 when a target is missed, 2 when the benchmark
itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import URL, Engine, make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from marketplace import db  # noqa: E402
from marketplace.domain.ledger import MAX_HOLD_SECONDS  # noqa: E402
from marketplace.ledger import ledger  # noqa: E402
from marketplace.ledger.audit import audit_ledger  # noqa: E402
from marketplace.migrations import upgrade_to_head  # noqa: E402
from marketplace.models import Member  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "MARKETPLACE_BENCH_PG_URL",
    os.environ.get(
        "MARKETPLACE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    ),
)
PGBENCH = shutil.which("pgbench") or "/usr/bin/pgbench"
TARGET_PG_RATIO = 0.8
TARGET_SQLITE_TPS = 1_000
FUNDING = 100_000  # karma granted to each member account before the run
PROGRESS_EVERY = 5.0  # seconds between progress lines
MODES = ("process", "thread", "hybrid")
PATHS = ("gift", "hold", "post")  # one cycle of a writer, one transfer each


def say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- writers


Person = tuple[int, str]  # member id, handle


@dataclass
class WriterResult:
    worker: int
    ok: Counter = field(default_factory=Counter)  # transfers committed, per path
    failed: Counter = field(default_factory=Counter)
    latencies_ms: dict[str, array] = field(
        default_factory=lambda: {path: array("d") for path in PATHS}
    )
    wall_s: float = 0.0
    cpu_s: float = 0.0  # this writer's own CPU time (its thread's)
    error: str = ""


def gift(rng: random.Random, people: list[Person]) -> None:
    """Pay 1 karma forward, as the wallet page does: one unit of work around
    `give_karma`, the recipient named by handle, a fresh form key."""
    (actor, _), (_, handle) = rng.sample(people, 2)
    with db.unit_of_work() as session:
        ledger.give_karma(
            session,
            actor_id=actor,
            to_handle=handle,
            amount=1,
            memo="",
            key=f"gift:{actor}:{uuid.uuid4().hex}",
        )


def accept(rng: random.Random, people: list[Person], engagement: str) -> str:
    """Reserve 1 karma of the asker's for the helper, as accepting a karma
    engagement does (`market.engagements._accept`); returns the hold's key."""
    (asker, _), (helper, _) = rng.sample(people, 2)
    hold_key = f"engagement:{engagement}:hold"
    with db.unit_of_work() as session:
        ledger.hold(
            session,
            key=hold_key,
            debit_account_id=ledger.member_account(session, asker),
            credit_account_id=ledger.member_account(session, helper),
            amount=1,
            timeout_seconds=MAX_HOLD_SECONDS,
            code="engagement",
            memo=f"Engagement #{engagement}: benchmark help",
        )
    return hold_key


def confirm(engagement: str, hold_key: str) -> None:
    """Post the hold, as confirming the engagement does (`engagements._pay`)."""
    with db.unit_of_work() as session:
        ledger.post_hold(
            session,
            key=f"engagement:{engagement}:post",
            hold_key=hold_key,
            memo=f"Engagement #{engagement} confirmed",
        )


def _step(path: str, rng, people, engagement: str, held: list[str]) -> bool:
    """One step of a writer's cycle; False when there was nothing to do (the
    cycle's hold was refused, so there is nothing to post)."""
    if path == "gift":
        gift(rng, people)
    elif path == "hold":
        held.append(accept(rng, people, engagement))
    elif held:
        confirm(engagement, held.pop())
    else:
        return False
    return True


def _write(
    worker: int,
    people: list[Person],
    tag: str,
    start_at: float,
    stop_at: float,
    counters,
    profile_path: str | None,
) -> WriterResult:
    """Repeat gift, hold, post between random members until `stop_at`, each
    step its own unit of work (one transaction, one commit)."""
    result = WriterResult(worker)
    rng = random.Random(f"{tag}:{worker}")
    profiler = cProfile.Profile() if profile_path else None
    while time.perf_counter() < start_at:
        time.sleep(0.0005)
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    seq, held = 0, []
    try:
        while (began := time.perf_counter()) < stop_at:
            path = PATHS[seq % len(PATHS)]
            engagement = f"{tag}.{worker}.{seq // len(PATHS)}"
            seq += 1
            try:
                if not _step(path, rng, people, engagement, held):
                    continue
            except Exception as exc:  # counted, not fatal: the audit will judge
                result.failed[f"{path}: {type(exc).__name__}"] += 1
                continue
            result.latencies_ms[path].append((time.perf_counter() - began) * 1000)
            result.ok[path] += 1
            counters[worker] += 1
    except BaseException:
        result.error = traceback.format_exc()
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile_path)
    result.wall_s = time.perf_counter() - wall0
    result.cpu_s = time.thread_time() - cpu0
    return result


def _run_group(
    members: list[int], people, tag, window, counters, report, profile
) -> None:
    """Run the writers `members` in threads of this process (in the calling
    thread when there is one), handing each result to `report`."""

    def one(w: int) -> None:
        try:
            start_at, stop_at = window()
            r = _write(
                w,
                people,
                tag,
                start_at,
                stop_at,
                counters,
                profile if w == 0 else None,
            )
        except BaseException:
            r = WriterResult(w, error=traceback.format_exc())
        report(r)

    if len(members) == 1:
        one(members[0])
        return
    threads = [threading.Thread(target=one, args=(w,), daemon=True) for w in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _process_writers(url, members, people, tag, ready, go, counters, out, profile):
    """Entry point of one writer process: its own engine and pool."""
    engine = db.make_engine(url)
    db.use_engine(engine)
    try:
        with engine.connect() as conn:  # connect before the clock starts
            conn.execute(text("SELECT 1"))
        ready.put(members)
        go.wait()
        _run_group(members, people, tag, go.window, counters, out.put, profile)
    except BaseException:
        for w in members:  # the parent then stops waiting for them
            out.put(WriterResult(w, error=traceback.format_exc()))
    finally:
        engine.dispose()


class _Go:
    """A start signal that carries the measurement window to every writer."""

    def __init__(self, ctx) -> None:
        self._event = ctx.Event()
        self._window = ctx.Array("d", 2, lock=False)

    def start(self, start_at: float, stop_at: float) -> None:
        self._window[0], self._window[1] = start_at, stop_at
        self._event.set()

    def wait(self) -> None:
        self._event.wait()

    def window(self) -> tuple[float, float]:
        return self._window[0], self._window[1]


@dataclass
class RunResult:
    database: str
    mode: str
    workers: int
    seconds: float
    ok: int = 0
    by_path: Counter = field(default_factory=Counter)
    failed: Counter = field(default_factory=Counter)
    latencies_ms: dict[str, list[float]] = field(
        default_factory=lambda: {path: [] for path in PATHS}
    )
    elapsed_s: float = 0.0
    writer_cpu_s: float = 0.0
    machine_busy: float = 0.0  # share of all CPUs busy during the run (0..1)
    waits: Counter = field(default_factory=Counter)  # PostgreSQL backend samples
    errors: list[str] = field(default_factory=list)

    @property
    def tps(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, p: float, path: str | None = None) -> float:
        """The p-th percentile latency of one path's steps, or of all steps."""
        chosen = [path] if path else PATHS
        ordered = sorted(ms for name in chosen for ms in self.latencies_ms[name])
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class WaitSampler:
    """Samples what the writers' PostgreSQL backends are doing, ten times a
    second: executing, waiting for a lock, for WAL/IO, or for the client (Python
    CPU and round trips). A no-op on SQLite."""

    QUERY = text(
        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
        " WHERE datname = current_database() AND backend_type = 'client backend'"
        " AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str, into: Counter, start_at: float) -> None:
        self.url, self.into, self.start_at = url, into, start_at
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> WaitSampler:
        if self.url.startswith("postgresql"):
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    @staticmethod
    def classify(state: str | None, kind: str | None, event: str | None) -> str:
        if state == "idle":
            return "waiting for client, between transactions"
        if state == "idle in transaction":
            return "waiting for client, inside a transaction"
        if kind is None:
            return "executing (server CPU)"
        if kind == "Lock":
            return "row/transaction lock wait"
        if kind == "Client":
            return "sending/receiving"
        return f"{kind}:{event}"

    def _sample(self) -> None:
        engine = db.make_engine(self.url)
        try:
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                self._stop.wait(max(0.0, self.start_at - time.perf_counter()))
                while not self._stop.wait(0.1):
                    for row in conn.execute(self.QUERY):
                        self.into[self.classify(*row)] += 1
        except Exception as exc:  # diagnostics only: never fail the run
            self.into[f"sampler failed: {type(exc).__name__}"] += 1
        finally:
            engine.dispose()


def run_writers(
    url: str,
    database: str,
    people: list[Person],
    *,
    mode: str,
    workers: int,
    seconds: float,
    tag: str,
    progress: bool = True,
    profile: str | None = None,
) -> RunResult:
    """Run `workers` writers for `seconds` and gather what they measured.

    mode: "thread" (all in this process), "process" (one process each) or
    "hybrid" (one process per CPU, the writers shared out among them as threads).
    """
    run = RunResult(database, mode, workers, seconds)
    results: list[WriterResult] = []
    slack = seconds + 120  # bounded: writers that hang are given up on
    if mode == "thread":
        engine = db.make_engine(url)
        db.use_engine(engine)
        counters = [0] * workers
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            start_at = time.perf_counter() + 0.2
            group = threading.Thread(
                target=_run_group,
                args=(
                    list(range(workers)),
                    people,
                    tag,
                    lambda: (start_at, start_at + seconds),
                    counters,
                    results.append,
                    profile,
                ),
                daemon=True,
            )
            group.start()
            busy0 = _cpu_ticks()
            with WaitSampler(url, run.waits, start_at):
                _watch(run, counters, start_at, seconds, progress)
            group.join(timeout=slack)
            busy1 = _cpu_ticks()
        finally:
            db.use_engine(None)
            engine.dispose()
    else:
        nprocs = workers if mode == "process" else min(workers, os.cpu_count() or 2)
        groups = [list(range(workers))[i::nprocs] for i in range(nprocs)]
        ctx = mp.get_context("fork")
        counters = ctx.RawArray("q", workers)
        ready, out, go = ctx.Queue(), ctx.Queue(), _Go(ctx)
        procs = [
            ctx.Process(
                target=_process_writers,
                args=(url, g, people, tag, ready, go, counters, out, profile),
                daemon=True,
            )
            for g in groups
        ]
        for proc in procs:
            proc.start()
        try:
            for _ in procs:
                ready.get(timeout=60)
            start_at = time.perf_counter() + 0.2
            go.start(start_at, start_at + seconds)
            busy0 = _cpu_ticks()
            with WaitSampler(url, run.waits, start_at):
                _watch(run, counters, start_at, seconds, progress)
            while len(results) < workers:
                results.append(out.get(timeout=slack))
            busy1 = _cpu_ticks()
        finally:
            for proc in procs:
                proc.join(timeout=10)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout=5)
    if busy1[1] > busy0[1]:
        run.machine_busy = (busy1[0] - busy0[0]) / (busy1[1] - busy0[1])
    for r in results:
        run.ok += r.ok.total()
        run.by_path.update(r.ok)
        run.failed.update(r.failed)
        for path in PATHS:
            run.latencies_ms[path].extend(r.latencies_ms[path])
        run.elapsed_s = max(run.elapsed_s, r.wall_s)
        run.writer_cpu_s += r.cpu_s
        if r.error:
            run.errors.append(f"writer {r.worker}: {r.error.strip().splitlines()[-1]}")
    if len(results) < workers:
        run.errors.append(f"only {len(results)} of {workers} writers reported")
    return run


def _watch(run: RunResult, counters, start_at: float, seconds: float, show: bool):
    """Print a progress line every few seconds until the window closes."""
    last_n, last_t = 0, start_at
    stop_at = start_at + seconds
    tick = start_at
    while True:
        tick = min(tick + PROGRESS_EVERY, stop_at)
        time.sleep(max(0.0, tick - time.perf_counter()))
        if tick >= stop_at:
            break
        if not show:
            continue
        now, n = time.perf_counter(), sum(counters)
        rate = (n - last_n) / (now - last_t)
        say(
            f"    {run.database:<10} {run.mode:<7} {now - start_at:5.1f}s"
            f"  {n:>8,} transfers  {rate:>8,.0f}/s now"
        )
        last_n, last_t = n, now


# --------------------------------------------------------------------------- databases


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _admin_engine() -> Engine:
    return db.make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")


def create_pg_database(name: str) -> str:
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)


def drop_pg_database(name: str) -> None:
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@dataclass
class Ledger:
    """A migrated database with funded members."""

    url: str
    people: list[Person]
    setup_transfers: int


def prepare_ledger(url: str, members: int) -> Ledger:
    """Migrate, add `members` members and fund each one with an operator's
    grant (`ledger.grant`, from the admin-grant account), in one transaction."""
    engine = db.make_engine(url)
    try:
        upgrade_to_head(engine)
        now = datetime.now(UTC)
        with Session(engine, expire_on_commit=False) as session:
            joined = [
                Member(
                    handle=f"bench{i:05d}",
                    display_name=f"Bench {i}",
                    email=f"bench{i:05d}@example.com",
                    password_hash="x",
                    created_at=now,
                    updated_at=now,
                )
                for i in range(members)
            ]
            session.add_all(joined)
            session.flush()
            for member in joined:
                ledger.grant(
                    session,
                    handle=member.handle,
                    amount=FUNDING,
                    memo="benchmark funding",
                    key=f"bench-fund:{member.id}",
                )
            people = [(member.id, member.handle) for member in joined]
            session.commit()
    finally:
        engine.dispose()
    return Ledger(url, people, setup_transfers=len(people))


@dataclass
class Audit:
    ok: bool
    counted: int
    expected: int
    breaches: list[str]

    @property
    def clean(self) -> bool:
        return self.ok and self.counted == self.expected


def audit(url: str, expected: int) -> Audit:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            report = audit_ledger(session)
    finally:
        engine.dispose()
    return Audit(report.ok, report.transfers, expected, report.breaches[:5])


# --------------------------------------------------------------------------- pgbench


@dataclass
class PgbenchResult:
    tps: float = 0.0
    scale: int = 16
    clients: int = 16
    seconds: float = 0.0
    error: str = ""


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


TPS_RE = re.compile(
    r"^tps = ([0-9.]+) \((?:without initial connection time|"
    r"excluding connections establishing)\)",
    re.MULTILINE,
)


def parse_pgbench_tps(output: str) -> float | None:
    """tps without connection set-up, whichever wording this pgbench prints."""
    found = TPS_RE.search(output)
    return float(found.group(1)) if found else None


def run_pgbench(name: str, seconds: float, scale: int, clients: int) -> PgbenchResult:
    result = PgbenchResult(scale=scale, clients=clients, seconds=seconds)
    if not Path(PGBENCH).exists():
        result.error = f"pgbench not found at {PGBENCH}"
        return result
    conn_args, env = _pg_args(make_url(PG_ADMIN_URL))
    create_pg_database(name)
    try:
        say(f"  pgbench -i -s {scale} (initialising {scale * 100_000:,} accounts)")
        init = subprocess.run(
            [PGBENCH, "-i", "-q", "-s", str(scale), *conn_args, name],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if init.returncode != 0:
            result.error = f"pgbench -i failed: {init.stderr.strip()[-300:]}"
            return result
        jobs = str(min(2, clients))
        duration = str(max(1, round(seconds)))
        command = [PGBENCH, "-c", str(clients), "-j", jobs, "-T", duration]
        command += ["-P", str(int(PROGRESS_EVERY)), *conn_args, name]
        say(f"  pgbench {' '.join(command[1:7])}  (TPC-B, progress every -P s)")
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines: list[str] = []
        timer = threading.Timer(seconds + 120, proc.kill)
        timer.start()
        try:
            for line in proc.stdout:  # type: ignore[union-attr]
                lines.append(line)
                if line.startswith("progress:"):
                    say(f"    pgbench    {line.strip()[len('progress: ') :]}")
            proc.wait()
        finally:
            timer.cancel()
        output = "".join(lines)
        tps = parse_pgbench_tps(output)
        if proc.returncode != 0 or tps is None:
            result.error = f"pgbench failed ({proc.returncode}): {output[-300:]}"
        else:
            result.tps = tps
    finally:
        drop_pg_database(name)
    return result


# --------------------------------------------------------------------------- benchmark


@dataclass
class Measured:
    run: RunResult
    audit: Audit
    probes: dict[str, float]
    choice: str


def describe(mode: str, workers: int) -> str:
    if mode == "thread":
        return f"{workers} threads in one process"
    if mode == "process":
        return f"{workers} processes"
    procs = min(workers, os.cpu_count() or 2)
    return f"{procs} processes x {workers // procs} threads (hybrid)"


def choose_mode(
    led: Ledger, database: str, args, tag: str, total: list[int]
) -> tuple[str, dict[str, float]]:
    """A short probe of each way to run the writers; the fastest one wins."""
    if args.mode != "auto":
        return args.mode, {}
    probes = {}
    for mode in MODES:
        probe = run_writers(
            led.url,
            database,
            led.people,
            mode=mode,
            workers=args.workers,
            seconds=args.probe_seconds,
            tag=f"{tag}-probe-{mode}",
            progress=False,
        )
        total[0] += probe.ok
        probes[mode] = probe.tps
        say(
            f"    probe {database:<10} {mode:<7} {probe.tps:8,.0f} transfers/s"
            f"  ({probe.ok:,} in {probe.elapsed_s:.1f}s)"
        )
    best = max(probes, key=probes.__getitem__)
    return best, probes


def bench_database(database: str, url: str, args) -> Measured:
    say(f"  load average {_load()}")
    say(f"  setup: migrate, {args.accounts:,} member accounts funded with {FUNDING:,}")
    t0 = time.perf_counter()
    led = prepare_ledger(url, args.accounts)
    say(f"  setup done in {time.perf_counter() - t0:.1f}s")
    total = [led.setup_transfers]
    tag = f"{database}-{os.getpid()}"
    mode, probes = choose_mode(led, database, args, tag, total)
    if probes:
        others = ", ".join(f"{m} {v:,.0f}/s" for m, v in probes.items() if m != mode)
        say(
            f"  writers: {mode} ({probes[mode]:,.0f}/s) was fastest in a "
            f"{args.probe_seconds:g}s probe ({others})"
        )
    say(f"  run: {args.workers} writers, {describe(mode, args.workers)}")
    run = run_writers(
        led.url,
        database,
        led.people,
        mode=mode,
        workers=args.workers,
        seconds=args.seconds,
        tag=tag,
        profile=args.profile,
    )
    total[0] += run.ok
    for error in run.errors:
        say(f"  ERROR {error}")
    result = audit(led.url, total[0])
    state = "clean" if result.clean else "BREACHED"
    say(
        f"  audit: {state}; {result.counted:,} transfers counted, "
        f"{result.expected:,} committed ({led.setup_transfers:,} setup + "
        f"{result.expected - led.setup_transfers:,} benchmark)"
    )
    for breach in result.breaches:
        say(f"    breach: {breach}")
    return Measured(run, result, probes, mode)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per database")
    parser.add_argument("--quick", action="store_true", help="~5 s smoke run")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument(
        "--mode",
        choices=("auto", *MODES),
        default="auto",
        help="writers as processes, threads, or one process per CPU with threads"
        " (hybrid); auto probes each and keeps the fastest",
    )
    parser.add_argument("--probe-seconds", type=float, default=3.0)
    parser.add_argument("--scale", type=int, default=16, help="pgbench -s")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="cProfile writer 0 of each main run into PATH.<database>",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.probe_seconds = 5.0, 1.5

    pid = os.getpid()
    pg_name, pgbench_name = f"bench_ledger_{pid}", f"bench_pgbench_{pid}"
    tmpdir = Path(tempfile.mkdtemp(prefix="bench_ledger_"))
    profile_base = args.profile
    budget = int(4 * args.seconds + 8 * args.probe_seconds + 900)
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(budget)  # bounded: whatever hangs, the databases are dropped
    say(
        f"Ledger benchmark: {args.workers} writers, {args.seconds:g}s per database, "
        f"{args.accounts:,} accounts, {os.cpu_count()} CPUs (gives up after {budget}s)"
    )
    try:
        say(f"\n[1/3] pgbench yardstick on {pgbench_name}")
        say(f"  load average {_load()}")
        pgb = run_pgbench(pgbench_name, args.seconds, args.scale, args.workers)
        say(f"  pgbench: {pgb.tps:,.0f} tps" if not pgb.error else f"  {pgb.error}")

        say(f"\n[2/3] PostgreSQL ledger on {pg_name}")
        args.profile = f"{profile_base}.postgresql" if profile_base else None
        try:
            pg = bench_database("postgresql", create_pg_database(pg_name), args)
        finally:
            drop_pg_database(pg_name)

        say(f"\n[3/3] SQLite ledger on {tmpdir / 'ledger.db'}")
        args.profile = f"{profile_base}.sqlite" if profile_base else None
        lite = bench_database("sqlite", f"sqlite:///{tmpdir / 'ledger.db'}", args)
    except Exception as exc:
        traceback.print_exc()
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        return 2
    finally:
        signal.alarm(0)
        shutil.rmtree(tmpdir, ignore_errors=True)

    return report(args, pgb, pg, lite)


def _out_of_time(_signum, _frame) -> None:
    raise TimeoutError("the benchmark ran out of its time budget")


def _by_path(run: RunResult) -> dict[str, dict[str, float]]:
    """Each path's share of a run: transfers, their rate, p50 and p95 in ms."""
    seconds = run.elapsed_s or 1.0
    return {
        path: {
            "transfers": run.by_path[path],
            "per_s": round(run.by_path[path] / seconds, 1),
            "p50_ms": round(run.percentile(50, path), 2),
            "p95_ms": round(run.percentile(95, path), 2),
        }
        for path in PATHS
    }


def report(args, pgb: PgbenchResult, pg: Measured, lite: Measured) -> int:
    ratio = pg.run.tps / pgb.tps if pgb.tps else 0.0
    audit_ok = pg.audit.clean and lite.audit.clean
    failed = sum(pg.run.failed.values()) + sum(lite.run.failed.values())
    errors = pg.run.errors + lite.run.errors
    targets = {
        "pg_ratio": ratio >= TARGET_PG_RATIO,
        "sqlite_tps": lite.run.tps >= TARGET_SQLITE_TPS,
        "audit": audit_ok,
        "no_failures": failed == 0 and not errors,
    }
    ok = all(targets.values())

    say("")
    header = (
        f"{'database':<11}{'writers':<10}{'transfers':>10}{'failed':>8}"
        f"{'per s':>9}{'p50 ms':>8}{'p95 ms':>8}{'vs pgbench':>12}"
        f"{'cpu busy':>10}  audit"
    )
    say(header)
    say("-" * len(header))
    for m, vs in ((pg, f"{ratio:.2f}x"), (lite, "-")):
        r = m.run
        say(
            f"{r.database:<11}{f'{r.workers} {r.mode}':<10}{r.ok:>10,}"
            f"{sum(r.failed.values()):>8,}{r.tps:>9,.0f}{r.percentile(50):>8.1f}"
            f"{r.percentile(95):>8.1f}{vs:>12}{r.machine_busy:>9.0%}  "
            f"{'clean' if m.audit.clean else 'BREACHED'}"
            f" ({m.audit.counted:,} = {m.audit.expected:,})"
        )
        for path, figures in _by_path(r).items():
            say(
                f"{'  ' + path:<21}{figures['transfers']:>10,}{'':>8}"
                f"{figures['per_s']:>9,.0f}{figures['p50_ms']:>8.1f}"
                f"{figures['p95_ms']:>8.1f}"
            )
    say(
        f"{'pgbench':<11}{f'{pgb.clients} -j2':<10}{'':>10}{'':>8}{pgb.tps:>9,.0f}"
        f"{'':>8}{'':>8}{'1.00x':>12}   TPC-B -s {pgb.scale}, {pgb.seconds:g}s"
    )
    say("")
    for m in (pg, lite):
        r = m.run
        if m.probes:
            say(
                f"{r.database}: writers as {describe(m.choice, r.workers)} (probe: "
                + ", ".join(f"{k} {v:,.0f}/s" for k, v in m.probes.items())
                + ")"
            )
        if r.failed:
            say(f"{r.database}: failed transfers {dict(r.failed)}")
        if r.waits:
            samples = sum(r.waits.values())
            say(
                f"{r.database}: writers' server backends, {samples:,} samples: "
                + ", ".join(
                    f"{what} {n / samples:.0%}" for what, n in r.waits.most_common(6)
                )
            )
        if r.elapsed_s:
            cores = r.writer_cpu_s / r.elapsed_s
            say(
                f"{r.database}: the writers used {cores:.2f} of {os.cpu_count()} "
                f"CPUs, {r.writer_cpu_s / max(r.ok, 1) * 1e3:.2f} ms of Python CPU "
                f"per transfer (machine {r.machine_busy:.0%} busy)"
            )
    say(
        f"targets: PostgreSQL >= {TARGET_PG_RATIO}x pgbench "
        f"{'met' if targets['pg_ratio'] else 'MISSED'} ({ratio:.2f}x); SQLite >= "
        f"{TARGET_SQLITE_TPS:,}/s {'met' if targets['sqlite_tps'] else 'MISSED'} "
        f"({lite.run.tps:,.0f}/s); audit {'clean' if audit_ok else 'BREACHED'}; "
        f"failed transfers {failed}"
    )
    summary = {
        "pg_tps": round(pg.run.tps, 1),
        "pgbench_tps": round(pgb.tps, 1),
        "ratio_to_pgbench": round(ratio, 3),
        "sqlite_tps": round(lite.run.tps, 1),
        "pg_p50_ms": round(pg.run.percentile(50), 2),
        "pg_p95_ms": round(pg.run.percentile(95), 2),
        "sqlite_p50_ms": round(lite.run.percentile(50), 2),
        "sqlite_p95_ms": round(lite.run.percentile(95), 2),
        "pg_mode": pg.run.mode,
        "sqlite_mode": lite.run.mode,
        "pg_transfers": pg.run.ok,
        "sqlite_transfers": lite.run.ok,
        "pg_paths": _by_path(pg.run),
        "sqlite_paths": _by_path(lite.run),
        "failed": failed,
        "audit_ok": audit_ok,
        "targets": targets,
        "pgbench_error": pgb.error or None,
        "workers": args.workers,
        "seconds": args.seconds,
        "ok": ok,
    }
    print(json.dumps(summary), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
