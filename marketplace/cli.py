"""`python -m marketplace <command>`: the operator command line.

Each command is a short handler: parse, open one unit of work, call a service,
print the outcome. Business rules live in services/. To add a command, write a
`_configure_<name>` that adds its arguments and a `_run_<name>` handler, and
register both in COMMANDS.

Exit codes: 0 done, 1 refused by a rule (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlmodel import func, select

from marketplace import db
from marketplace.domain.errors import DomainError
from marketplace.migrations import current_revision, head_revision, upgrade_to_head
from marketplace.models import Member
from marketplace.services.seed import (
    DEMO_HANDLES,
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    MAX_MEMBERS,
    SeedReport,
    seed_network,
)

BOOTSTRAP_MEMBERS = 50
Handler = Callable[[argparse.Namespace, Console], int]


# --------------------------------------------------------------------------- migrate


def _configure_migrate(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def _run_migrate(args: argparse.Namespace, out: Console) -> int:
    _migrate(out)
    return 0


def _migrate(out: Console) -> None:
    engine = db.get_engine()
    upgrade_to_head(engine)
    revision = current_revision(engine)
    at_head = " (head)" if revision == head_revision() else ""
    url = engine.url.render_as_string()  # password hidden
    out.print(f"Database {url} at revision {revision}{at_head}.", markup=False)


# --------------------------------------------------------------------------- seed


def member_count(value: str) -> int:
    """argparse type for --members: a whole number in 1..MAX_MEMBERS."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number, got {value!r}"
        ) from None
    if not 1 <= count <= MAX_MEMBERS:
        raise argparse.ArgumentTypeError(
            f"must be between 1 and {MAX_MEMBERS}, got {count}"
        )
    return count


def _configure_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--members",
        type=member_count,
        default=BOOTSTRAP_MEMBERS,
        metavar="N",
        help="generated members besides the demo accounts (default %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="S",
        help="random seed; the same seed always makes the same people (default 7)",
    )


def _run_seed(args: argparse.Namespace, out: Console) -> int:
    _migrate(out)
    report = _seed(out, members=args.members, seed=args.seed)
    _print_seed_report(out, report)
    return 0


def _seed(out: Console, *, members: int, seed: int) -> SeedReport:
    columns = (*Progress.get_default_columns()[:2], MofNCompleteColumn())
    with Progress(
        *columns, BarColumn(), TimeElapsedColumn(), console=out, transient=True
    ) as bar:
        task = bar.add_task("Seeding the demo network", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        with db.unit_of_work() as session:
            return seed_network(session, members=members, seed=seed, progress=advance)


def _print_seed_report(out: Console, report: SeedReport) -> None:
    table = Table(title="Demo network", show_header=False)
    table.add_row("Members created", str(report.members_created))
    table.add_row("Members already there", str(report.members_existing))
    if report.members_skipped:
        table.add_row("Skipped (handle taken)", str(report.members_skipped))
    table.add_row("Connections created", str(report.connections_created))
    out.print(table)
    logins = ", ".join(f"{h}@{EMAIL_DOMAIN}" for h in DEMO_HANDLES)
    out.print(f"Demo logins: {logins}", markup=False, highlight=False)
    out.print(f"Demo password: {DEMO_PASSWORD}", markup=False, highlight=False)


# --------------------------------------------------------------------------- bootstrap


def _configure_bootstrap(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def _run_bootstrap(args: argparse.Namespace, out: Console) -> int:
    """Migrate; seed a small demo network only into an empty database."""
    _migrate(out)
    with db.read_only() as session:
        members = session.exec(select(func.count(Member.id))).one()
    if members:
        out.print(f"{members} members already; not seeding.")
        return 0
    report = _seed(out, members=BOOTSTRAP_MEMBERS, seed=7)
    _print_seed_report(out, report)
    return 0


# --------------------------------------------------------------------------- wiring

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "migrate": (
        "bring the database schema to the newest revision",
        _configure_migrate,
        _run_migrate,
    ),
    "seed": (
        "add a believable demo network (idempotent; a larger N adds the rest)",
        _configure_seed,
        _run_seed,
    ),
    "bootstrap": (
        "migrate, and seed a demo network if there are no members yet",
        _configure_bootstrap,
        _run_bootstrap,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m marketplace", description="Karma market-network operator"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, (summary, configure, handler) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=summary, description=summary)
        configure(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has already printed usage and error
        return exit_.code if isinstance(exit_.code, int) else 2
    out = Console()
    try:
        return args.handler(args, out)
    except DomainError as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
