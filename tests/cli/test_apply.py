"""`apply` (one order and bulk), `note`, dry runs and idempotency keys through the CLI, on real
SQLite files seeded with the WooCommerce example orders."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import Result

from orderwf.store.migrations import HEAD
from shop import WOO_DIR, Shop, mask, woo_order, workflow_copy


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
        "error: idempotency key 'k1' was already used for 'hold' on order #727; use a new key\n"
    )
    assert seeded.state(727, 723) == before


def test_a_key_reused_with_other_params_says_so(seeded: Shop) -> None:
    seeded.ok("apply", "727", "add_note", "-p", "text=First.", "--key", "n1")
    before = seeded.state(727)

    result = seeded.run("apply", "727", "add_note", "-p", "text=Second.", "--key", "n1")

    assert result.exit_code == 1
    assert result.stderr == (
        "error: idempotency key 'n1' was already used for 'add_note' on order #727 with other "
        "params; use a new key\n"
    )
    assert seeded.state(727) == before


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
        woo_order(1, (93, 1, "3.00")),
        woo_order(2, (93, 2, "6.00")),
        woo_order(3, (22, 1, "12.00"), status="on-hold"),
        woo_order(4, (22, 1, "12.00"), status="completed"),
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


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (("apply", "--status", "nope", "process"), 2, "error: unknown status 'nope'"),
        (("apply", "--ids", "1", "nosuch"), 1, "error: unknown action 'nosuch'"),
        (("tick", "--now", "yesterday"), 2, "error: --now 'yesterday' is not an ISO 8601 time"),
    ],
)
def test_a_refused_bulk_run_opens_no_database(
    shop: Shop, args: tuple[str, ...], code: int, line: str
) -> None:
    result = shop.run(*args)

    assert (result.exit_code, result.stderr.startswith(line)) == (code, True), result.stderr
    assert not shop.db_path.exists()  # not even created and migrated


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
        "  ],\n"
        '  "busy": []\n'
        "}\n"
    )


def test_bulk_apply_with_every_order_allowed_exits_0(seeded: Shop) -> None:
    _many(seeded)

    result = seeded.run("apply", "--ids", "1,2", "hold", "--json")

    assert result.exit_code == 0
    assert result.stdout.replace(" ", "").replace("\n", "") == (
        '{"action":"hold","applied":2,"refused":[],"busy":[]}'
    )


def test_bulk_refuses_dry_run_and_keys(seeded: Shop) -> None:
    result = seeded.run("apply", "--status", "pending", "process", "--dry-run")

    assert result.exit_code == 2
    assert result.stderr == ("error: --dry-run and --key apply to one order, not to a bulk apply\n")


# --- Bad input changes nothing --------------------------------------------------------------
#
# Every refusal of the engine and refunds issues: the exit code of SPEC §5 (1 refused, 2 usage),
# one sentence on stderr that names the value, no traceback, and every view byte-identical.

REASON_REQUIRED = {"  reason: optional": "  reason: required"}


@dataclass(frozen=True)
class Bad:
    args: tuple[str, ...]
    code: int
    names: str  # the value the sentence must name
    stderr: str | None = None  # the exact sentence, for a representative subset
    workflow: dict[str, str] | None = None  # lines to replace in a copy of the default workflow


NOT_ALLOWED = (
    "action 'pay' is not allowed when order #727 is Processing "
    "(allowed from: Pending payment, On hold, Failed, Cancelled)"
)
ACTIONS = (
    "pay, process, hold, complete, cancel, fail, reopen, refund, mark_refunded, add_note, "
    "add_tracking, send_order_details, resend_new_order"
)

BAD = {
    "unknown order": Bad(
        ("apply", "9999", "pay"), 1, "9999", "error: order #9999 does not exist\n"
    ),
    "unknown order of a refund": Bad(("refund", "9999", "--amount", "1"), 1, "9999"),
    "order id not a number": Bad(
        ("apply", "abc", "pay"), 2, "abc", "error: order id 'abc' is not a number\n"
    ),
    "unknown action": Bad(
        ("apply", "727", "cancell"),
        1,
        "cancell",
        "error: unknown action 'cancell' in workflow 'woocommerce'; did you mean 'cancel'? "
        f"(actions: {ACTIONS})\n",
    ),
    "action not allowed in the status": Bad(
        ("apply", "727", "pay"), 1, "pay", f"error: {NOT_ALLOWED}\n"
    ),
    "refund not allowed in the status": Bad(
        ("refund", "5", "--amount", "1.00"),
        1,
        "refund",
        "error: action 'refund' is not allowed when order #5 is Pending payment "
        "(allowed from: Processing, Completed, On hold)\n",
    ),
    "failed guard": Bad(
        ("apply", "5", "send_order_details"),
        1,
        "Order has no billing email address.",
        "error: Order has no billing email address.\n",
    ),
    "missing param": Bad(
        ("apply", "727", "add_note"), 1, "text", "error: param 'text' is required (string)\n"
    ),
    "invalid params, every problem reported": Bad(
        (
            "apply",
            "727",
            "add_tracking",
            "-p",
            "number=x!",
            "-p",
            "carrier=fedex",
            "-p",
            "shipped_on=2026-13-01",
        ),
        1,
        "add_tracking",
        "error: cannot apply 'add_tracking' to order #727: 3 problems\n"
        "  - param 'number': 'x!' does not match the pattern ^[A-Za-z0-9]{6,40}$\n"
        "  - param 'carrier': 'fedex' is not one of colissimo, chronopost, ups, dhl\n"
        "  - param 'shipped_on': '2026-13-01' is not a date (expected YYYY-MM-DD)\n",
    ),  # fmt: skip
    "unknown param": Bad(
        ("apply", "727", "add_note", "-p", "text=hi", "-p", "bogus=1"),
        1,
        "bogus",
        "error: unknown param 'bogus' for action 'add_note' (expected one of: text, customer)\n",
    ),
    "param not NAME=VALUE": Bad(
        ("apply", "727", "add_note", "-p", "text"),
        2,
        "text",
        "error: param 'text' is not NAME=VALUE\n",
    ),
    "malformed JSON import": Bad(("order", "import", "bad.json"), 2, "bad.json"),
    "duplicate import": Bad(
        ("order", "import", str(WOO_DIR / "order-727.json")),
        1,
        "727",
        "error: order #727 already exists; nothing was imported (use --update to replace)\n",
    ),
    "import with a bad --stock-reduced": Bad(
        (
            "order",
            "import",
            str(WOO_DIR / "order-727.json"),
            "--update",
            "--stock-reduced",
            "maybe",
        ),
        2,
        "maybe",
        "error: --stock-reduced 'maybe' is not one of auto, yes, no\n",
    ),  # fmt: skip
    "bulk with an unknown action": Bad(("apply", "--status", "pending", "cancell"), 1, "cancell"),
    "bulk with an unknown status": Bad(("apply", "--status", "shipped", "cancel"), 2, "shipped"),
    "refund with more decimals than the currency": Bad(
        ("refund", "723", "--amount", "1.001"),
        1,
        "1.001",
        "error: param 'amount': 1.001 has more decimals than USD allows (2)\n",
    ),
    "refund of not a number": Bad(
        ("refund", "723", "--amount", "abc"),
        1,
        "abc",
        "error: param 'amount': 'abc' is not a number (expected e.g. '12.50')\n",
    ),
    "refund of NaN": Bad(
        ("refund", "723", "--amount", "NaN"),
        1,
        "NaN",
        "error: param 'amount': 'NaN' is not a finite number\n",
    ),
    "refund of Infinity": Bad(("refund", "723", "--amount", "Infinity"), 1, "Infinity"),
    "refund of a negative amount": Bad(
        ("refund", "723", "--amount", "-1"),
        1,
        "-1.00",
        "error: refund amount -1.00 USD is negative\n",
    ),
    "refund of zero with no quantity": Bad(
        ("refund", "723", "--amount", "0"),
        1,
        "zero",
        "error: refund amount must be greater than zero (or give item quantities)\n",
    ),
    "refund above what remains": Bad(
        ("refund", "723", "--amount", "20.01"),
        1,
        "20.01",
        "error: refund of 20.01 USD exceeds the 20.00 USD still refundable on order #723\n",
    ),
    "refund of an unknown item": Bad(
        ("refund", "723", "--line", "999=1"),
        1,
        "999",
        "error: item #999 is not on order #723\n",
    ),
    "refund of an item of another order": Bad(
        ("refund", "723", "--line", "315=1"), 1, "315", "error: item #315 is not on order #723\n"
    ),
    "refund of a quantity above what is unrefunded": Bad(
        ("refund", "723", "--line", "313=2"),
        1,
        "313",
        "error: quantity 2 of item #313 (Woo Ninja) is more than the 1 not yet refunded\n",
    ),
    "refund of a line above its remainder": Bad(
        ("refund", "723", "--line", "313=1@20.01"),
        1,
        "20.01",
        "error: refund of 20.01 USD on item #313 (Woo Ninja) exceeds the 20.00 USD still "
        "refundable on that line\n",
    ),
    "refund of a shipping line above its total": Bad(
        ("refund", "727", "--line", "317=@10.01"),
        1,
        "10.01",
        "error: refund of 10.01 USD on item #317 (Flat Rate) exceeds the 10.00 USD still "
        "refundable on that line\n",
    ),
    "refund where amount and lines disagree": Bad(
        ("refund", "723", "--line", "313=1", "--amount", "5"),
        1,
        "5.00",
        "error: amount 5.00 USD does not match the 20.00 USD of the lines\n",
    ),
    "refund of a malformed line": Bad(
        ("refund", "723", "--line", "313x1"),
        1,
        "313x1",
        "error: line '313x1' is not ITEM=QTY, ITEM=QTY@AMOUNT or ITEM=@AMOUNT\n",
    ),
    "refund with a required reason missing": Bad(
        ("refund", "723", "--amount", "1.00"),
        1,
        "reason",
        "error: a reason is required for this refund (refunds.reason: required)\n",
        workflow=REASON_REQUIRED,
    ),
    "email preview of an unknown email": Bad(
        ("email", "preview", "customer_invoise", "--order", "727"),
        1,
        "customer_invoise",
        "error: unknown email 'customer_invoise' in workflow 'woocommerce'; "
        "did you mean 'customer_invoice'?\n",
    ),
    "tick at a time that is not ISO 8601": Bad(("tick", "--now", "soon"), 2, "soon"),
}


@dataclass(frozen=True)
class Refusing:
    db: Path
    views: dict[str, str]


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory, seeded_files: list[Path]) -> Refusing:
    """The shop every refusal runs against, built once with its views: 727 processing, 723
    completed (19.00 of 39.00 refunded), 5 pending with no email, a note in 727's history."""
    folder = tmp_path_factory.mktemp("refusing")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERWF_CACHE_DIR", str(tmp_path_factory.mktemp("refusing-cache")))
        mp.chdir(folder)
        shop = Shop(folder)
        shutil.copy(seeded_files[0], shop.db_path)
        no_email = woo_order(5, (93, 1, "3.00"), email="")
        shop.ok("order", "import", str(shop.write_json("o5.json", no_email)))
        shop.ok("note", "727", "A note, so that the history is not empty.")
        views = _views(shop)
    gc.collect()  # closes the engines the commands left to the garbage collector
    return Refusing(shop.db_path, views)


def _views(shop: Shop) -> dict[str, str]:
    return {**shop.state(727, 723, 5), "order list": shop.ok("order", "list", "--json").stdout}


@pytest.mark.parametrize("case", list(BAD.values()), ids=list(BAD))
def test_bad_input_changes_nothing(shop: Shop, refusing: Refusing, case: Bad) -> None:
    shutil.copy(refusing.db, shop.db_path)
    (shop.tmp_path / "bad.json").write_text('[{"id": 1,', encoding="utf-8")
    if case.workflow is not None:
        shop.workflow = workflow_copy(shop.tmp_path, case.workflow)

    result = shop.run(*case.args)

    assert result.exit_code == case.code, (result.stdout, result.stderr)
    _assert_one_sentence(result, case.names)
    if case.stderr is not None:
        assert result.stderr == case.stderr
    assert _views(shop) == refusing.views


def _assert_one_sentence(result: Result, names: str) -> None:
    assert "Traceback" not in result.stderr + result.stdout
    first, *rest = result.stderr.splitlines()
    assert first.startswith("error: ")
    assert names in result.stderr
    assert all(line.startswith("  - ") for line in rest)  # the reasons, when several


def test_a_required_reason_is_asked_for(seeded: Shop) -> None:
    seeded.workflow = workflow_copy(seeded.tmp_path, REASON_REQUIRED)

    result = seeded.run("refund", "723", "--amount", "1.00")
    accepted = seeded.run("refund", "723", "--amount", "1.00", "--reason", "Scratched")

    assert result.exit_code == 1
    assert "reason" in result.stderr
    assert accepted.exit_code == 0, accepted.stderr


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(shop: Shop) -> None:
    not_db = shop.tmp_path / "notes.txt"
    not_db.write_text("Shopping list: eggs, milk.\n", encoding="utf-8")

    results = [
        shop.run(*args, db=f"sqlite:///{not_db}")
        for args in (("order", "list"), ("apply", "727", "pay"), ("db", "upgrade"))
    ]

    for result in results:
        assert result.exit_code == 1
        assert result.stderr == (
            f"error: cannot open the database sqlite:///{not_db}: file is not a database\n"
        )
    assert not_db.read_text(encoding="utf-8") == "Shopping list: eggs, milk.\n"


def test_a_database_with_a_newer_schema_is_refused_and_left_alone(seeded: Shop) -> None:
    with sqlite3.connect(seeded.db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    before = _dump(seeded.db_path)

    results = [
        seeded.run(*args)
        for args in (("order", "list"), ("apply", "727", "cancel"), ("db", "upgrade"),
                     ("refund", "723", "--amount", "1.00"))
    ]  # fmt: skip

    for result in results:
        assert result.exit_code == 1, result.stderr
        assert result.stderr == (
            "error: the database has schema revision 9999_future, which this version of "
            f"orderwf does not know (its newest is {HEAD}): upgrade orderwf to use it\n"
        )
    assert _dump(seeded.db_path) == before


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
