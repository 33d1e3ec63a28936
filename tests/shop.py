"""A shop for the CLI and integration tests: `Shop`, a real database (a SQLite file in the
test's folder unless a URL names another, PostgreSQL included) with a workflow, and
`woo_order`, the WooCommerce REST v3 orders it imports.

A test drives the shop one of two ways. Through the CLI, exactly as a user types the commands
(`run`, `ok`, `json`), reading back what the commands print (`order`, `stock`, `outbox`,
`state`: the JSON views); or through `service`, as the CLI calls it (`add`, `apply`), reading
back typed orders and the tables (`show`, `status`, `level`, `notes`, `line`, `emails`,
`history`, `stored`). `run`, `ok` and `order` also stand alone, for an `orderwf init` folder
that names its own database and workflows.

Importable as `shop` from every test: `tests/conftest.py` puts this folder on `sys.path`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from orderwf.cli.app import get_app
from orderwf.service import orders as service_orders
from orderwf.service.imports import import_orders, import_products
from orderwf.store import db, repo
from orderwf.store.core import OUTBOX, PRODUCTS
from orderwf.workflow.loader import load_workflow

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from orderwf import orders as s
    from orderwf.workflow.model import Workflow

REPO = Path(__file__).resolve().parents[1]
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


def libpq_dsn(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq takes it, for a test's own psycopg connection."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- The CLI ----------------------------------------------------------------------------------


def run(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """`orderwf ARGS…` through `CliRunner` in ENV (and `env`), exceptions not swallowed."""
    return CliRunner().invoke(
        get_app(), list(args), env={**ENV, **(env or {})}, catch_exceptions=False,
        terminal_width=100,
    )  # fmt: skip


def ok(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """`run`, which must exit 0."""
    result = run(*args, env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def order(order_id: int, *options: str) -> dict[str, Any]:
    """`orderwf [OPTIONS…] order show ID --json`."""
    return json.loads(ok(*options, "order", "show", str(order_id), "--json").stdout)  # type: ignore[no-any-return]


def default_workflow(path: Path = WORKFLOW) -> Workflow:
    """A workflow file loaded without the validation cache (callers may run before the
    per-test cache folder exists; no test writes to the real home)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERWF_NO_CACHE", "1")
        return load_workflow(path)


# --- The shop ---------------------------------------------------------------------------------


class Shop:
    """A shop in `tmp_path`: its database `url` (default: `shop.db` in that folder), the
    workflow file the CLI is given (`--workflow`; the packaged default when None), and
    `model`, that workflow loaded, which the service way applies (a test may set its own), at
    `now` unless told otherwise (the clock when None)."""

    def __init__(
        self,
        tmp_path: Path,
        workflow: Path | None = None,
        *,
        url: str | None = None,
        model: Workflow | None = None,
        now: datetime | None = None,
    ) -> None:
        self.tmp_path = tmp_path
        self.now = now
        self.url = url or f"sqlite:///{tmp_path / 'shop.db'}"
        self.db_path = Path(self.url.removeprefix("sqlite:///"))  # for a SQLite URL
        self.workflow = workflow
        if model is not None:
            self.model = model

    # --- Through the CLI: `orderwf --db URL --actor alice [--workflow W] ARGS…` -------------

    def options(self, db: str | None = None, workflow: Path | None = None) -> list[str]:
        options = ["--db", db or self.url, "--actor", "alice"]
        wf = workflow or self.workflow
        return [*options, "--workflow", str(wf)] if wf is not None else options

    def run(self, *args: str, db: str | None = None, workflow: Path | None = None) -> Result:
        return run(*self.options(db, workflow), *args)

    def ok(self, *args: str, db: str | None = None, workflow: Path | None = None) -> Result:
        return ok(*self.options(db, workflow), *args)

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def json_at(self, db: str, *args: str) -> Any:
        """`json` against another database."""
        return json.loads(self.ok(*args, "--json", db=db).stdout)

    def order(self, order_id: int) -> dict[str, Any]:
        return order(order_id, *self.options())

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
            for view in ("show", "history"):
                views[f"order {view} {order_id}"] = self.ok(
                    "order", view, str(order_id), "--json"
                ).stdout
        return views

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

    # --- Through the service, read back from the service and the tables -------------------

    @cached_property
    def engine(self) -> Engine:
        """The database, migrated on first use; `close` disposes of it."""
        return db.connect(self.url)

    @cached_property
    def model(self) -> Workflow:
        return default_workflow(self.workflow or WORKFLOW)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
            del self.engine

    def add_products(self, products: Sequence[Mapping[str, Any]], **options: Any) -> None:
        import_products(self.engine, list(products), **options)

    def add(self, *orders: dict[str, Any]) -> None:
        import_orders(self.engine, self.model, list(orders))

    def apply(
        self, order_id: int, action: str, params: Mapping[str, Any] | None = None, **kw: Any
    ) -> service_orders.ApplyResult:
        """`service.orders.apply` as `admin`, at `now` (keyword arguments go through)."""
        kw.setdefault("actor", "admin")
        kw.setdefault("now", self.now)
        return service_orders.apply(self.engine, self.model, order_id, action, params, **kw)

    def show(self, order_id: int) -> s.Order:
        return service_orders.show(self.engine, order_id)

    def status(self, order_id: int) -> str:
        return self.show(order_id).status

    def levels(self) -> dict[int, int | None]:
        """Every product's stock level."""
        products = PRODUCTS
        with db.read_transaction(self.engine) as session:
            query = select(products.c.id, products.c.stock_quantity)
            return dict(session.execute(query).all())

    def level(self, product_id: int) -> int | None:
        products = PRODUCTS
        with db.read_transaction(self.engine) as session:
            return session.execute(
                select(products.c.stock_quantity).where(products.c.id == product_id)
            ).scalar_one()

    def notes(self, order_id: int) -> list[str]:
        return [n.note for n in self.show(order_id).notes]

    def line(self, order_id: int, item_id: int) -> s.Line:
        line = self.show(order_id).line(item_id)
        assert line is not None
        return line

    def emails(self, order_id: int) -> list[tuple[str, str, str]]:
        """(email id, recipient, subject) of every queued email of the order, in order."""
        rows = OUTBOX
        with db.read_transaction(self.engine) as session:
            return [
                (r.email, r.to_addr, r.subject)
                for r in session.execute(
                    select(rows).where(rows.c.order_id == order_id).order_by(rows.c.id)
                )
            ]

    def history(self, order_id: int) -> list[tuple[str, str, str, str]]:
        """(actor, action, from, to) of every apply, in order."""
        with db.read_transaction(self.engine) as session:
            return [
                (h["actor"], h["action"], h["from_status"], h["to_status"])
                for h in repo.history(session, order_id)
            ]

    def stored(self, order_id: int) -> tuple[Any, ...]:
        """Everything an apply may change: to compare before and after a refusal."""
        return (self.show(order_id), self.emails(order_id), self.history(order_id), self.levels())


# --- WooCommerce orders -----------------------------------------------------------------------

ADA = ("Ada", "Lovelace")


def woo_order(
    order_id: int,
    *items: tuple[int, int] | tuple[int, int, str] | tuple[int, int, str, str],
    status: str = "pending",
    currency: str = "EUR",
    products: Mapping[int, Mapping[str, Any]] | None = None,
    first_line: int | None = None,
    shipping: str | None = None,
    shipping_id: int | None = None,
    fees: Sequence[tuple[int, str]] = (),
    customer: tuple[str, str] = ADA,
    email: str = "ada@example.com",
    via: str = "admin",
    created: datetime = datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
    refunds: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """A WooCommerce REST v3 order. `items` are (product id, quantity[, total[, tax]]): a
    product of `products` (by id) gives the line its name, SKU and unit price, and the total is
    the price times the quantity unless given; any other product is "Product ID". The lines' ids are
    `first_line`, `first_line + 1`… (default order id × 10 + 1); `shipping` is the amount of
    a flat-rate line (id `shipping_id`, default order id × 10 + 9); `fees` are (id, amount)."""
    first = first_line or order_id * 10 + 1
    lines = []
    for n, (product_id, quantity, *given) in enumerate(items):
        product = (products or {}).get(product_id, {})
        total = Decimal(given[0]) if given else Decimal(product["price"]) * quantity
        tax = given[1] if len(given) > 1 else "0"
        price = Decimal(product["price"]) if product else (total / quantity).quantize(total)
        lines.append(
            {"id": first + n, "name": product.get("name", f"Product {product_id}"),
             "product_id": product_id, "variation_id": 0, "quantity": quantity,
             "subtotal": str(total), "total": str(total), "total_tax": tax,
             "sku": product.get("sku", ""), "price": str(price)}
        )  # fmt: skip
    shipping_lines = (
        [{"id": shipping_id or order_id * 10 + 9, "method_title": "Flat rate",
          "method_id": "flat_rate", "total": shipping, "total_tax": "0"}]
        if shipping is not None
        else []
    )  # fmt: skip
    fee_lines = [
        {"id": fee_id, "name": "Gift wrap", "total": amount, "total_tax": "0"}
        for fee_id, amount in fees
    ]
    total = sum(
        (
            Decimal(x["total"]) + Decimal(x["total_tax"])
            for x in [*lines, *shipping_lines, *fee_lines]
        ),
        Decimal(0),
    )
    stamp = created.replace(tzinfo=None).isoformat()
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": currency,
        "created_via": via,
        "date_created_gmt": stamp,
        "date_modified_gmt": stamp,
        "total": str(total),
        "billing": {"first_name": customer[0], "last_name": customer[1], "email": email},
        "line_items": lines,
        "shipping_lines": shipping_lines,
        "fee_lines": fee_lines,
        "refunds": list(refunds),
    }


# --- Files and output -------------------------------------------------------------------------


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
