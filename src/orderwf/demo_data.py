"""The demo shop: three products and three orders in WooCommerce REST v3 shape, as
`orderwf demo` imports them."""

from __future__ import annotations

from typing import Any

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": 11,
        "sku": "TS",
        "name": "T-Shirt",
        "price": "10.00",
        "manage_stock": True,
        "stock_quantity": 10,
        "virtual": False,
        "downloadable": False,
    },
    {
        "id": 12,
        "sku": "EBOOK",
        "name": "E-book",
        "price": "5.00",
        "manage_stock": False,
        "stock_quantity": None,
        "virtual": True,
        "downloadable": True,
    },
    {
        "id": 13,
        "sku": "MUG",
        "name": "Mug",
        "price": "8.00",
        "manage_stock": True,
        "stock_quantity": 5,
        "virtual": False,
        "downloadable": False,
    },
]


def _order(
    order_id: int,
    status: str,
    lines: list[tuple[int, int, str, int, str]],
    first: str,
    last: str,
    email: str,
    via: str = "checkout",
) -> dict[str, Any]:
    items = [
        {
            "id": item_id,
            "product_id": pid,
            "name": name,
            "quantity": qty,
            "total": total,
            "total_tax": "0.00",
            "sku": next(p["sku"] for p in PRODUCTS if p["id"] == pid),
            "price": str(int(float(total)) // qty),
        }
        for item_id, pid, name, qty, total in lines
    ]
    total = sum(float(i["total"]) for i in items) + 5
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": "EUR",
        "created_via": via,
        "date_created_gmt": "2026-11-26T08:00:00",
        "total": f"{total:.2f}",
        "shipping_total": "5.00",
        "billing": {
            "first_name": first,
            "last_name": last,
            "email": email,
            "address_1": "1 rue de la Paix",
            "city": "Paris",
            "postcode": "75002",
            "country": "FR",
        },
        "shipping": {
            "first_name": first,
            "last_name": last,
            "address_1": "1 rue de la Paix",
            "city": "Paris",
            "postcode": "75002",
            "country": "FR",
        },
        "payment_method_title": "Credit card",
        "line_items": items,
        "shipping_lines": [
            {
                "id": order_id * 10 + 9,
                "method_title": "Colissimo",
                "method_id": "flat_rate",
                "total": "5.00",
                "total_tax": "0.00",
            }
        ],
        "fee_lines": [],
        "refunds": [],
        "meta_data": [],
    }


ORDERS: list[dict[str, Any]] = [
    _order(
        100,
        "pending",
        [(1001, 11, "T-Shirt", 2, "20.00")],
        "Camille",
        "Martin",
        "camille@example.com",
    ),
    _order(
        101,
        "processing",
        [(1011, 11, "T-Shirt", 1, "10.00"), (1012, 13, "Mug", 2, "16.00")],
        "Louis",
        "Bernard",
        "louis@example.com",
    ),
    _order(
        102,
        "on-hold",
        [(1021, 13, "Mug", 1, "8.00"), (1022, 12, "E-book", 1, "5.00")],
        "Emma",
        "Petit",
        "emma@example.com",
    ),
]
