"""The parity scenarios' shop (reference, "Parity scenarios"): products A "T-Shirt" (SKU TS,
id 11, 10.00, stock 10, manages stock), B "E-book" (id 12, virtual and downloadable, 5.00) and
a free gift G (id 13); flat shipping 5.00; billing c@x.test; the shop's address comes from the
default workflow. Orders are imported as WooCommerce REST JSON and changed only through
`service`; what the tests read comes back from the tables (`shop.Shop`, the service way)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from orderwf.workflow.model import Workflow
from shop import Shop, woo_order

CREATED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
NOW = CREATED + timedelta(hours=1)
SHOP = "shop@example.com"
CUSTOMER = "c@x.test"
A, B, G = 11, 12, 13
PRODUCTS: dict[int, dict[str, Any]] = {
    A: {"id": A, "name": "T-Shirt", "sku": "TS", "price": "10.00", "manage_stock": True,
        "stock_quantity": 10},
    B: {"id": B, "name": "E-book", "sku": "EB", "price": "5.00", "virtual": True,
        "downloadable": True, "manage_stock": False, "stock_quantity": None},
    G: {"id": G, "name": "Gift", "sku": "GIFT", "price": "0.00", "manage_stock": False},
}  # fmt: skip

# A checkout order of Camille Martin, created at CREATED, of `items` (product, quantity) from
# PRODUCTS, with flat shipping 5.00 (`shipping=None`: none): line ids order id × 10 + 1…,
# shipping order id × 10 + 9.
parity_order = partial(
    woo_order,
    products=PRODUCTS,
    shipping="5.00",
    customer=("Camille", "Martin"),
    email=CUSTOMER,
    via="checkout",
    created=CREATED,
)


def open_shop(tmp_path: Path, url: str, model: Workflow) -> Iterator[Shop]:
    """The parity shop on the database at `url`, applying `model` at NOW."""
    shop = Shop(tmp_path, url=url, model=model, now=NOW)
    try:
        shop.add_products(PRODUCTS.values())
        yield shop
    finally:
        shop.close()
