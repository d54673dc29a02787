"""`python -m marketplace <command>`: the operator command line.

Each command is a short handler: parse, open one unit of work, call a service,
print the outcome. Business rules live in services/. To add a command, write a
`_configure_<name>` that adds its arguments and a `_run_<name>` handler, and
register both in COMMANDS.

Exit codes: 0 done, 1 refused by a rule (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from alembic.runtime.migration import MigrationContext
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session, func, select

from marketplace import db, routes
from marketplace.accounts import export as member_export
from marketplace.accounts import members, moderation
from marketplace.adapters import payments
from marketplace.adapters.mailer import SmtpMailer
from marketplace.demo.members import DEMO_MEMBERS, DEMO_PASSWORD, MAX_MEMBERS
from marketplace.demo.seed import SeedReport, seed_network
from marketplace.domain import contact_files
from marketplace.domain.errors import DomainError, NotAuthorized
from marketplace.domain.ledger import KARMA, MAX_TRANSFER
from marketplace.domain.money import CURRENCIES, format_money
from marketplace.inbox.digest import DigestReport
from marketplace.ious.clearing import run_clearing
from marketplace.ious.iou_import import (
    EXPORT_COLUMNS,
    ImportRefused,
    ImportReport,
    export_ious,
    import_ious,
)
from marketplace.ledger import card_payments, ledger, payment_reconcile
from marketplace.ledger.audit import AuditReport, audit_ledger
from marketplace.ledger.integrity import IntegrityReport, integrity_report
from marketplace.market import engagements
from marketplace.migrations import current_revision, head_revision, upgrade_to_head
from marketplace.models import Member
from marketplace.network import contacts, trust
from marketplace.settings import SettingsError
from marketplace.tasks import send_digests_once

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
    table.add_row("Emails verified", str(report.members_verified))
    if report.members_unverified:
        table.add_row("Emails not verified", str(report.members_unverified))
    table.add_row("Connections created", str(report.connections_created))
    table.add_row("Trust scores written", str(report.trust_scores_created))
    table.add_row("Karma transfers created", str(report.transfers_created))
    if report.transfers_skipped:
        table.add_row("Skipped (giver short of karma)", str(report.transfers_skipped))
    market = report.market
    table.add_row("Listings created", str(market.listings_created))
    table.add_row("Engagements created", str(market.engagements_created))
    if market.engagements_skipped:
        table.add_row("Skipped (asker short of karma)", str(market.engagements_skipped))
    table.add_row("Messages created", str(market.messages_created))
    table.add_row("Reviews created", str(market.reviews_created))
    table.add_row("Notifications created", str(market.notifications_created))
    graph = report.graph
    table.add_row("Past interactions created", str(graph.interactions_created))
    table.add_row("Contexts created", str(graph.contexts_created))
    table.add_row("Intros asked", str(graph.intros_created))
    table.add_row("Groups created", str(graph.groups_created))
    planted = report.integrity
    table.add_row("Vouches created", str(planted.vouches_created))
    for skipped in planted.vouches_skipped:
        table.add_row("Vouch skipped", skipped)
    table.add_row(
        "Planted review ring",
        f"{planted.ring_members_created} accounts of its own, "
        f"{planted.ring_engagements_created} engagements",
    )
    out.print(table)
    logins = ", ".join(
        m.email + (" (operator)" if m.is_operator else "") for m in DEMO_MEMBERS
    )
    out.print(f"Demo logins: {logins}", markup=False, highlight=False)
    out.print(f"Demo password: {DEMO_PASSWORD}", markup=False, highlight=False)
    if not report.members_unverified:
        out.print(
            "Every demo member's email is verified: they can post, book, send "
            "karma and write IOUs at once.",
            markup=False,
            highlight=False,
        )
    out.print(
        "A review ring is planted for the integrity report to find: log in as "
        "ops and open /operator/integrity, or run `python -m marketplace ledger "
        "audit`.",
        markup=False,
        highlight=False,
    )


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


# --------------------------------------------------------------------------- ledger


class _NotMigrated(Exception):
    """The database is not at the newest schema; ledger commands never migrate."""


def _require_head() -> None:
    with db.read_only() as session:  # on SQLite: no write lock just to look
        context = MigrationContext.configure(session.connection())
        revision = context.get_current_revision()
    if revision != head_revision():
        raise _NotMigrated(
            f"The database is at revision {revision or 'none'}, not the newest; "
            "run `python -m marketplace migrate` first."
        )


@contextmanager
def _snapshot() -> Iterator[Session]:
    """A read-only session that sees one consistent snapshot, so a transfer
    committed half-way through the audit cannot look like a breach. SQLite's
    deferred read transaction already is one; PostgreSQL needs REPEATABLE READ."""
    engine = db.get_engine()
    if engine.dialect.name != "postgresql":
        with db.read_only() as session:
            yield session
        return
    bind = engine.execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    )
    with Session(bind) as session:
        yield session


def _add_actions(parser: argparse.ArgumentParser, registry: dict) -> None:
    """`<command> <action>`: one sub-command per entry of a sub-registry."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="action")
    for name, (summary, configure, handler) in registry.items():
        sub = actions.add_parser(name, help=summary, description=summary)
        configure(sub)
        sub.set_defaults(action_handler=handler)


def _run_action_at_head(args: argparse.Namespace, out: Console) -> int:
    """Run the chosen action on a database at the newest schema, never migrating."""
    try:
        _require_head()
    except _NotMigrated as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}")
        return 1
    return args.action_handler(args, out)


def _configure_ledger(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, LEDGER_COMMANDS)


def _run_ledger(args: argparse.Namespace, out: Console) -> int:
    return _run_action_at_head(args, out)


def _configure_audit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print the report as one JSON object"
    )


def _run_audit(args: argparse.Namespace, out: Console) -> int:
    with _snapshot() as session:
        report = audit_ledger(session)
        signals = integrity_report(session)
    if args.json:
        whole = report.as_dict() | {"integrity": signals.as_dict()}
        print(json.dumps(whole, sort_keys=True), file=out.file)
    else:
        _print_audit(out, report)
        _print_integrity(out, signals)
    return 0 if report.ok else 1  # signals are for a person to look at


def _print_integrity(out: Console, report: IntegrityReport) -> None:
    if not report.findings:
        out.print("Integrity: no sign of karma farming.")
        return
    table = Table(title="Integrity signals (look, then freeze if need be)")
    for column in ("Signal", "Member", "What", "With", "Frozen"):
        table.add_column(column)
    for f in report.findings:
        involved = ", ".join(f.involved[:5]) + (" ..." if len(f.involved) > 5 else "")
        table.add_row(
            f.signal, f"@{f.handle}", f.detail, involved, "yes" if f.frozen else ""
        )
    out.print(table)


def _ledger_amount(amount: int, where: str) -> str:
    """Karma in points; money ("usd", or an account such as "stripe:usd") as money."""
    currency = where.rpartition(":")[2]
    return (
        f"{amount:,}" if currency not in CURRENCIES else format_money(amount, currency)
    )


def _print_audit(out: Console, report: AuditReport) -> None:
    table = Table(title="Ledger audit", show_header=False)
    table.add_row("Accounts", str(report.accounts))
    table.add_row("Transfers", str(report.transfers))
    table.add_row("Open holds", str(report.open_holds))
    for name, issued in sorted(report.issued.items()):
        table.add_row(f"Issued by {name}", _ledger_amount(issued, name))
    for name, issued in sorted(report.issued_this_month.items()):
        table.add_row(f"Issued by {name} this month", _ledger_amount(issued, name))
    for currency, summary in sorted(report.currencies.items()):
        table.add_row(
            f"In {currency}",
            f"{summary['accounts']} accounts, issued "
            f"{_ledger_amount(summary['issued'], currency)}, held "
            f"{_ledger_amount(summary['held'], currency)}",
        )
    if report.grants_retired.get("members"):
        table.add_row(
            "Sign-up grants retired",
            f"{report.grants_retired['members']} members, "
            f"{report.grants_retired['karma']:,} karma taken back",
        )
    credit = report.credit_in_use
    table.add_row(
        "Mutual credit in use",
        f"{credit['members']} members below zero, {credit['karma']:,} karma",
    )
    if report.over_limit:
        table.add_row(
            "Below a lowered limit",
            f"{len(report.over_limit)} accounts, "
            f"{sum(report.over_limit.values()):,} karma (they earn before spending)",
        )
    out.print(table)
    out.print(
        "Karma enters a member's account only as: help they gave, paid by the "
        "asker (who may go below zero within a credit limit that trust and "
        "vouches give: the mutual credit above); a gift from karma the giver "
        "earned; an intro reward (intro_reward: once per pair, capped monthly); "
        "an operator's grant (admin_grant); a voucher's stake absorbing a "
        "default. Joining gives none (docs/design/karma-trust.md).",
        markup=False,
        highlight=False,
    )
    if report.unretired_grants:
        out.print(
            "Sign-up grants not taken back (spent before the grant was retired, "
            "beyond the member's credit limit):"
        )
        for handle, amount in report.unretired_grants.items():
            out.print(f"  - {handle}: {amount}", markup=False, highlight=False)
    if report.ok:
        out.print("[green]Clean:[/green] every balance matches its transfers.")
        return
    out.print(f"[red]{len(report.breaches)} breach(es):[/red]")
    for breach in report.breaches:
        out.print(f"  - {breach}", markup=False, highlight=False, soft_wrap=True)


def karma_amount(value: str) -> int:
    """argparse type for AMOUNT: digits only (whether it is allowed is the
    ledger's rule: more than zero, at most the per-transfer maximum)."""
    if not re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
        raise argparse.ArgumentTypeError(
            f"must be a whole number of karma, got {value!r}"
        )
    return int(value)


def _configure_grant(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("handle", metavar="HANDLE", help="who receives the karma")
    parser.add_argument(
        "amount",
        metavar="AMOUNT",
        type=karma_amount,
        help=f"whole karma, 1 to {MAX_TRANSFER[KARMA]:,}",
    )
    parser.add_argument(
        "--memo", required=True, metavar="TEXT", help="why (shown to the member)"
    )
    parser.add_argument(
        "--id",
        dest="key",
        metavar="KEY",
        help="transfer id; repeat it to retry safely (default: a fresh id)",
    )


def _run_grant(args: argparse.Namespace, out: Console) -> int:
    with db.unit_of_work() as session:
        done = ledger.grant(
            session,
            handle=args.handle,
            amount=args.amount,
            memo=args.memo,
            key=args.key,
        )
        available = ledger.totals(session, done.credit_account_id).available
    handle = args.handle.strip().lstrip("@").lower()
    verb = "Already granted" if done.replayed else "Granted"
    lines = (
        f"{verb} {done.amount:,} karma to @{handle}: {done.memo}",
        f"Transfer {done.key} (#{done.id}) at {done.created_at:%Y-%m-%d %H:%M} UTC.",
        f"@{handle} now has {available:,} karma available.",
    )
    for line in lines:  # member text: never rich markup, never re-wrapped
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    return 0


def _configure_expire_holds(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def _run_expire_holds(args: argparse.Namespace, out: Console) -> int:
    released = 0
    while True:  # one short transaction per batch
        with db.unit_of_work() as session:
            batch = ledger.expire_holds(session, limit=EXPIRE_BATCH)
        released += batch
        if batch < EXPIRE_BATCH:
            break
    noun = "hold" if released == 1 else "holds"
    out.print(f"Released {released} expired {noun}.")
    return 0


EXPIRE_BATCH = 500
LEDGER_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "audit": (
        "re-derive every balance from the transfers; exit 1 on any breach",
        _configure_audit,
        _run_audit,
    ),
    "grant": (
        "grant karma to a member from the admin-grant account",
        _configure_grant,
        _run_grant,
    ),
    "expire-holds": (
        "release the holds whose time ran out",
        _configure_expire_holds,
        _run_expire_holds,
    ),
}


# --------------------------------------------------------------------------- ious


def _configure_ious(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, IOUS_COMMANDS)


def _run_ious(args: argparse.Namespace, out: Console) -> int:
    return _run_action_at_head(args, out)


def _configure_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE.csv",
        help="UTF-8 CSV with the header debtor,creditor,amount,note "
        "(handles, whole karma, a short note)",
    )
    parser.add_argument(
        "--invite-missing",
        action="store_true",
        help="invite handles that have not joined yet: each becomes an invited "
        "member who claims the account by signing up with the code printed here",
    )


def _run_import(args: argparse.Namespace, out: Console) -> int:
    err = Console(stderr=True)
    try:
        with (
            open(args.file, encoding="utf-8-sig", newline="") as file,
            db.unit_of_work() as session,
        ):
            report = import_ious(session, file, invite_missing=args.invite_missing)
    except OSError as error:  # no such file, a directory, no permission
        err.print(f"error: can't read {args.file}: {error.strerror}", markup=False)
        return 2
    except ImportRefused as refused:
        _print_refusal(err, refused)
        return 1
    _print_import(out, report)
    return 0


def _print_refusal(err: Console, refused: ImportRefused) -> None:
    count = len(refused.problems)
    err.print(f"[red]error:[/red] nothing was imported; {count} problem(s):")
    for line in refused.problems:  # echoes file content: never rich markup
        err.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    if refused.unknown:
        err.print(
            "To invite the people who have not joined yet, run again with "
            "--invite-missing.",
            markup=False,
            highlight=False,
        )


def _print_import(out: Console, report: ImportReport) -> None:
    table = Table(title="IOU import", show_header=False)
    table.add_row("IOUs created", str(report.ious_created))
    table.add_row("Karma owed in total", f"{report.points:,}")
    table.add_row("Members invited", str(len(report.invited)))
    if report.still_invited:
        table.add_row("Invited before, not joined yet", str(len(report.still_invited)))
    out.print(table)
    if report.invited:
        out.print("Invitations (the codes are shown only this once):")
        width = max(len(invited.handle) for invited in report.invited)
        for invited in report.invited:  # one line each: never folded, easy to copy
            link = f"{routes.SIGNUP}?invite={invited.code}"
            line = f"  {invited.handle:<{width}}  code {invited.code}  link {link}"
            out.print(line, markup=False, highlight=False, soft_wrap=True)
        out.print(
            "Send each person their link; they sign up with their handle and "
            "the code to claim the IOUs recorded for them.",
            markup=False,
            highlight=False,
        )
    if report.still_invited:
        waiting = ", ".join(report.still_invited)
        out.print(f"Still to join: {waiting}", markup=False, highlight=False)


def _configure_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        help="where to write the CSV (overwritten); default: standard output",
    )


def _run_export(args: argparse.Namespace, out: Console) -> int:
    with _snapshot() as session:
        rows = export_ious(session)
    if args.file is None:
        _write_csv(out.file, rows)
        return 0
    try:
        with open(args.file, "w", encoding="utf-8", newline="") as file:
            _write_csv(file, rows)
    except OSError as error:
        Console(stderr=True).print(
            f"error: can't write {args.file}: {error.strerror}", markup=False
        )
        return 2
    noun = "IOU" if len(rows) == 1 else "IOUs"
    out.print(f"Exported {len(rows)} {noun} to {args.file}.", markup=False)
    return 0


def _write_csv(file, rows: list[dict]) -> None:
    writer = csv.DictWriter(file, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)


def _configure_clear(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show what a clearing would remove; change nothing",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (total_owed, total_cleared, "
        "members: the per-member effect)",
    )


def _run_clear(args: argparse.Namespace, out: Console) -> int:
    with db.unit_of_work() as session:
        summary = run_clearing(session, dry_run=args.dry_run)
    if args.json:
        out.print_json(data=summary.as_dict() | {"dry_run": args.dry_run})
        return 0
    share = summary.total_cleared / summary.total_owed if summary.total_owed else 0
    table = Table(
        title="IOU clearing" + (" (dry run)" if args.dry_run else ""), show_header=False
    )
    table.add_row("Karma owed before", f"{summary.total_owed:,}")
    table.add_row("Karma cleared", f"{summary.total_cleared:,} ({share:.0%})")
    table.add_row("Members whose IOUs shrank", str(len(summary.members)))
    table.add_row("Cycles", str(summary.cycles))
    out.print(table)
    if args.dry_run:
        out.print("Dry run: nothing was changed.", markup=False)
    return 0


IOUS_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "import": (
        "import IOUs from a spreadsheet (CSV), all or nothing",
        _configure_import,
        _run_import,
    ),
    "export": (
        "write every IOU as CSV, to a file or standard output",
        _configure_export,
        _run_export,
    ),
    "clear": (
        "cancel IOU debt around cycles, keeping every net position",
        _configure_clear,
        _run_clear,
    ),
}


# --------------------------------------------------------------------------- digest


def _configure_digest(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, DIGEST_COMMANDS)


def _configure_digest_send(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show who would get a digest and how long; send and mark nothing",
    )


def _run_digest_send(args: argparse.Namespace, out: Console) -> int:
    mailer = SmtpMailer.from_settings()
    columns = (*Progress.get_default_columns()[:2], MofNCompleteColumn())
    with Progress(*columns, BarColumn(), console=out, transient=True) as bar:
        verb = "Checking" if args.dry_run else "Sending"
        report = send_digests_once(
            mailer=mailer,
            dry_run=args.dry_run,
            track=lambda due: bar.track(due, description=f"{verb} digests"),
        )
    _print_digest(out, report, dry_run=args.dry_run)
    if report.stopped:
        Console(stderr=True).print(
            f"[red]error:[/red] {escape(report.stopped)}; the members not reached "
            "keep their notifications for the next run."
        )
        return 1
    return 0


def _print_digest(out: Console, report: DigestReport, *, dry_run: bool) -> None:
    table = Table(
        title="Daily digest" + (" (dry run)" if dry_run else ""), show_header=False
    )
    label = "Members who would get one" if dry_run else "Digests sent"
    table.add_row(label, str(len(report.sent)))
    table.add_row("Notifications in them", str(report.items))
    if report.refused:
        table.add_row("Refused by the mail server", str(len(report.refused)))
    out.print(table)
    for outcome in report.sent if dry_run else ():
        out.print(f"  @{outcome.handle}: {outcome.items}", markup=False)
    for outcome in report.refused:  # server text: never rich markup
        line = f"  not sent to @{outcome.handle}: {outcome.error}"
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    if dry_run:
        out.print("Dry run: nothing was sent or marked.", markup=False)


DIGEST_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "send": (
        "email today's digest to every member who asked for one (once a day)",
        _configure_digest_send,
        _run_digest_send,
    ),
}


# --------------------------------------------------------------------------- trust


def _configure_trust(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, TRUST_COMMANDS)


def _run_trust_recompute(args: argparse.Namespace, out: Console) -> int:
    busy = out.status("Computing trust over the relationship graph...")
    with busy, db.unit_of_work() as session:
        run = trust.recompute(session)
    table = Table(title="Trust", show_header=False)
    table.add_row("Members scored", f"{run.members:,}")
    table.add_row("Seeds (operators, long-standing helpers)", f"{run.seeds:,}")
    table.add_row("Median trust", f"{run.median:.2f}")
    table.add_row("Took", f"{run.seconds:.1f} s")
    out.print(table)
    return 0


TRUST_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "recompute": (
        "score every member's trust over the graph now (the app does it daily)",
        lambda parser: None,
        _run_trust_recompute,
    ),
}


# ------------------------------------------------------------------------ engagements


def _configure_engagements(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, ENGAGEMENT_COMMANDS)


def _configure_auto_confirm(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def _run_auto_confirm(args: argparse.Namespace, out: Console) -> int:
    confirmed = 0
    while True:  # one short transaction per batch, like the app's sweep
        with db.unit_of_work() as session:
            batch = engagements.auto_confirm_due(session, limit=CONFIRM_BATCH)
        confirmed += batch
        if batch < CONFIRM_BATCH:
            break
    noun = "delivery" if confirmed == 1 else "deliveries"
    out.print(f"Confirmed {confirmed} quiet {noun}.")
    return 0


def _configure_resolve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("engagement", metavar="ID", help="the disputed engagement")
    parser.add_argument(
        "resolution",
        choices=("refund", "release"),
        help=(
            "refund: the asker gets the karma or card payment back; "
            "release: the helper is paid"
        ),
    )
    parser.add_argument(
        "--operator", required=True, metavar="HANDLE", help="who decides (an operator)"
    )
    parser.add_argument(
        "--note", default="", metavar="TEXT", help="why (shown to both parties)"
    )


def _run_resolve(args: argparse.Namespace, out: Console) -> int:
    with db.unit_of_work() as session:
        operator = members.active_member(
            session, args.operator, missing="Name the operator.", field="operator"
        )
        if not operator.is_operator:
            raise NotAuthorized(f"@{operator.handle} is not an operator.")
        engagement = engagements.resolve_dispute(
            session,
            operator_id=operator.id,
            engagement_id=args.engagement,
            resolution=args.resolution,
            note=args.note,
        )
    kept = {
        "paid": "the asker's card is released, or refunded if it was charged",
        "karma": "the asker keeps the karma",
    }.get(engagement.terms, "the asker owes nothing")
    outcome = (
        kept if engagement.resolution == "refund" else "the helper is paid as agreed"
    )
    out.print(
        f"Engagement #{engagement.id} resolved ({engagement.resolution}): {outcome}.",
        markup=False,
    )
    return 0


CONFIRM_BATCH = 200
ENGAGEMENT_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "auto-confirm": (
        "confirm deliveries the asker left unanswered past the quiet period",
        _configure_auto_confirm,
        _run_auto_confirm,
    ),
    "resolve": (
        "settle a disputed engagement: refund the asker or release to the helper",
        _configure_resolve,
        _run_resolve,
    ),
}


# --------------------------------------------------------------------------- operators


def _configure_operators(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, OPERATOR_COMMANDS)


def _configure_operator_handle(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("handle", metavar="HANDLE", help="the member's handle")


def _run_appoint(args: argparse.Namespace, out: Console) -> int:
    with db.unit_of_work() as session:
        member, changed = moderation.appoint_operator(session, args.handle)
    said = "is now an operator" if changed else "was already an operator"
    out.print(f"@{member.handle} {said}.", markup=False, highlight=False)
    return 0


def _run_dismiss(args: argparse.Namespace, out: Console) -> int:
    with db.unit_of_work() as session:
        member, changed = moderation.dismiss_operator(session, args.handle)
    said = "is no longer an operator" if changed else "was not an operator"
    out.print(f"@{member.handle} {said}.", markup=False, highlight=False)
    return 0


def _run_list_operators(args: argparse.Namespace, out: Console) -> int:
    with db.read_only() as session:
        found = moderation.operators(session)
    if not found:
        out.print(
            "No operators. Appoint one: python -m marketplace operators appoint HANDLE"
        )
    for member in found:
        out.print(
            f"@{member.handle}\t{member.display_name}", markup=False, highlight=False
        )
    return 0


OPERATOR_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "appoint": (
        "make a member an operator (the desks, freezing, moderation)",
        _configure_operator_handle,
        _run_appoint,
    ),
    "dismiss": (
        "take the operator role away from a member",
        _configure_operator_handle,
        _run_dismiss,
    ),
    "list": ("the operators", lambda parser: None, _run_list_operators),
}


# --------------------------------------------------------------------------- payments


def _configure_payments(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, PAYMENT_COMMANDS)


def _configure_reconcile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print the report as one JSON object"
    )


def _run_reconcile(args: argparse.Namespace, out: Console) -> int:
    card_payments.require_payments()
    gateway = payments.gateway_from_settings()
    with _snapshot() as session:
        report = payment_reconcile.reconcile(session, gateway)
    if args.json:
        print(json.dumps(report.as_dict(), sort_keys=True), file=out.file)
    else:
        _print_reconcile(out, report)
    return 0 if report.ok else 1


def _print_reconcile(out: Console, report: payment_reconcile.ReconcileReport) -> None:
    out.print(
        f"Checked {report.payments_checked} paid engagements against "
        f"{report.stripe_intents} Stripe payments."
    )
    if report.ok:
        out.print("[green]Clean:[/green] Stripe, the ledger and the app agree.")
        return
    table = Table(title=f"{len(report.differences)} difference(s)")
    for column in ("Kind", "Engagement", "Stripe payment", "Detail"):
        table.add_column(column, overflow="fold")
    for d in report.differences:
        table.add_row(
            d.kind,
            f"#{d.engagement_id}" if d.engagement_id else "-",
            d.intent_id or "-",
            escape(d.detail),
        )
    out.print(table)


PAYMENT_COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]
] = {
    "reconcile": (
        "compare Stripe's payments and refunds with the ledger; report differences",
        _configure_reconcile,
        _run_reconcile,
    ),
}


# --------------------------------------------------------------------------- export


def _configure_member_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--member", required=True, help="the member's handle")
    parser.add_argument(
        "--out", help="the zip file to write (default: karma-data-HANDLE-DATE.zip)"
    )


def _run_member_export(args: argparse.Namespace, out: Console) -> int:
    """A member's data archive, as 'Download my data' makes it, with progress."""
    try:
        _require_head()
    except _NotMigrated as error:
        Console(stderr=True).print(f"[red]error:[/red] {error}")
        return 1
    with _snapshot() as session:
        member = members.any_member(session, args.member)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            "{task.percentage:>3.0f}%",
            TimeElapsedColumn(),
            console=out,
        ) as bar:
            task = bar.add_task("collecting", total=100)

            def progress(percent: int, step: str) -> None:
                bar.update(task, completed=percent, description=step)

            payload = member_export.archive_bytes(session, member.id, progress)
            bar.update(task, completed=100, description="done")
        today = datetime.now(UTC)
        target = args.out or member_export.download_name(member.handle, today)
    with open(target, "wb") as file:
        file.write(payload)
    out.print(
        f"Wrote {len(payload):,} bytes for @{member.handle} to {target}",
        markup=False,
        highlight=False,
    )
    return 0


# --------------------------------------------------------------------------- contacts
# issue 23: a member's contacts from a LinkedIn, vCard or Google export


def _configure_contacts(parser: argparse.ArgumentParser) -> None:
    _add_actions(parser, CONTACTS_COMMANDS)


def _configure_contacts_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--member", required=True, help="whose contacts (handle)")
    parser.add_argument(
        "file",
        metavar="FILE",
        help="LinkedIn Connections.csv, a Google Contacts CSV or a vCard (.vcf)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object with the figures"
    )


def _run_contacts_import(args: argparse.Namespace, out: Console) -> int:
    err = Console(stderr=True)
    try:
        with open(args.file, "rb") as file:
            data = file.read(contact_files.MAX_BYTES + 1)
    except OSError as error:
        err.print(f"error: can't read {args.file}: {error.strerror}", markup=False)
        return 2
    with db.unit_of_work() as session:
        member = members.any_member(session, args.member)
        with _contacts_progress(err, quiet=args.json) as progress:
            report = contacts.import_contacts(
                session,
                actor_id=member.id,
                data=data,
                filename=args.file,
                progress=progress,
            )
    if args.json:
        print(json.dumps(report.as_json()))
    else:
        _print_contacts_report(out, member.handle, report)
    return 0


@contextmanager
def _contacts_progress(err: Console, *, quiet: bool):
    """A bar on stderr for a big file (stdout stays the report)."""
    if quiet:
        yield None
        return
    with Progress(
        "importing", BarColumn(), MofNCompleteColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("contacts", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


def _print_contacts_report(out: Console, handle: str, report) -> None:
    table = Table(title=f"Contacts imported for @{handle}", show_header=False)
    for label, value in (
        ("Rows read", report.rows),
        ("New contacts", report.imported),
        ("Updated", report.updated),
        ("Unchanged", report.unchanged),
        ("Members here", report.matched),
        ("Duplicates merged", report.duplicates),
        ("Rows with errors", len(report.errors)),
    ):
        table.add_row(label, str(value))
    out.print(table)
    for row, reason in report.errors:  # echoes file content: never rich markup
        out.print(f"  row {row}: {reason}", markup=False, highlight=False)


def _configure_contacts_clear(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--member", required=True, help="whose contacts (handle)")


def _run_contacts_clear(args: argparse.Namespace, out: Console) -> int:
    with db.unit_of_work() as session:
        member = members.any_member(session, args.member)
        gone = contacts.remove_all(session, actor_id=member.id)
    out.print(f"Removed {gone} contact(s) of @{member.handle}.", markup=False)
    return 0


CONTACTS_COMMANDS = {
    "import": (
        "import a member's contacts file (LinkedIn, Google CSV, vCard)",
        _configure_contacts_import,
        _run_contacts_import,
    ),
    "clear": (
        "remove all of a member's imported contacts",
        _configure_contacts_clear,
        _run_contacts_clear,
    ),
}
# end of issue 23 contacts


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
    "export": (
        "a member's data archive (JSON and ledger CSV in a zip)",
        _configure_member_export,
        _run_member_export,
    ),
    "ledger": (
        "karma ledger: audit, operator grants, expiring holds",
        _configure_ledger,
        _run_ledger,
    ),
    "ious": (
        "IOUs: import from a spreadsheet, export",
        _configure_ious,
        _run_ious,
    ),
    "digest": (
        "the daily digest email: send it now",
        _configure_digest,
        _run_action_at_head,
    ),
    "trust": (
        "trust over the relationship graph: recompute it",
        _configure_trust,
        _run_action_at_head,
    ),
    "engagements": (
        "engagements: confirm quiet deliveries, resolve disputes",
        _configure_engagements,
        _run_action_at_head,
    ),
    "payments": (
        "card payments: reconcile Stripe with the ledger",
        _configure_payments,
        _run_action_at_head,
    ),
    "operators": (
        "operators: appoint, dismiss, list",
        _configure_operators,
        _run_action_at_head,
    ),
    "contacts": (  # issue 23
        "a member's imported contacts: import a file, clear them",
        _configure_contacts,
        _run_action_at_head,
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
    except DomainError as error:  # messages may echo input: escape any markup
        Console(stderr=True).print(f"[red]error:[/red] {escape(str(error))}")
        return 1
    except SettingsError as error:  # a message for the operator, no traceback
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
