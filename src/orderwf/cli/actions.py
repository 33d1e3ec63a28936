"""`actions`, `apply` (one order or in bulk), `refund`, `note` and `tick`: what operators do
to orders."""

from __future__ import annotations

import functools
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from orderwf.cli import common
from orderwf.cli.app import app
from orderwf.cli.common import JsonOpt
from orderwf.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.service.bulk import BulkReport, Request
    from orderwf.workflows import Workflows


@app.command("actions")
def actions(
    ctx: typer.Context,
    order_id: common.OrderIdArg,
    as_json: JsonOpt = False,
) -> None:
    """Every action of the workflow for this order: allowed or not, and why not."""
    from orderwf.service import orders

    common.workflow_first(ctx)  # its errors leave no database behind
    db = common.db(ctx, reads_only=True)
    wf = common.order_workflow(ctx, db, order_id)
    rows = orders.available_actions(db, wf, order_id, actor=common.actor(ctx))
    if as_json:
        common.echo_json(rows)
        return
    from rich.table import Table

    table = Table("Action", "Label", "Allowed", "Why not")
    for r in rows:
        table.add_row(
            r["action"], r["label"], "yes" if r["allowed"] else "no", "; ".join(r["reasons"])
        )
    common.console().print(table)


def _run_apply(
    ctx: typer.Context,
    order_id: int,
    action: str,
    params: dict[str, object],
    *,
    dry_run: bool,
    key: str | None,
    as_json: bool,
) -> None:
    from orderwf.service import orders
    from orderwf.views import order_json, plan_json

    common.workflow_first(ctx)
    db = common.db(ctx)
    wf = common.order_workflow(ctx, db, order_id)
    result = orders.apply(
        db,
        wf,
        order_id,
        action,
        params,
        actor=common.actor(ctx),
        dry_run=dry_run,
        key=key,
        whole_order=as_json and dry_run,  # printed whole below (else `show` reads it back)
    )
    if as_json:
        if result.plan is not None and dry_run:
            common.echo_json(plan_json(result.plan, dry_run=True))
        else:
            common.echo_json(
                {
                    "order": order_json(orders.show(db, order_id)),  # with the new ids
                    "effects": result.effects,
                    "dry_run": False,
                    **({"replayed": True} if result.replayed else {}),
                }
            )
        return
    if result.plan is None:
        typer.echo(f"Already applied with key {key!r}: nothing changed.")
        return
    from orderwf.views import plan_lines

    typer.echo("\n".join(plan_lines(wf, result.plan, dry_run=dry_run)))


ParamOpt = Annotated[
    list[str] | None, typer.Option("-p", "--param", help="NAME=VALUE (repeatable).")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the plan; store nothing.")]
KeyOpt = Annotated[
    str | None, typer.Option("--key", help="Idempotency key: the same key again changes nothing.")
]


@app.command("apply")
def apply(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(
            metavar="[ID] ACTION",
            help="Order id and action; the action alone with --status or --ids.",
        ),
    ],
    param: ParamOpt = None,
    dry_run: DryRunOpt = False,
    key: KeyOpt = None,
    status: Annotated[str | None, typer.Option(help="Bulk: every order in this status.")] = None,
    ids: Annotated[str | None, typer.Option(help="Bulk: these order ids, e.g. 1,2,3.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply one action to one order in one transaction, or to many orders in batches."""
    params = common.parse_params(param or ())
    bulk = status is not None or ids is not None
    if bulk:
        if len(args) != 1:
            raise UsageError("with --status or --ids, give only the ACTION")
        if dry_run or key:
            raise UsageError("--dry-run and --key apply to one order, not to a bulk apply")
        _run_bulk(ctx, args[0], params, status=status, ids=_ids(ids), as_json=as_json)
        return
    if len(args) != 2:
        raise UsageError("give an order ID and an ACTION (or --status/--ids and an ACTION)")
    try:
        order_id = int(args[0])
    except ValueError:
        raise UsageError(f"order id {args[0]!r} is not a number") from None
    _run_apply(ctx, order_id, args[1], params, dry_run=dry_run, key=key, as_json=as_json)


def _ids(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise UsageError(f"--ids {text!r} is not a comma-separated list of order ids") from None


def _run_bulk(
    ctx: typer.Context,
    action: str,
    params: dict[str, object],
    *,
    status: str | None,
    ids: list[int] | None,
    as_json: bool,
) -> None:
    from orderwf.service import bulk

    # What can be refused before any order is read, before the database is opened.
    workflows = common.workflows(ctx)
    checked = bulk.request(workflows, action, params, status=status, ids=ids)
    status = checked.status
    db = common.db(ctx)
    common.long_running()
    total = len(ids) if ids is not None else None
    show_progress = not as_json and sys.stdout.isatty()
    report = bulk.BulkReport()  # ours: what was committed when Ctrl-C stops the run
    stopped: bulk.RunStopped | None = None
    try:
        _bulk(ctx, db, workflows, checked, total, report, show_progress)
    except bulk.RunStopped as e:
        stopped = e  # what was done, then the sentence that says why it stopped
    except KeyboardInterrupt:
        if ids is not None:
            given = len(set(ids))
            left = f"{given - report.applied:,} of the {given:,} given orders are unchanged"
        else:
            assert status is not None
            left = f"{bulk.count_orders(db, status):,} orders are still {status}"
        typer.echo(
            f"interrupted: {report.applied:,} order(s) applied in {report.batches} "
            f"batch(es) before Ctrl-C; {left}: run the command again to finish",
            err=True,
        )
        raise typer.Exit(130) from None
    if as_json:
        common.echo_json({"action": action, **_bulk_json(report)})
    else:
        _print_bulk(action, report)
    if stopped is not None:
        raise stopped
    if report.refused or report.busy:
        raise typer.Exit(1)


def _bulk(
    ctx: typer.Context,
    db: Engine,
    workflows: Workflows,
    checked: Request,
    total: int | None,
    report: BulkReport,
    show_progress: bool,
) -> None:
    from orderwf.service import bulk

    run = functools.partial(
        bulk.apply_all, db, workflows, checked, actor=common.actor(ctx), report=report
    )
    if not show_progress:
        run()
        return
    from rich.progress import Progress

    if total is None and checked.status is not None:
        total = bulk.count_orders(db, checked.status)
    with Progress(console=common.console(), transient=True) as bar:
        task = bar.add_task(f"{checked.action}", total=total)
        run(progress=lambda n: bar.advance(task, n))


@app.command("tick")
def tick(
    ctx: typer.Context,
    now: Annotated[
        str | None, typer.Option(help="Pretend it is this time (ISO 8601, UTC if no zone).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply every timer that is due, such as cancelling unpaid orders after an hour."""
    from orderwf.service import bulk

    when = None
    if now is not None:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            raise UsageError(f"--now {now!r} is not an ISO 8601 time") from None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    workflows = common.workflows(ctx)
    workflows.all()  # every workflow before the database is opened
    db = common.db(ctx)
    common.long_running()
    report = bulk.TickReport()  # ours: what was committed when Ctrl-C stops the run
    stopped: bulk.RunStopped | None = None
    try:
        bulk.tick_all(db, workflows, now=when, report=report)
    except bulk.RunStopped as e:
        stopped = e
    except KeyboardInterrupt:
        applied = sum(r.applied for r in report.timers.values())
        batches = sum(r.batches for r in report.timers.values())
        typer.echo(
            f"interrupted: {applied:,} order(s) applied by timers in {batches} batch(es) "
            "before Ctrl-C; the orders still due are unchanged: run `orderwf tick` again "
            "to finish",
            err=True,
        )
        raise typer.Exit(130) from None
    if as_json:
        common.echo_json({timer: _bulk_json(r) for timer, r in report.timers.items()})
    else:
        for timer, r in report.timers.items():
            _print_bulk(timer, r)
    if stopped is not None:
        raise stopped
    if any(r.refused or r.busy for r in report.timers.values()):
        raise typer.Exit(1)  # as a bulk apply: some orders refused (SPEC exit codes) or busy


def _bulk_json(report: BulkReport) -> dict[str, object]:
    return {
        "applied": report.applied,
        "refused": [{"id": i, "reasons": reasons} for i, reasons in report.refused],
        "busy": report.busy,
    }


def _print_bulk(name: str, report: BulkReport) -> None:
    """Plain lines, never wrapped: operators grep this report."""
    busy = f", {len(report.busy)} busy" if report.busy else ""
    typer.echo(f"{name}: {report.applied} order(s) applied, {len(report.refused)} refused{busy}")
    for order_id, reasons in report.refused:
        typer.echo(f"  #{order_id}: {'; '.join(reasons)}")
    for order_id in report.busy:
        typer.echo(f"  #{order_id}: busy (being changed by someone else); run the command again")


@app.command("refund")
def refund(
    ctx: typer.Context,
    order_id: common.OrderIdArg,
    amount: Annotated[str | None, typer.Option(help="Amount to refund, e.g. 12.50.")] = None,
    line: Annotated[
        list[str] | None,
        typer.Option(help="ITEM=QTY, ITEM=QTY@AMOUNT or ITEM=@AMOUNT (repeatable)."),
    ] = None,
    restock: Annotated[
        bool | None,
        typer.Option("--restock/--no-restock", help="Put items back in stock (default: workflow)."),
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Reason, shown to the customer.")] = None,
    dry_run: DryRunOpt = False,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Refund an amount or quantities (`apply ID refund`)."""
    params: dict[str, object] = {}
    if amount is not None:
        params["amount"] = amount
    if line:
        params["lines"] = list(line)
    if restock is not None:
        params["restock"] = "true" if restock else "false"
    if reason is not None:
        params["reason"] = reason
    _run_apply(ctx, order_id, "refund", params, dry_run=dry_run, key=key, as_json=as_json)


@app.command("note")
def note(
    ctx: typer.Context,
    order_id: common.OrderIdArg,
    text: Annotated[str, typer.Argument(metavar="TEXT")],
    customer: Annotated[
        bool, typer.Option("--customer", help="A note to the customer (emailed).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a private note, or a note to the customer (`apply ID add_note`)."""
    params: dict[str, object] = {"text": text, "customer": "true" if customer else "false"}
    _run_apply(ctx, order_id, "add_note", params, dry_run=False, key=None, as_json=as_json)
