"""`apply` (one order and bulk), `note`, dry runs and idempotency keys through the CLI, on real
SQLite files seeded with the WooCommerce example orders."""

from __future__ import annotations

from helpers import Shop, mask, woo_order


def test_apply_prints_what_it_did(seeded: Shop, snapshot) -> None:  # type: ignore[no-untyped-def]
    result = seeded.ok("apply", "727", "complete", "-p", "tracking_number=6A12345678901")

    assert mask(result.stdout) == snapshot


def test_apply_moves_stock_and_queues_emails(seeded: Shop, snapshot) -> None:  # type: ignore[no-untyped-def]
    seeded.ok("apply", "727", "cancel")
    assert seeded.stock() == {22: 6, 34: 3, 87: 4, 93: 12}

    result = seeded.ok("apply", "727", "pay")

    assert mask(result.stdout) == snapshot
    assert seeded.stock() == {22: 5, 34: 3, 87: 4, 93: 10}
    assert [(m["order_id"], m["email"], m["to"]) for m in seeded.outbox()] == [
        (727, "cancelled_order", "shop@example.com"),
        (727, "new_order", "shop@example.com"),
        (727, "customer_processing_order", "john.doe@example.com"),
    ]


def test_apply_json_gives_the_order_and_the_effects(seeded: Shop) -> None:
    data = seeded.json("apply", "727", "hold")

    assert list(data) == ["order", "effects", "dry_run"]
    assert data["dry_run"] is False
    assert data["order"] == seeded.order(727)
    assert data["order"]["status"] == "on-hold"
    assert data["effects"][0] == {"type": "status", "from": "processing", "to": "on-hold"}


def test_dry_run_prints_the_plan_and_stores_nothing(seeded: Shop, snapshot) -> None:  # type: ignore[no-untyped-def]
    before = seeded.state(727)

    text = seeded.ok("apply", "727", "cancel", "--dry-run")
    data = seeded.json("apply", "727", "cancel", "--dry-run")

    assert text.stdout.splitlines()[:3] == [
        "Dry run: nothing stored. cancel on order #727",
        "  status: Processing → Cancelled",
        "  stock: Woo Single #1 (#93) 10→12 (+2)",
    ]
    assert mask(text.stdout) == snapshot
    assert data["dry_run"] is True
    assert data["order"]["status"] == "cancelled"
    assert [li["reduced_stock"] for li in data["order"]["line_items"]] == [0, 0]
    assert seeded.state(727) == before


def test_a_key_replays_the_first_result_and_changes_nothing(seeded: Shop) -> None:
    first = seeded.json("apply", "727", "hold", "--key", "hold-727")
    after_first = seeded.state(727)

    again = seeded.json("apply", "727", "hold", "--key", "hold-727")
    text = seeded.ok("apply", "727", "hold", "--key", "hold-727")

    assert again["replayed"] is True
    assert again["effects"] == first["effects"]
    assert again["order"] == first["order"]
    assert text.stdout == "Already applied with key 'hold-727': nothing changed.\n"
    assert seeded.state(727) == after_first


def test_a_key_reused_for_another_request_is_refused(seeded: Shop) -> None:
    seeded.ok("apply", "727", "hold", "--key", "k1")
    before = seeded.state(727, 723)

    result = seeded.run("apply", "727", "cancel", "--key", "k1")

    assert result.exit_code == 1
    assert result.stderr == (
        "error: idempotency key 'k1' was already used for 'hold' on order #727 with other "
        "params; use a new key\n"
    )
    assert seeded.state(727, 723) == before


def test_a_private_note_sends_nothing(seeded: Shop) -> None:
    result = seeded.ok("note", "727", "Called the customer.")

    assert result.stdout == "Applied. add_note on order #727\n  note: Called the customer.\n"
    note = seeded.order(727)["notes"][-1]
    assert (note["note"], note["customer_note"], note["author"]) == (
        "Called the customer.",
        False,
        "alice",
    )
    assert seeded.outbox() == []


def test_a_customer_note_queues_the_customer_note_email(seeded: Shop) -> None:
    seeded.ok("note", "727", "Your parcel leaves on Monday.", "--customer")

    note = seeded.order(727)["notes"][-1]
    assert (note["note"], note["customer_note"]) == ("Your parcel leaves on Monday.", True)
    [message] = seeded.outbox()
    assert {k: message[k] for k in ("order_id", "email", "to", "status", "attempts")} == {
        "order_id": 727,
        "email": "customer_note",
        "to": "john.doe@example.com",
        "status": "pending",
        "attempts": 0,
    }
    assert message["subject"] == "Note added to your Example Shop order from March 22, 2017"


def _many(shop: Shop) -> None:
    orders = [
        woo_order(1, "pending", [(11, 93, 1, "3.00")]),
        woo_order(2, "pending", [(21, 93, 2, "6.00")]),
        woo_order(3, "on-hold", [(31, 22, 1, "12.00")]),
        woo_order(4, "completed", [(41, 22, 1, "12.00")]),
    ]
    shop.ok("order", "import", str(shop.write_json("many.json", orders)), "--stock-reduced", "no")


def test_bulk_apply_by_status(seeded: Shop) -> None:
    _many(seeded)

    result = seeded.ok("apply", "--status", "pending", "process")

    assert result.stdout == "process: 2 order(s) applied, 0 refused\n"
    processing = seeded.json("order", "list", "--status", "processing")
    assert sorted(o["id"] for o in processing) == [1, 2, 727]
    assert seeded.stock()[93] == 10 - 3


def test_bulk_apply_by_ids_lists_the_refused_orders_and_exits_1(seeded: Shop, snapshot) -> None:  # type: ignore[no-untyped-def]
    _many(seeded)

    result = seeded.run("apply", "--ids", "1,4,99,3", "cancel")

    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "cancel: 2 order(s) applied, 2 refused"
    assert result.stdout == snapshot
    assert [seeded.order(i)["status"] for i in (1, 3, 4)] == ["cancelled", "cancelled", "completed"]


def test_bulk_apply_as_json(seeded: Shop) -> None:
    _many(seeded)

    result = seeded.run("apply", "--ids", "1,4", "pay", "--json")

    assert result.exit_code == 1
    assert result.stdout == (
        "{\n"
        '  "action": "pay",\n'
        '  "applied": 1,\n'
        '  "refused": [\n'
        "    {\n"
        '      "id": 4,\n'
        '      "reasons": [\n'
        "        \"action 'pay' is not allowed when order #4 is Completed (allowed from: "
        'Pending payment, On hold, Failed, Cancelled)"\n'
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}\n"
    )


def test_bulk_apply_with_every_order_allowed_exits_0(seeded: Shop) -> None:
    _many(seeded)

    result = seeded.run("apply", "--ids", "1,2", "hold", "--json")

    assert result.exit_code == 0
    assert result.stdout.replace(" ", "").replace("\n", "") == (
        '{"action":"hold","applied":2,"refused":[]}'
    )


def test_bulk_refuses_dry_run_and_keys(seeded: Shop) -> None:
    result = seeded.run("apply", "--status", "pending", "process", "--dry-run")

    assert result.exit_code == 2
    assert result.stderr == ("error: --dry-run and --key apply to one order, not to a bulk apply\n")
