"""`orderwf demo`: the seed story, narrated, on a temporary SQLite database with the default
workflow. Every step goes through the same services as the real commands."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from orderwf.cli import common
from orderwf.cli.app import app
from orderwf.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from orderwf.workflow.model import Workflow


@app.command("demo")
def demo(
    ctx: typer.Context,
    keep: Annotated[
        Path | None, typer.Option(help="Keep the demo database in this file instead.")
    ] = None,
) -> None:
    """Run the seed story end to end on a temporary SQLite database, narrated."""
    from orderwf.service import shop

    out = common.console()
    wf = common.workflow(ctx)  # in a shop folder, the shop's default workflow
    with tempfile.TemporaryDirectory(prefix="orderwf-demo-") as tmp:
        path = keep or Path(tmp) / "demo.db"
        if path.exists():
            raise UsageError(f"{path} already exists; give --keep a new file name")
        db = shop.connect(f"sqlite:///{path}")
        try:
            _story(out, db, wf, common.actor(ctx))
        finally:
            db.dispose()
        _next_steps(out, common.workflows(ctx).project is not None)
        out.print(f"\nThe demo database was {path}" + ("" if keep else " (now deleted)."))


def _next_steps(out: Console, in_shop: bool) -> None:
    """Where to go from here: a shop folder of one's own (docs/shop-folder.md)."""
    out.print()
    if in_shop:
        out.print(
            "This ran your shop's default workflow; `orderwf info` shows what your commands "
            "here use.",
            markup=False,
        )
        return
    out.print(
        "Your own shop is a folder with its workflow, templates and settings "
        "(docs/shop-folder.md):",
        markup=False,
    )
    out.print("  orderwf init myshop && cd myshop && orderwf validate", markup=False)
    out.print(
        "  orderwf product import products.json && orderwf order import orders.json", markup=False
    )


def _story(out: Console, db: Engine, wf: Workflow, actor: str) -> None:
    from orderwf import demo_data
    from orderwf.cli import render
    from orderwf.service import imports, orders
    from orderwf.views import plan_lines

    out.rule(f"orderwf demo — workflow {wf.name!r} ({wf.title})")
    out.print("1. Import the shop's products and three orders from WooCommerce JSON.")
    imports.import_products(db, demo_data.PRODUCTS, currency=wf.shop.currency)
    imports.import_orders(db, wf, demo_data.ORDERS)
    _stock(out, db)
    _list(out, db, wf)

    def step(title: str, command: str, order_id: int, action: str, params: dict[str, Any]) -> None:
        out.print()
        out.rule(title)
        out.print(f"$ orderwf {command}", markup=False, soft_wrap=True)
        result = orders.apply(db, wf, order_id, action, params, actor=actor, whole_order=True)
        assert result.plan is not None
        for line in plan_lines(wf, result.plan, dry_run=False):
            out.print(line, markup=False, soft_wrap=True)
        out.print()
        render.order(out, wf, result.order)
        _stock(out, db)
        _outbox(out, db)

    step(
        "2. Order #100 is paid: stock goes out, the shop and the customer are emailed",
        "apply 100 pay",
        100,
        "pay",
        {},
    )
    step(
        "3. A private note on #100",
        "note 100 'Packed by Léa, gift wrapped.'",
        100,
        "add_note",
        {"text": "Packed by Léa, gift wrapped."},
    )
    step(
        "4. A note to the customer on #100 (emailed)",
        "note 100 'Your parcel leaves on Monday.' --customer",
        100,
        "add_note",
        {"text": "Your parcel leaves on Monday.", "customer": "true"},
    )
    step(
        "5. #100 ships with Colissimo: completed, with its tracking code",
        "apply 100 complete -p tracking_number=6A12345678901 -p carrier=colissimo",
        100,
        "complete",
        {"tracking_number": "6A12345678901", "carrier": "colissimo"},
    )
    step(
        "6. Part of #101 is refunded: one broken mug, back in stock, with a reason",
        "refund 101 --line 1012=1 --restock --reason 'Mug arrived broken'",
        101,
        "refund",
        {"lines": ["1012=1"], "restock": "true", "reason": "Mug arrived broken"},
    )
    step(
        "7. #102 is cancelled: what it held goes back to stock",
        "apply 102 cancel",
        102,
        "cancel",
        {},
    )
    out.print()
    out.rule("The orders now")
    _list(out, db, wf)


def _stock(out: Console, db: Engine) -> None:
    from rich.table import Table

    from orderwf.service.products import list_products

    products = list_products(db)
    table = Table("SKU", "Product", "Stock", title="Stock levels")
    for p in products:
        table.add_row(p.sku, p.name, "—" if not p.manage_stock else str(p.stock_quantity))
    out.print(table)


def _list(out: Console, db: Engine, wf: Workflow) -> None:
    from orderwf.cli import render
    from orderwf.service import orders

    render.orders_table(out, render.labels_of(wf), orders.list_orders(db))


def _outbox(out: Console, db: Engine) -> None:
    from rich.table import Table

    from orderwf.service import outbox

    rows = outbox.list_messages(db)
    table = Table("#", "Order", "Email", "To", "Subject", title="Outbox (queued emails)")
    for r in rows:
        table.add_row(str(r.id), f"#{r.order_id}", r.email, r.to, r.subject)
    out.print(table)
