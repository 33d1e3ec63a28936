"""`order …`, `actions`, `apply`, `refund`, `note`: orders and what operators do to them."""

from __future__ import annotations

from typing import Annotated

import typer

from orderwf.cli import common
from orderwf.cli.app import app

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
    result = service.apply(
        common.engine(ctx),
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
                    "order": order_json(result.order),
                    "effects": result.effects,
                    "dry_run": False,
                    **({"replayed": True} if result.replayed else {}),
                }
            )
        return
    out = common.console()
    if result.plan is None:
        out.print(f"Already applied with key {key!r}: nothing changed.", markup=False)
        return
    from orderwf.cli import render

    render.plan(out, wf, result.plan, dry_run=dry_run)


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
    order_id: Annotated[int, typer.Argument(metavar="ID")],
    action: Annotated[str, typer.Argument(metavar="ACTION")],
    param: ParamOpt = None,
    dry_run: DryRunOpt = False,
    key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply one action to one order, in one transaction."""
    _run_apply(
        ctx,
        order_id,
        action,
        common.parse_params(param or ()),
        dry_run=dry_run,
        key=key,
        as_json=as_json,
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
