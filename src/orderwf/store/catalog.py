"""Products as the CLI lists them, and setting a stock level (`product list`, `product stock`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from orderwf.errors import NotFound, StoreError
from orderwf.store.db import read_session, write_transaction
from orderwf.store.tables import Product

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    price: Decimal
    manage_stock: bool
    stock_quantity: int | None


def list_products(engine: Engine) -> list[ProductInfo]:
    """Every product, by id."""
    from sqlmodel import col, select

    with read_session(engine) as session:
        rows = session.exec(select(Product).order_by(col(Product.id))).all()
        return [_info(row) for row in rows]


def set_stock(engine: Engine, sku: str, quantity: int) -> tuple[ProductInfo, int | None]:
    """Set the stock level of the product with `sku` (it then manages stock).
    Returns the product as it now is and its previous level."""
    with write_transaction(engine) as session:
        product = product_by_sku(session, sku)
        before = product.stock_quantity
        product.stock_quantity = quantity
        product.manage_stock = True
        session.flush()
        return _info(product), before


def product_by_sku(session: Session, sku: str, *, hint: str = "") -> Product:
    """The one product with `sku`; `NotFound` (with `hint` appended) when there is none,
    `StoreError` when several share it."""
    from sqlmodel import select

    found = session.exec(select(Product).where(Product.sku == sku).limit(2)).all()
    if not found:
        raise NotFound(f"no product has SKU {sku!r}{hint}")
    if len(found) > 1:
        raise StoreError(f"several products have SKU {sku!r}; give each a unique SKU")
    return found[0]


def _info(row: Product) -> ProductInfo:
    assert row.id is not None
    return ProductInfo(
        id=row.id,
        sku=row.sku,
        name=row.name,
        price=row.price,
        manage_stock=row.manage_stock,
        stock_quantity=row.stock_quantity,
    )
