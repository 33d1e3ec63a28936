"""The catalogue: every product with its price and stock, and a product's stock level set
(`product list`, `product stock`). Importing products is `imports`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orderwf import quantities
from orderwf.store import catalog
from orderwf.store.db import read_transaction, write_transaction

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf.store.catalog import ProductInfo


def list_products(db: Engine) -> list[ProductInfo]:
    """Every product, by id."""
    with read_transaction(db) as session:
        return catalog.list_products(session)


def stock_level(text: str) -> int:
    """A stock level as a person types it (negative: a backorder), checked before the
    database is opened."""
    return quantities.parse(text, "stock level", negative=True)


def set_stock(db: Engine, ref: str, level: int) -> tuple[ProductInfo, int | None]:
    """Set the stock level of the product `ref` (a SKU or `#ID`; it then manages stock):
    the product as it now is, and its previous level."""
    with write_transaction(db) as session:
        return catalog.set_stock(session, ref, level)
