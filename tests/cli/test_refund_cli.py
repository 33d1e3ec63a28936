"""`refund` and `mark_refunded` through the CLI on real SQLite files: amounts, `--line` with
quantities and amounts, restock or not, reasons, full refunds moving the order to refunded."""

from __future__ import annotations

from shop import Shop, mask, woo_order


def _eur_order(shop: Shop) -> None:
    """Order 10 (processing, EUR): 3 × product 93 for 30.00, 1 × product 22 for 12.00,
    shipping 5.00 and a 2.00 fee: 49.00 in all, stock reduced."""
    order = woo_order(
        10,
        (93, 3, "30.00"),
        (22, 1, "12.00"),
        status="processing",
        shipping="5.00",
        shipping_id=103,
        fees=[(104, "2.00")],
    )
    shop.ok("order", "import", str(shop.write_json("o10.json", order)))


def test_refund_of_an_amount_only(seeded: Shop, snapshot) -> None:  # type: ignore[no-untyped-def]
    _eur_order(seeded)

    result = seeded.ok("refund", "10", "--amount", "7.50", "--reason", "Late delivery")

    assert mask(result.stdout) == snapshot
    order = seeded.order(10)
    assert (order["status"], order["total_refunded"], order["remaining_refundable"]) == (
        "processing",
        "7.50",
        "41.50",
    )
    [refund] = order["refunds"]
    assert (refund["amount"], refund["reason"], refund["lines"]) == ("7.50", "Late delivery", [])
    assert seeded.stock() == {22: 5, 34: 3, 87: 4, 93: 10}


def test_refund_of_lines_with_restock(seeded: Shop) -> None:
    _eur_order(seeded)

    seeded.ok("refund", "10", "--line", "101=2", "--line", "103=@5.00", "--restock")

    order = seeded.order(10)
    assert order["total_refunded"] == "25.00"
    assert order["refunds"][0]["lines"] == [
        {"item_id": 101, "quantity": 2, "amount": "20.00"},
        {"item_id": 103, "quantity": 0, "amount": "5.00"},
    ]
    line = order["line_items"][0]
    assert (line["quantity_refunded"], line["total_refunded"], line["reduced_stock"]) == (
        2,
        "20.00",
        1,
    )
    assert order["shipping_lines"][0]["total_refunded"] == "5.00"
    assert seeded.stock()[93] == 12
    assert [n["note"] for n in order["notes"]] == [
        "Product 93 (#93) stock increased from 10 to 12."
    ]
    [email] = seeded.outbox()
    assert email["subject"] == "Your Example Shop order #10 has been partially refunded"


def test_refund_without_restock_keeps_stock_and_cancel_leaves_those_units_out(
    seeded: Shop,
) -> None:
    _eur_order(seeded)

    seeded.ok("refund", "10", "--line", "101=1", "--no-restock")
    assert seeded.stock()[93] == 10
    seeded.ok("apply", "10", "cancel")

    # SPEC §7 (WooCommerce #28854): the refunded unit stays with the customer.
    assert seeded.stock() == {22: 6, 34: 3, 87: 4, 93: 12}
    assert [li["reduced_stock"] for li in seeded.order(10)["line_items"]] == [1, 0]


def test_refund_of_a_line_at_a_given_amount(seeded: Shop) -> None:
    _eur_order(seeded)

    seeded.ok("refund", "10", "--line", "102=1@4.99", "--amount", "4.99")

    order = seeded.order(10)
    assert order["refunds"][0]["lines"] == [{"item_id": 102, "quantity": 1, "amount": "4.99"}]
    assert order["line_items"][1]["total_refunded"] == "4.99"


def test_a_refund_that_leaves_nothing_is_full_and_moves_to_refunded(seeded: Shop) -> None:
    _eur_order(seeded)

    seeded.ok("refund", "10", "--amount", "49.00")

    order = seeded.order(10)
    assert (order["status"], order["remaining_refundable"]) == ("refunded", "0.00")
    assert [m["subject"] for m in seeded.outbox()] == [
        "Your Example Shop order #10 has been refunded"
    ]


def test_mark_refunded_refunds_what_remains(seeded: Shop) -> None:
    seeded.ok("apply", "723", "mark_refunded")

    order = seeded.order(723)
    assert (order["status"], order["total_refunded"], order["remaining_refundable"]) == (
        "refunded",
        "39.00",
        "0.00",
    )
    last = order["refunds"][-1]
    assert (last["amount"], last["reason"], last["restock"]) == (
        "20.00",
        "Order fully refunded.",
        False,
    )


def test_refund_json_and_dry_run(seeded: Shop) -> None:
    _eur_order(seeded)
    before = seeded.state(10)

    data = seeded.json("refund", "10", "--line", "104=@2.00", "--dry-run")

    assert data["dry_run"] is True
    assert data["order"]["fee_lines"] == [
        {"id": 104, "name": "Gift wrap", "total": "2.00", "total_refunded": "2.00"}
    ]
    assert seeded.state(10) == before


def test_a_line_of_zero_units_is_refused_and_changes_nothing(seeded: Shop) -> None:
    _eur_order(seeded)
    before = seeded.state(10)

    refused = seeded.run("refund", "10", "--line", "101=0", "--line", "103=@5.00")

    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: quantity 0 of item #101 (Product 93) refunds nothing (expected 1 or more "
        "units, or an amount: #101=@AMOUNT)\n"
    )
    assert seeded.state(10) == before


def test_refund_in_jpy_has_no_decimals(shop: Shop) -> None:
    order = woo_order(20, (93, 2, "3000"), status="completed", currency="JPY")
    shop.ok("order", "import", str(shop.write_json("jpy.json", order)))

    shop.ok("refund", "20", "--line", "201=1")
    refused = shop.run("refund", "20", "--amount", "0.5")

    assert shop.order(20)["total_refunded"] == "1500"
    assert refused.exit_code == 1
    assert refused.stderr == "error: param 'amount': 0.5 has more decimals than JPY allows (0)\n"


def test_refund_in_kwd_has_three_decimals(shop: Shop) -> None:
    order = woo_order(30, (93, 3, "1.000"), status="processing", currency="KWD")
    shop.ok("order", "import", str(shop.write_json("kwd.json", order)))

    shop.ok("refund", "30", "--line", "301=1")

    order_json = shop.order(30)
    assert (order_json["total"], order_json["total_refunded"]) == ("1.000", "0.333")
