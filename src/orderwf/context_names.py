"""What templates and expressions may read (SPEC §2.1): the names of their context and a
sample value of each, as the plain dicts they see. The engine fills the same names from an
order (`engine/context.py`); validation renders every template against the sample
(`workflow/textchecks.py`). Both import this module and it imports neither, so validation
never reaches into the engine. A test builds the engine's context for the order this sample
describes and compares the two, so they cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

# The top-level names of every context: the common ones, and `refund`, `from`, `to`, which
# the engine passes where they mean something (a refund's email, a status change's note).
CONTEXT_NAMES = frozenset({"order", "params", "shop", "actor", "now", "refund", "from", "to"})

ADDRESS_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)


_BLANK_ADDRESS = dict.fromkeys(ADDRESS_FIELDS, "")


def address(fields: Mapping[str, Any]) -> dict[str, Any]:
    """An address as templates see it: every field of `ADDRESS_FIELDS`, blank when unknown."""
    return {**_BLANK_ADDRESS, **fields}


_SAMPLE_TIME = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
_ZERO = Decimal(0)


def _line(item_id: int, kind: str, name: str, total: Decimal, **fields: Any) -> dict[str, Any]:
    """A sample line as templates see it (no tax, nothing refunded unless `fields` says)."""
    line: dict[str, Any] = {
        "id": item_id,
        "kind": kind,
        "name": name,
        "method_title": name,
        "method_id": "",
        "product_id": None,
        "variation_id": None,
        "sku": "",
        "quantity": 1,
        "price": _ZERO,
        "total": total,
        "total_tax": _ZERO,
        "gross": total,
        "quantity_refunded": 0,
        "total_refunded": _ZERO,
        "reduced_stock": 0,
        "virtual": False,
        "downloadable": False,
        "meta": {},
    }
    return {**line, **fields}


def sample_line() -> dict[str, Any]:
    """The sample order's first line: a stocked product (2 × T-Shirt, 2 units out of stock)."""
    return _line(
        1,
        "line_item",
        "T-Shirt",
        Decimal("20"),
        product_id=11,
        sku="TS",
        quantity=2,
        price=Decimal("10"),
        reduced_stock=2,
    )


# The names each system message sees on top of the common ones, with sample values.
MESSAGE_NAMES: Mapping[str, Mapping[str, Any]] = {
    "status_changed": {},
    "stock_reduced": {"changes": "T-Shirt (TS) 10→8"},
    "stock_restored": {"changes": "T-Shirt (TS) 8→10"},
    # `item` is what the engine passes: the restocked line's whole context.
    "restocked": {"item": sample_line(), "old": 8, "new": 9},
    "fully_refunded": {},
}


def sample_context(
    *, workflow: str, status: Mapping[str, Any], shop: Mapping[str, Any]
) -> dict[str, Any]:
    """Every name a template may use, for a representative order of `workflow` in `status`
    (`{"id", "label", "paid"}`) at `shop` (as `engine.context.shop_context` gives it): two
    product lines (one stocked, one virtual), shipping, a fee, a partial refund, a customer
    note and a tracking entry. A fresh dict each call: a caller may change it."""
    when = _SAMPLE_TIME
    refunded = Decimal("5")
    products = [
        sample_line(),
        _line(
            2,
            "line_item",
            "E-book",
            Decimal("5"),
            product_id=12,
            price=Decimal("5"),
            virtual=True,
            downloadable=True,
        ),
    ]
    order = {
        "id": 100,
        "number": "100",
        "status": dict(status),
        "workflow": workflow,
        "currency": shop["currency"],
        "total": Decimal("31"),
        "total_refunded": refunded,
        "remaining_refundable": Decimal("26"),
        "subtotal": Decimal("25"),
        "shipping_total": Decimal("5"),
        "total_tax": _ZERO,
        "billing": address(
            {
                "first_name": "Camille",
                "last_name": "Martin",
                "email": "c@x.test",
                "address_1": "1 rue de la Paix",
                "city": "Paris",
                "postcode": "75002",
                "country": "FR",
                "phone": "+33 1 23 45 67 89",
            }
        ),
        "shipping": address(
            {
                "first_name": "Camille",
                "last_name": "Martin",
                "address_1": "1 rue de la Paix",
                "city": "Paris",
                "postcode": "75002",
                "country": "FR",
            }
        ),
        "line_items": products,
        "lines": products,  # the product lines, by the name routes use
        "shipping_lines": [_line(3, "shipping", "Flat rate", Decimal("5"), method_id="flat_rate")],
        "fee_lines": [_line(4, "fee", "Gift wrap", Decimal("1"))],
        "notes": [
            {"note": "Ships Monday.", "customer_note": True, "author": "admin", "created_at": when}
        ],
        "customer_notes": ["Ships Monday."],
        "refunds": [{"amount": refunded, "reason": "Damaged", "restock": True, "created_at": when}],
        "tracking": [
            {
                "carrier": "colissimo",
                "number": "6A12345678901",
                "url": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901",
                "shipped_on": date(2026, 11, 26),
            }
        ],
        "meta": {},
        "customer_note": "Please leave at the door.",
        "created_via": "checkout",
        "payment_method_title": "Credit card",
        "needs_processing": True,
        "stock_reduced": True,
        "date_created": when,
        "date_paid": when,
        "date_completed": None,
    }
    refund = {
        "amount": refunded,
        "reason": "Damaged",
        "restock": True,
        "full": False,
        "partial": True,
        "lines": [],
    }
    return {
        "order": order,
        "params": {},
        "shop": dict(shop),
        "actor": "admin",
        "now": when,
        "refund": refund,
        "from": dict(status),
        "to": dict(status),
    }
