"""Shared by the CLI tests of orders, apply, refunds and the demo: a shop on a real SQLite file
in `tmp_path`, driven through `CliRunner` exactly as a user types the commands, and a view of
everything a refusal must leave unchanged."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from orderwf.cli.app import get_app

REPO = Path(__file__).resolve().parents[2]
WOO_DIR = REPO / "tests" / "data" / "woocommerce"
WORKFLOW = REPO / "workflows" / "woocommerce.yaml"

# The products of the WooCommerce example orders 727 and 723 (the documentation's product
# examples 794/799 are other products), managing stock so that stock moves can be seen.
STOCKED_PRODUCTS: list[dict[str, Any]] = [
    {"id": 93, "sku": "WS1", "name": "Woo Single #1", "price": "3.00",
     "manage_stock": True, "stock_quantity": 10},
    {"id": 22, "sku": "BAR3", "name": "Ship Your Idea", "price": "12.00",
     "manage_stock": True, "stock_quantity": 5},
    {"id": 87, "sku": "ALB2", "name": "Woo Album #2", "price": "9.00",
     "manage_stock": True, "stock_quantity": 4},
    {"id": 34, "sku": "NINJA", "name": "Woo Ninja", "price": "20.00",
     "manage_stock": True, "stock_quantity": 3},
]  # fmt: skip

# The environment every command runs in: a fixed width for rich tables, no colours.
ENV = {"COLUMNS": "100", "LINES": "50", "FORCE_COLOR": None, "NO_COLOR": "1", "TERM": "dumb"}


class Shop:
    """`orderwf --db sqlite:///<tmp>/shop.db --actor alice [--workflow W] ARGS…`."""

    def __init__(self, tmp_path: Path, workflow: Path | None = None) -> None:
        self.tmp_path = tmp_path
        self.db_path = tmp_path / "shop.db"
        self.url = f"sqlite:///{self.db_path}"
        self.workflow = workflow

    def run(self, *args: str, db: str | None = None, workflow: Path | None = None) -> Result:
        options = ["--db", db or self.url, "--actor", "alice"]
        wf = workflow or self.workflow
        if wf is not None:
            options += ["--workflow", str(wf)]
        return CliRunner().invoke(
            get_app(), [*options, *args], env=ENV, catch_exceptions=False, terminal_width=100
        )

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self.run(*args, **kwargs)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def json_at(self, db: str, *args: str) -> Any:
        """`json` against another database."""
        result = self.run(*args, "--json", db=db)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return json.loads(result.stdout)

    def order(self, order_id: int) -> dict[str, Any]:
        return self.json("order", "show", str(order_id))  # type: ignore[no-any-return]

    def stock(self) -> dict[int, int | None]:
        return {p["id"]: p["stock_quantity"] for p in self.json("product", "list")}

    def outbox(self) -> list[dict[str, Any]]:
        return self.json("outbox", "list")  # type: ignore[no-any-return]

    def state(self, *order_ids: int) -> dict[str, str]:
        """The raw output of every view a refusal must not change, byte for byte."""
        views = {
            "product list": self.ok("product", "list", "--json").stdout,
            "outbox list": self.ok("outbox", "list", "--json").stdout,
        }
        for order_id in order_ids:
            views[f"order show {order_id}"] = self.ok(
                "order", "show", str(order_id), "--json"
            ).stdout
            views[f"order history {order_id}"] = self.ok(
                "order", "history", str(order_id), "--json"
            ).stdout
        return views

    # --- Setting up a shop ----------------------------------------------------------------

    def write_json(self, name: str, data: Any) -> Path:
        path = self.tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def seed(self) -> Shop:
        """Stocked products, then the WooCommerce example orders 727 (processing, USD 29.35)
        and 723 (completed, USD 39.00 with 19.00 already refunded)."""
        self.ok("product", "import", str(self.write_json("products.json", STOCKED_PRODUCTS)))
        self.ok("order", "import", str(WOO_DIR / "orders-list.json"))
        return self


def woo_order(
    order_id: int,
    status: str,
    lines: list[tuple[int, int, int, str]],
    *,
    currency: str = "EUR",
    shipping: str | None = None,
    fees: Sequence[tuple[int, str]] = (),
    shipping_id: int | None = None,
    email: str = "ada@example.com",
    via: str = "admin",
    created: str = "2026-11-20T08:00:00",
) -> dict[str, Any]:
    """A WooCommerce REST v3 order: `lines` are (item id, product id, quantity, total)."""
    from decimal import Decimal

    items = [
        {"id": item_id, "product_id": pid, "name": f"Product {pid}", "quantity": qty,
         "total": total, "total_tax": "0", "sku": ""}
        for item_id, pid, qty, total in lines
    ]  # fmt: skip
    shipping_lines = (
        [{"id": shipping_id or order_id * 100 + 90, "method_title": "Flat rate",
          "total": shipping, "total_tax": "0"}]
        if shipping is not None
        else []
    )  # fmt: skip
    fee_lines = [
        {"id": fee_id, "name": "Gift wrap", "total": amount, "total_tax": "0"}
        for fee_id, amount in fees
    ]
    total = sum((Decimal(x["total"]) for x in [*items, *shipping_lines, *fee_lines]), Decimal(0))
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": currency,
        "created_via": via,
        "date_created_gmt": created,
        "total": str(total),
        "billing": {"first_name": "Ada", "last_name": "Lovelace", "email": email},
        "line_items": items,
        "shipping_lines": shipping_lines,
        "fee_lines": fee_lines,
    }


def workflow_copy(tmp_path: Path, replacements: dict[str, str], name: str = "shop.yaml") -> Path:
    """The default workflow with some lines replaced, its templates still found."""
    text = WORKFLOW.read_text(encoding="utf-8")
    text = text.replace("templates: ../templates/emails", f"templates: {REPO / 'templates/emails'}")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mask(text: str, *, also: Sequence[date] = ()) -> str:
    """Replace what changes from run to run: every time of day (a note's, a refund's; the
    fixtures' too) and today's date. `also`: fixed dates that may be today's, masked the same
    way so that the snapshot is the same on that day and on any other."""
    text = _TIME.sub("<TIME>", text)
    text = _VERSION.sub(r"\1@<HASH>", text)  # a workflow version changes with the file
    for day in (datetime.now(UTC).date(), *also):
        text = text.replace(day.isoformat(), "<TODAY>")
        text = text.replace(day.strftime("%B %-d, %Y"), "<TODAY>")
    return text


_VERSION = re.compile(r"\b([a-z0-9_-]+)@[0-9a-f]{12}\b")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?")
