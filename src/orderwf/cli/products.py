"""`product import|list|stock` and `db upgrade`: the catalogue and the schema.
The database stack is imported inside each command, so `orderwf --help` stays light."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orderwf.cli import common
from orderwf.cli.app import options

product_app = common.group("product", "Products and their stock levels.")
db_app = common.group("db", "The database schema.")


@product_app.command("import")
def product_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="WooCommerce REST v3 product JSON (one or a list).")],
    update: Annotated[
        bool, typer.Option("--update", help="Replace products already stored.")
    ] = False,
) -> None:
    """Import products, keeping their WooCommerce ids."""
    from orderwf.service import imports

    items = imports.stream(file)
    currency = common.workflow(ctx).shop.currency
    common.long_running()
    # The file first: a refusal creates no database.
    checked = imports.check_products(items, currency)
    ids = imports.import_products(
        common.db(ctx), items, currency=currency, update=update, checked=checked
    )
    typer.echo(f"Imported {len(ids)} product{'s' if len(ids) != 1 else ''}: {common.id_list(ids)}.")


@product_app.command("list")
def product_list(
    ctx: typer.Context,
    as_json: common.JsonOpt = False,
) -> None:
    """Every product with its price and stock level."""
    from orderwf import money
    from orderwf.service.products import list_products

    currency = common.workflow(ctx).shop.currency
    products = list_products(common.db(ctx, reads_only=True))
    if as_json:
        common.echo_json(
            [
                {
                    "id": p.id,
                    "sku": p.sku,
                    "name": p.name,
                    "price": money.fmt(p.price, currency),
                    "manage_stock": p.manage_stock,
                    "stock_quantity": p.stock_quantity,
                }
                for p in products
            ]
        )
        return
    from rich.table import Table

    table = Table("ID", "SKU", "Name", "Price", "Stock", title=None)
    for p in products:
        stock = str(p.stock_quantity) if p.manage_stock else "not managed"
        table.add_row(str(p.id), p.sku, p.name, money.show(p.price, currency), stock)
    common.console().print(table)


# A negative level (a backorder) is a value, not an unknown option: `product stock TS -3`.
@product_app.command("stock", context_settings={"ignore_unknown_options": True})
def product_stock(
    ctx: typer.Context,
    product: Annotated[
        str, typer.Argument(metavar="SKU|#ID", help="The product's SKU, or # and its id.")
    ],
    quantity: Annotated[
        str, typer.Argument(metavar="QTY", help="The new stock level (negative: a backorder).")
    ],
) -> None:
    """Set a product's stock level (the product then manages stock)."""
    from orderwf.service import products

    if product.startswith("-"):  # unknown options pass through as values (for a negative QTY)
        ctx.fail(f"No such option: {product}")
    level = products.stock_level(quantity)
    info, before = products.set_stock(common.db(ctx), product, level)
    was = "not managed" if before is None else str(before)
    name = f"{info.name} ({info.sku})" if info.sku else f"{info.name} (#{info.id})"
    typer.echo(f"{name}: stock {was} → {info.stock_quantity}.")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database to the newest schema (any command also does it when needed)."""
    from orderwf.service import shop

    before, after = shop.upgrade(options(ctx).db, lock_timeout=options(ctx).lock_timeout)
    if before == after:
        typer.echo(f"The database is already at the newest schema ({after}).")
    else:
        typer.echo(f"Database schema upgraded from {before or 'empty'} to {after}.")
