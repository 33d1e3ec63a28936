"""`order …`, `actions`, `apply`, `refund`, `note`: orders and what operators do to them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orderwf.cli import common
from orderwf.cli.app import app

if TYPE_CHECKING:
    from orderwf.service import BulkReport

order_app = typer.Typer(help="Orders: list, show, history, import, create.", no_args_is_help=True)
app.add_typer(order_app, name="order")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@order_app.command("list")
def order_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only orders in this status.")] = None,
    search: Annotated[str | None, typer.Option(help="Number, customer name or email.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The orders list: number, date, status, customer, total."""
    from orderwf import money
    from orderwf.cli import render
    from orderwf.store import db, repo
    from orderwf.views import iso

    wf = common.workflow(ctx)
    if status is not None and status not in wf.statuses:
        from orderwf.errors import UsageError

        raise UsageError(f"unknown status {status!r} (expected one of: {', '.join(wf.statuses)})")
    with db.read_session(common.engine(ctx)) as session:
        rows = repo.list_orders(session, status=status, search=search, limit=limit)
    if as_json:
        common.echo_json(
            [
                {
                    "id": r["id"],
                    "number": r["number"],
                    "date_created": iso(r["date_created"]),
                    "status": r["status"],
                    "status_label": wf.status(r["status"]).label,
                    "customer": r["customer_name"],
                    "email": r["customer_email"],
                    "total": money.fmt(r["total"], r["currency"]),
                    "currency": r["currency"],
                }
                for r in rows
            ]
        )
    else:
        render.orders_table(common.console(), wf, rows)


@order_app.command("show")
def order_show(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: JsonOpt = False,
    customer: Annotated[
        bool, typer.Option("--customer", help="What the customer sees in their account.")
    ] = False,
) -> None:
    """One order: lines, totals, refunds, notes, tracking."""
    from orderwf import service
    from orderwf.views import order_json

    order = service.show(common.engine(ctx), order_id)
    if as_json:
        data = order_json(order)
        if customer:
            data["notes"] = [n for n in data["notes"] if n["customer_note"]]
        common.echo_json(data)
        return
    from orderwf.cli import render

    render.order(common.console(), common.workflow(ctx), order, customer=customer)


@order_app.command("history")
def order_history(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: JsonOpt = False,
) -> None:
    """Every apply on the order: when, who, what, from/to status."""
    from orderwf import service
    from orderwf.store import db, repo
    from orderwf.views import iso

    engine = common.engine(ctx)
    service.show(engine, order_id)  # refuses an unknown order
    with db.read_session(engine) as session:
        rows = repo.history(session, order_id)
    data = [
        {
            "id": r["id"],
            "at": iso(r["at"]),
            "actor": r["actor"],
            "action": r["action"],
            "params": r["params"],
            "from": r["from_status"],
            "to": r["to_status"],
            "key": r["idempotency_key"],
            "effects": r["effects"],
        }
        for r in rows
    ]
    if as_json:
        common.echo_json(data)
        return
    out = common.console()
    for r in data:
        move = f"{r['from']} → {r['to']}" if r["from"] != r["to"] else r["from"]
        out.print(f"{r['at']}  {r['actor']}  {r['action']}  {move}", markup=False)


@order_app.command("import")
def order_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="WooCommerce REST v3 order JSON.")],
    stock_reduced: Annotated[
        str,
        typer.Option(help="Was stock already taken out for these orders: auto, yes or no."),
    ] = "auto",
    update: Annotated[bool, typer.Option(help="Overwrite orders that already exist.")] = False,
) -> None:
    """Import WooCommerce orders (one object or a list); ids are kept."""
    from orderwf import woo
    from orderwf.store import imports

    ids = imports.import_orders(
        common.engine(ctx),
        common.workflow(ctx),
        woo.load(file),
        stock_reduced=stock_reduced,  # type: ignore[arg-type]  # checked by import_orders
        update=update,
    )
    typer.echo(f"imported {len(ids)} order(s): {', '.join(f'#{i}' for i in ids)}")


@order_app.command("create")
def order_create(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="The customer's billing email.")],
    line: Annotated[list[str], typer.Option(help="SKU=QTY (repeatable).")],
    shipping: Annotated[str | None, typer.Option(help="Shipping amount.")] = None,
    via: Annotated[str, typer.Option(help="created_via (admin, checkout, …).")] = "admin",
) -> None:
    """A new order in the workflow's initial status, priced from the products."""
    from orderwf.store import imports

    order_id = imports.create_order(
        common.engine(ctx),
        common.workflow(ctx),
        email=email,
        lines=line,
        shipping=shipping,
        via=via,
    )
    typer.echo(f"created order #{order_id}")


@app.command("actions")
def actions(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    as_json: JsonOpt = False,
) -> None:
    """Every action of the workflow for this order: allowed or not, and why not."""
    from orderwf import service

    rows = service.available_actions(
        common.engine(ctx), common.workflow(ctx), order_id, actor=common.actor(ctx)
    )
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
    from orderwf import service
    from orderwf.views import order_json, plan_json

    wf = common.workflow(ctx)
    engine = common.engine(ctx)
    result = service.apply(
        engine,
        wf,
        order_id,
        action,
        params,
        actor=common.actor(ctx),
        dry_run=dry_run,
        key=key,
    )
    if as_json:
        if result.plan is not None and dry_run:
            common.echo_json(plan_json(result.plan, dry_run=True))
        else:
            common.echo_json(
                {
                    "order": order_json(service.show(engine, order_id)),  # with the new ids
                    "effects": result.effects,
                    "dry_run": False,
                    **({"replayed": True} if result.replayed else {}),
                }
            )
        return
    if result.plan is None:
        typer.echo(f"Already applied with key {key!r}: nothing changed.")
        return
    from orderwf.cli import render

    typer.echo("\n".join(render.plan_lines(wf, result.plan, dry_run=dry_run)))


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
    from orderwf.errors import UsageError

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
    from orderwf.errors import UsageError

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
    import sys

    from orderwf import service

    engine, wf = common.engine(ctx), common.workflow(ctx)
    total = len(ids) if ids is not None else None
    show_progress = not as_json and sys.stdout.isatty()
    if show_progress:
        from rich.progress import Progress

        if total is None and status is not None and status in wf.statuses:
            total = service.count_orders(engine, status)
        with Progress(console=common.console(), transient=True) as bar:
            task = bar.add_task(f"{action}", total=total)
            report = service.bulk_apply(
                engine,
                wf,
                action,
                params,
                actor=common.actor(ctx),
                status=status,
                ids=ids,
                progress=lambda n: bar.advance(task, n),
            )
    else:
        report = service.bulk_apply(
            engine, wf, action, params, actor=common.actor(ctx), status=status, ids=ids
        )
    if as_json:
        common.echo_json({"action": action, **_bulk_json(report)})
    else:
        _print_bulk(action, report)
    if report.refused:
        raise typer.Exit(1)


@app.command("tick")
def tick(
    ctx: typer.Context,
    now: Annotated[
        str | None, typer.Option(help="Pretend it is this time (ISO 8601, UTC if no zone).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply every timer that is due, such as cancelling unpaid orders after an hour."""
    from datetime import UTC, datetime

    from orderwf import service
    from orderwf.errors import UsageError

    when = None
    if now is not None:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            raise UsageError(f"--now {now!r} is not an ISO 8601 time") from None
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
    report = service.tick(common.engine(ctx), common.workflow(ctx), now=when)
    if as_json:
        common.echo_json({timer: _bulk_json(r) for timer, r in report.timers.items()})
        return
    for timer, r in report.timers.items():
        _print_bulk(timer, r)


def _bulk_json(report: BulkReport) -> dict[str, object]:
    return {
        "applied": report.applied,
        "refused": [{"id": i, "reasons": reasons} for i, reasons in report.refused],
    }


def _print_bulk(name: str, report: BulkReport) -> None:
    """Plain lines, never wrapped: operators grep this report."""
    typer.echo(f"{name}: {report.applied} order(s) applied, {len(report.refused)} refused")
    for order_id, reasons in report.refused:
        typer.echo(f"  #{order_id}: {'; '.join(reasons)}")


email_app = typer.Typer(help="Emails: preview a rendered email.", no_args_is_help=True)
app.add_typer(email_app, name="email")


@email_app.command("preview")
def email_preview(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(metavar="EMAIL_ID")],
    order_id: Annotated[int, typer.Option("--order", help="The order to render it for.")],
    html: Annotated[
        bool, typer.Option("--html", help="Write the HTML part to a file and print its path.")
    ] = False,
) -> None:
    """Render an email for an order without queueing it."""
    from orderwf import service

    rendered = service.preview_email(
        common.engine(ctx), common.workflow(ctx), email, order_id, actor=common.actor(ctx)
    )
    if rendered.error:
        from orderwf.errors import OrderwfError

        raise OrderwfError(f"email {email!r} cannot be rendered: {rendered.error}")
    if html:
        import tempfile

        if rendered.html is None:
            from orderwf.errors import OrderwfError

            raise OrderwfError(f"email {email!r} has no HTML template")
        with tempfile.NamedTemporaryFile(
            "w", suffix=".html", prefix=f"{email}-{order_id}-", delete=False, encoding="utf-8"
        ) as f:
            f.write(rendered.html)
        typer.echo(f.name)
        return
    typer.echo(
        f"From: {rendered.sender}\nTo: {rendered.to or '(no address)'}\n"
        f"Subject: {rendered.subject}\n\n{rendered.text}"
    )


@app.command("refund")
def refund(
    ctx: typer.Context,
    order_id: Annotated[int, typer.Argument(metavar="ID")],
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
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    text: Annotated[str, typer.Argument(metavar="TEXT")],
    customer: Annotated[
        bool, typer.Option("--customer", help="A note to the customer (emailed).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a private note, or a note to the customer (`apply ID add_note`)."""
    params: dict[str, object] = {"text": text, "customer": "true" if customer else "false"}
    _run_apply(ctx, order_id, "add_note", params, dry_run=False, key=None, as_json=as_json)
