"""Products as the CLI lists them, looked up by SKU or id, and a stock level set, inside the
caller's session (`product list`, `product stock`, `order create`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import select as orm_select

from orderwf.errors import NotFound, StoreError
from orderwf.store.core import PRODUCTS
from orderwf.store.tables import Product
from orderwf.store.tx import Tx

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True)
class ProductInfo:
    id: int
    sku: str
    name: str
    price: Decimal
    manage_stock: bool
    stock_quantity: int | None


def list_products(session: Tx) -> list[ProductInfo]:
    """Every product, by id (a Core read: `product list` needs no ORM)."""
    query = select(*_INFO_COLUMNS).order_by(PRODUCTS.c.id)
    return [ProductInfo(*row) for row in session.execute(query)]


def set_stock(session: Session, ref: str, quantity: int) -> tuple[ProductInfo, int | None]:
    """Set the stock level of the product `ref` (a SKU or `#ID`; it then manages stock).
    Returns the product as it now is and its previous level."""
    product = product_by_ref(session, ref)
    before = product.stock_quantity
    product.stock_quantity = quantity
    product.manage_stock = True
    session.flush()
    return _info(product), before


def product_by_ref(session: Session, ref: str, *, hint: str = "") -> Product:
    """The product `#ID` (WooCommerce products may have no SKU), else the one with SKU `ref`."""
    number = ref.removeprefix("#")
    if ref.startswith("#") and number.isascii() and number.isdigit():
        product = session.get(Product, int(number)) if len(number) <= 10 else None
        if product is None:
            raise NotFound(f"no product has id {number}{hint}")
        return product
    if not hint and ref.isascii() and ref.isdigit():  # an id given without its `#`
        hint = f" (for the product with id {ref}, write #{ref})"
    return product_by_sku(session, ref, hint=hint)


def product_by_sku(session: Session, sku: str, *, hint: str = "") -> Product:
    """The one product with `sku`; `NotFound` (with `hint` appended) when there is none,
    `StoreError` when several share it."""
    found = session.exec(orm_select(Product).where(Product.sku == sku).limit(2)).all()
    if not found:
        raise NotFound(f"no product has SKU {sku!r}{hint}")
    if len(found) > 1:
        raise StoreError(f"several products have SKU {sku!r}; give each a unique SKU")
    return found[0]


# `ProductInfo`'s fields, in order.
_INFO_COLUMNS = tuple(PRODUCTS.c[f.name] for f in fields(ProductInfo))


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
