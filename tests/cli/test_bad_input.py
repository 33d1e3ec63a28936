"""Bad input a busy shop types or imports: one sentence, exit 1 or 2, nothing changed
(issue 11 §3). Each case once printed an internal error or stored something it should not."""

from __future__ import annotations

import json

import pytest

from shop import WOO_DIR, Shop, woo_order


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--amount", "1e30"),
            "param 'amount': '1e30' has an exponent; write it in digits, e.g. '12.50'",
        ),
        (
            ("--amount", "1" * 28),
            f"param 'amount': {'1' * 28} is too large (at most 999999999999.99 USD)",
        ),
        (
            ("--amount", "１０.００"),
            "param 'amount': '１０.００' is not a number (expected e.g. '12.50')",
        ),
        (
            ("--amount", "1_0.00"),
            "param 'amount': '1_0.00' is not a number (expected e.g. '12.50')",
        ),
        (("--amount", "1,50"), "param 'amount': '1,50' is not a number: write 1.50"),
        (
            ("--line", "315=1@1e400"),
            "line amount of item #315 '1e400' has an exponent; write it in digits, e.g. '12.50'",
        ),
    ],
)
def test_a_bad_refund_amount_is_one_sentence(
    seeded: Shop, args: tuple[str, ...], message: str
) -> None:
    before = seeded.state(727)
    result = seeded.run("refund", "727", *args)
    assert (result.exit_code, result.stderr) == (1, f"error: {message}\n")
    assert seeded.state(727) == before


def test_a_huge_quantity_in_order_create_is_refused(seeded: Shop) -> None:
    before = seeded.state()
    result = seeded.run("order", "create", "--email", "a@example.com", "--line", f"WS1={2**63}")
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: --line 'WS1={2**63}': quantity {2**63} is too large (at most 1,000,000,000)\n",
    )
    assert seeded.state() == before


@pytest.mark.parametrize(
    ("level", "message"),
    [
        (str(2**63), f"stock level {2**63} is too large (at most 1,000,000,000)"),
        ("9" * 5000, f"stock level {'9' * 5000} is too large (at most 1,000,000,000)"),
        ("１０", "stock level '１０' is not a whole number"),
    ],
)
def test_a_huge_stock_level_is_refused(seeded: Shop, level: str, message: str) -> None:
    before = seeded.state()
    result = seeded.run("product", "stock", "WS1", level)
    assert (result.exit_code, result.stderr) == (2, f"error: {message}\n")
    assert seeded.state() == before


def test_product_stock_takes_an_id_for_a_product_without_sku(shop: Shop) -> None:
    # WooCommerce's documentation products 794 and 799 have no SKU.
    shop.ok("product", "import", str(WOO_DIR / "products-list.json"))
    result = shop.ok("product", "stock", "#799", "-2")
    assert result.stdout == "Ship Your Idea (#799): stock not managed → -2.\n"
    assert shop.stock()[799] == -2
    missing = shop.run("product", "stock", "#7", "1")
    assert (missing.exit_code, missing.stderr) == (1, "error: no product has id 7\n")


def test_order_create_takes_an_id_too(seeded: Shop) -> None:
    result = seeded.ok("order", "create", "--email", "a@example.com", "--line", "#93=2")
    order_id = int(result.stdout.split("#")[1])
    assert [(li["product_id"], li["quantity"]) for li in seeded.order(order_id)["line_items"]] == [
        (93, 2)
    ]


def _order_json(**changes: object) -> dict[str, object]:
    return woo_order(900, (93, 1, "3.00"), status="processing") | changes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            json.dumps(_order_json(total="NaN")),
            "order #900 has 'total' 'NaN', expected a finite amount",
        ),
        (
            json.dumps(_order_json(total="Infinity")),
            "order #900 has 'total' 'Infinity', expected a finite amount",
        ),
        (
            json.dumps(_order_json(total="1e400")),
            "order #900 has 'total' '1e400', expected an amount below 1,000,000,000,000",
        ),
        (
            json.dumps(_order_json(line_items=[{"id": 9001, "product_id": 93, "quantity": 2**63}])),
            f"line_items item 1 of order #900 has 'quantity' {2**63}, too large "
            "(at most 1,000,000,000)",
        ),
        (
            json.dumps(_order_json(id=2**63)),
            f"order #{2**63} has 'id' {2**63}, too large (at most 2,147,483,647)",
        ),
        (
            json.dumps(_order_json()).replace('"Ada"', '"\\ud800"'),
            "order #900 has text that is not valid Unicode in 'billing.first_name' (a lone "
            "surrogate such as \\ud800); export it again as UTF-8",
        ),
        (
            "[" * 100_000,
            "FILE nests arrays or objects too deeply",
        ),
        (
            '{"id": 1' + "0" * 5000 + "}",
            "FILE is not valid JSON: Exceeds the limit (4300 digits) for integer string "
            "conversion: value has 5001 digits; use sys.set_int_max_str_digits() to increase "
            "the limit",
        ),
    ],
)
def test_a_bad_order_file_is_one_sentence(seeded: Shop, content: str, message: str) -> None:
    path = seeded.tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    before = seeded.state(727, 723)
    result = seeded.run("order", "import", str(path))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {message.replace('FILE', str(path))}\n",
    )
    assert seeded.state(727, 723) == before


def test_a_stock_quantity_of_2_63_is_refused_at_product_import(shop: Shop) -> None:
    path = shop.write_json("p.json", [{"id": 5, "name": "X", "stock_quantity": 2**63}])
    result = shop.run("product", "import", str(path))
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: product #5 has 'stock_quantity' {2**63}, too large (at most 1,000,000,000)\n",
    )


def test_product_import_of_an_orders_file_is_refused(shop: Shop) -> None:
    result = shop.run("product", "import", str(WOO_DIR / "orders-list.json"))
    assert (result.exit_code, result.stderr) == (
        2,
        "error: product #727 looks like an order, not a product (it has 'line_items' and "
        "'order_key'): use orderwf order import for that file; nothing was imported\n",
    )
    assert not shop.db_path.exists()


def test_order_import_of_a_products_file_is_refused(shop: Shop) -> None:
    result = shop.run("order", "import", str(WOO_DIR / "products-list.json"))
    assert (result.exit_code, result.stderr) == (
        2,
        "error: order #799 looks like a product, not an order (it has 'regular_price' and "
        "'catalog_visibility'): use orderwf product import for that file; nothing was imported\n",
    )
    assert not shop.db_path.exists()


@pytest.mark.parametrize(
    "command",
    [
        ("order", "list"),
        ("order", "show", "1"),
        ("order", "history", "1"),
        ("actions", "1"),
        ("outbox", "list"),
        ("product", "list"),
        ("email", "preview", "new_order", "--order", "1"),
    ],
)
def test_a_command_that_only_reads_refuses_a_missing_database(
    shop: Shop, command: tuple[str, ...]
) -> None:
    typo = shop.tmp_path / "shpo.db"
    result = shop.run(*command, db=f"sqlite:///{typo}")
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: there is no database at {typo}: check --db (or ORDERWF_DB); this command only "
        "reads, so it creates none (a command that writes, or 'orderwf db upgrade', creates it)\n",
    )
    assert list(shop.tmp_path.iterdir()) == []


def test_a_command_that_writes_still_creates_the_database(shop: Shop) -> None:
    shop.ok("product", "import", str(WOO_DIR / "product.json"))
    assert shop.db_path.exists()
    assert [p["id"] for p in shop.json("product", "list")] == [794]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("order", "show", str(2**64)), 1, f"order #{2**64} does not exist"),
        (("apply", str(2**63), "pay"), 1, f"order #{2**63} does not exist"),
        (
            ("refund", "727", "--line", f"315={'9' * 5000}"),
            1,
            f"line '315={'9' * 36}': the item id or quantity is too large",
        ),
        (
            ("refund", "727", "--line", f"{'9' * 5000}=1"),
            1,
            f"line '{'9' * 40}': the item id or quantity is too large",
        ),
    ],
)
def test_an_id_or_quantity_no_column_holds_is_one_sentence(
    seeded: Shop, args: tuple[str, ...], code: int, message: str
) -> None:
    before = seeded.state(727)
    result = seeded.run(*args)
    assert (result.exit_code, result.stderr) == (code, f"error: {message}\n")
    assert seeded.state(727) == before


@pytest.mark.parametrize("target", [("--status", "pending"), ("--status", "completed")])
def test_a_bulk_apply_with_a_param_the_action_does_not_take_is_refused_up_front(
    seeded: Shop, target: tuple[str, str]
) -> None:
    # Refused before any order is read, whether the status holds orders or none.
    before = seeded.state(727, 723)
    result = seeded.run("apply", *target, "process", "--param", "note=hi")
    message = "unknown param 'note' for action 'process' (it takes no params)"
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"error: {message}; no order was changed\n"
    assert seeded.state(727, 723) == before
