"""`order …` and `email preview`: the orders, one or a list, and their emails."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orderwf.cli import common
from orderwf.cli.common import JsonOpt
from orderwf.errors import OrderwfError

if TYPE_CHECKING:
    from orderwf.workflow.model import Workflow

order_app = common.group("order", "Orders: list, show, history, import, create.")


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
    from orderwf.service import orders
    from orderwf.views import iso

    if status is not None:
        status = common.require_status(ctx, status)
    rows = orders.list_orders(
        common.db(ctx, reads_only=True), status=status, search=search, limit=limit
    )
    label = _labels(ctx)
    if as_json:
        common.echo_json(
            [
                {
                    "id": r["id"],
                    "number": r["number"],
                    "date_created": iso(r["date_created"]),
                    "status": r["status"],
                    "status_label": label(r["workflow"], r["status"]),
                    "customer": r["customer_name"],
                    "email": r["customer_email"],
                    "total": money.fmt(r["total"], r["currency"]),
                    "currency": r["currency"],
                }
                for r in rows
            ]
        )
    else:
        render.orders_table(common.console(), label, rows)


def _labels(ctx: typer.Context) -> Callable[[str, str], str]:
    """(workflow name, status id) → the status label of that order's workflow; the id when
    the workflow has no file or no longer declares the status (a list still lists)."""
    workflows = common.workflows(ctx)
    known: dict[str, Workflow | None] = {}

    def label(name: str, status: str) -> str:
        if name not in known:
            try:
                known[name] = workflows.by_name(name)
            except OrderwfError:
                known[name] = None
        wf = known[name]
        return wf.status(status).label if wf is not None else status

    return label


@order_app.command("show")
def order_show(
    ctx: typer.Context,
    order_id: common.OrderIdArg,
    as_json: JsonOpt = False,
    customer: Annotated[
        bool, typer.Option("--customer", help="What the customer sees in their account.")
    ] = False,
) -> None:
    """One order: lines, totals, refunds, notes, tracking."""
    from orderwf.service import orders
    from orderwf.views import order_json

    order = orders.show(common.db(ctx, reads_only=True), order_id)
    if as_json:
        data = order_json(order)
        if customer:
            data["notes"] = [n for n in data["notes"] if n["customer_note"]]
        common.echo_json(data)
        return
    from orderwf.cli import render

    wf = common.workflows(ctx).by_name(order.workflow, f"order #{order_id}")
    render.order(common.console(), wf, order, customer=customer)


@order_app.command("history")
def order_history(
    ctx: typer.Context,
    order_id: common.OrderIdArg,
    as_json: JsonOpt = False,
) -> None:
    """Every apply on the order: when, who, what, from/to status."""
    from orderwf.service import orders
    from orderwf.views import iso

    rows = orders.history(common.db(ctx, reads_only=True), order_id)
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
            "workflow_version": short_version(r["workflow_name"], r["workflow_hash"]),
        }
        for r in rows
    ]
    if as_json:
        common.echo_json(data)
        return
    from orderwf.views import history_lines

    for line in history_lines(data):
        typer.echo(line)


SHORT_HASH = 12


def short_version(name: str | None, digest: str | None) -> str | None:
    """`shop@2a75cfec0992`: what `orderwf workflow show` takes."""
    return f"{name}@{digest[:SHORT_HASH]}" if name and digest else None


@order_app.command("import")
def order_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="WooCommerce REST v3 order JSON.")],
    stock_reduced: Annotated[
        str,
        typer.Option(help="Was stock already taken out for these orders: auto, yes or no."),
    ] = "auto",
    update: Annotated[
        bool, typer.Option(help="Replace stored orders that have no actions applied here yet.")
    ] = False,
) -> None:
    """Import WooCommerce orders (one object or a list); ids are kept."""
    from orderwf.service import imports

    # The input first: a refusal must not leave even a new, empty database behind.
    mode = imports.stock_reduced_mode(stock_reduced)
    workflows = common.workflows(ctx)
    items, wf = imports.stream(file), workflows.default()
    common.long_running()
    # With routes, each order's status is checked against the workflow they pick, once the
    # products its lines name are known.
    routed = workflows.forced is None and bool(workflows.project and workflows.project.routes)
    checked = imports.check_orders(wf, items, check_status=not routed)
    ids = imports.import_orders(
        common.db(ctx),
        wf,
        items,
        stock_reduced=mode,
        update=update,
        checked=checked,
        choose=workflows.for_new,
    )
    typer.echo(f"Imported {len(ids)} order{'s' if len(ids) != 1 else ''}: {common.id_list(ids)}.")


@order_app.command("create")
def order_create(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="The customer's billing email.")],
    line: Annotated[list[str], typer.Option(help="SKU=QTY (repeatable).")],
    shipping: Annotated[str | None, typer.Option(help="Shipping amount.")] = None,
    via: Annotated[str, typer.Option(help="created_via (admin, checkout, …).")] = "admin",
) -> None:
    """A new order in the workflow's initial status, priced from the products."""
    from orderwf.service import orders

    workflows = common.workflows(ctx)
    wf = workflows.default()
    request = orders.new_order(wf, email=email, lines=line, shipping=shipping)
    order_id = orders.store_new_order(
        common.db(ctx), wf, request, via=via, choose=workflows.for_new
    )
    typer.echo(f"created order #{order_id}")


email_app = common.group("email", "Emails: preview a rendered email.")


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
    from orderwf.service import orders

    common.workflow_first(ctx)
    db = common.db(ctx, reads_only=True)
    wf = common.order_workflow(ctx, db, order_id)
    rendered = orders.preview_email(db, wf, email, order_id, actor=common.actor(ctx))
    if rendered.error:
        raise OrderwfError(f"email {email!r} cannot be rendered: {rendered.error}")
    if html:
        if rendered.html is None:
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
