"""A single apply reads only the parts of the order its action reads (`engine.reads`) and
sends its writes in one pipeline on PostgreSQL (`driver.pipeline`): on SQLite and PostgreSQL,
what it stores is what a whole-order apply stores, the version check still refuses a stale
plan, and a write that fails inside the pipeline leaves nothing behind."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from parity import CUSTOMER, NOW, A, open_shop, parity_order
from sqlalchemy import event, text

from orderwf import orders as s
from orderwf.engine import plan as planner
from orderwf.errors import StoreError
from orderwf.service import bulk
from orderwf.service import orders as service_orders
from orderwf.store import db, faults, repo, snapshots
from shop import Shop, default_workflow, workflow_copy


@pytest.fixture
def shop(tmp_path: Path, db_url: str) -> Iterator[Shop]:
    yield from open_shop(tmp_path, db_url, default_workflow())


def history_rows(shop: Shop, order_id: int) -> list[tuple[object, ...]]:
    with db.read_transaction(shop.engine) as session:
        return [
            (h["action"], h["from_status"], h["to_status"], [e["type"] for e in h["effects"]])
            for h in repo.history(session, order_id)
        ]


def test_an_apply_that_reads_less_stores_what_a_whole_order_apply_stores(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 2)), parity_order(101, (A, 2)))
    for order_id in (100, 101):
        shop.apply(order_id, "pay")
    shop.model = replace(shop.model, emails={})  # `hold` then reads the lines alone
    narrow = shop.apply(100, "hold")
    whole = shop.apply(101, "hold", whole_order=True)
    assert narrow.effects == whole.effects
    # The narrow apply did not read the notes: its order says so rather than show none.
    with pytest.raises(s.NotLoadedError):
        _ = narrow.order.notes[0]
    assert whole.order.notes[-1].note == "Order status changed from Processing to On hold."
    # The same notes but the stock levels, which the two orders share (A: 10→8, then 8→6).
    assert [n.split(":")[0] for n in shop.notes(100)] == [n.split(":")[0] for n in shop.notes(101)]
    assert history_rows(shop, 100) == history_rows(shop, 101)
    assert history_rows(shop, 100)[-1] == ("hold", "processing", "on-hold", ["status", "note"])
    assert shop.show(100).version == shop.show(101).version == 3


def test_show_reads_only_the_parts_asked_for(shop: Shop) -> None:
    shop.add(parity_order(100, (A, 2)))
    shop.apply(100, "pay")
    row = service_orders.show(shop.engine, 100, parts=())
    whole = service_orders.show(shop.engine, 100)
    assert (row.status, row.version, row.number) == (whole.status, whole.version, whole.number)
    for part in ("lines", "notes", "refunds", "tracking"):
        with pytest.raises(s.NotLoadedError):
            len(getattr(row, part))
    with pytest.raises(s.NotLoadedError, match=r"order.s details \(total\) were not loaded"):
        _ = row.total + 1  # a field of the part "order details"
    detailed = service_orders.show(shop.engine, 100, parts={"order details"})
    assert [getattr(detailed, f) for f in s.ORDER_DETAILS] == [
        getattr(whole, f) for f in s.ORDER_DETAILS
    ]
    assert service_orders.show(shop.engine, 100, parts={"lines", "line details"}).lines == (
        whole.lines
    )
    narrow = service_orders.show(shop.engine, 100, parts={"lines"})
    bare = narrow.lines  # the product lines alone: the shipping line is nothing but details
    assert whole.shipping_lines
    assert [(li.id, li.sku, li.quantity) for li in bare] == [
        (li.id, li.sku, li.quantity) for li in whole.line_items
    ]
    with pytest.raises(s.NotLoadedError, match="lines' total were not loaded"):
        _ = bare[0].total + 1
    for other in (lambda: narrow.shipping_lines, lambda: narrow.fee_lines,
                  lambda: narrow.line(whole.shipping_lines[0].id)):  # fmt: skip
        with pytest.raises(s.NotLoadedError, match="shipping and fee lines were not loaded"):
            other()
    assert narrow.line(bare[0].id) == bare[0]
    with pytest.raises(ValueError, match="unknown parts"):
        service_orders.show(shop.engine, 100, parts={"history"})


def test_a_dry_run_ends_its_transaction_and_stores_nothing(shop: Shop) -> None:
    """A dry run rolls its plain transaction (`store.tx.CoreTx`) back: nothing is stored,
    nothing more can run in it, and the next apply commits as usual."""
    shop.add(parity_order(100, (A, 2)))
    before = shop.stored(100)
    dry = shop.apply(100, "pay", dry_run=True)
    assert dry.dry_run
    assert dry.order.status == "processing"
    assert shop.stored(100) == before
    with db.transaction(shop.engine) as tx:
        tx.rollback()
        with pytest.raises(RuntimeError, match="rolled back"):
            tx.execute(text("SELECT 1"))
    assert shop.apply(100, "pay").order.status == "processing"
    assert shop.stored(100) != before


# `commit=True` (an apply's `COMMIT` in its write pipeline) changes neither: it skips the
# version check only for an order the transaction locked, and a failing write still aborts.
@pytest.mark.parametrize("commit", [False, True], ids=["commit-after", "commit-in-pipeline"])
def test_a_stale_plan_is_refused_by_the_version_check_after_the_pipeline(
    shop: Shop, commit: bool
) -> None:
    shop.add(parity_order(100, (A, 2)))
    stale = shop.show(100)
    shop.apply(100, "hold")
    plan = planner.plan(shop.model, stale, "cancel", {}, actor="admin", now=NOW)
    before = shop.stored(100)
    with (
        pytest.raises(StoreError, match="changed by someone else"),
        db.write_transaction(shop.engine) as session,
    ):
        repo.apply_plan(session, plan, commit=commit)
    assert shop.stored(100) == before


@pytest.mark.parametrize("commit", [False, True], ids=["commit-after", "commit-in-pipeline"])
def test_a_write_failing_in_the_pipeline_leaves_nothing_behind(shop: Shop, commit: bool) -> None:
    shop.add(parity_order(100, (A, 2)), parity_order(101, (A, 2)))
    shop.apply(100, "hold", key="once-only")
    before = shop.stored(101)

    def hold_101() -> None:
        with db.write_transaction(shop.engine) as session:
            order = snapshots.load_order(session, 101, lock=True)  # locked: COMMIT may go along
            plan = planner.plan(shop.model, order, "hold", {}, actor="admin", now=NOW)
            repo.apply_plan(session, plan, key="once-only", commit=commit)

    # The history row's idempotency key is taken: its insert, the last write of the pipeline,
    # fails, and the order, stock, note and outbox writes sent before it are rolled back.
    with pytest.raises(faults.Conflict, match="idempotency_key"):
        hold_101()
    assert shop.stored(101) == before
    assert shop.apply(101, "hold").plan is not None  # the connection is usable again


@pytest.mark.postgres
def test_looking_at_an_order_keeps_the_statements_postgres_prepared(
    tmp_path: Path, pg_db_url: str
) -> None:
    # psycopg prepares a statement run five times; a ROLLBACK makes it deallocate them all.
    for shop in open_shop(tmp_path, pg_db_url, default_workflow()):
        shop.add(parity_order(100, (A, 2)))
        for _ in range(8):
            service_orders.show(shop.engine, 100)
        # A look runs on the connection the engine keeps between looks: the shows' own.
        prepared = db.look(
            shop.engine,
            lambda session: session.execute(
                text("SELECT count(*) FROM pg_prepared_statements")
            ).scalar_one(),
        )
        assert prepared > 0


@pytest.mark.parametrize(
    "parts",
    [
        *[(), ("lines",), ("lines", "line details"), ("notes", "once"), ("refunds", "tracking")],
        *[("addresses",), ("order details",), None],
    ],
)
def test_a_loaded_order_holds_exactly_its_fields_whatever_parts_are_read(
    shop: Shop, parts: tuple[str, ...] | None
) -> None:
    # The store builds snapshots without their `__init__`: each, narrow or whole, holds the
    # fields read and nothing else; a part not read is its class's `NotLoaded` (`narrowed`).
    from dataclasses import fields

    from orderwf.store import snapshots

    shop.add(parity_order(100, (A, 2)))
    shop.apply(100, "pay")
    with db.read_transaction(shop.engine) as session:
        order = snapshots.load_order(session, 100, parts=parts)
    wanted = snapshots.ALL_PARTS if parts is None else set(parts)
    assert isinstance(order, s.Order)
    assert (type(order) is s.Order) == (wanted == snapshots.ALL_PARTS)
    held = vars(order).keys()
    assert held == s.held_fields(type(order))
    not_read = {f.name for f in fields(s.Order)} - held
    assert all(not s.loaded(getattr(type(order), name)) for name in not_read)
    for part, name in [
        *[("lines", "lines"), ("notes", "notes"), ("once", "emails_sent")],
        *[("addresses", "billing"), ("addresses", "shipping")],
        *[("order details", name) for name in s.ORDER_DETAILS],
    ]:
        assert s.loaded(getattr(order, name)) == (part in wanted) == (name in held)
    if "addresses" in wanted:
        assert order.billing["email"] == CUSTOMER
    if "lines" in wanted:
        # Without their details, the product lines alone, each holding the other fields (its
        # details are its class's `NotLoaded`, its kind its class's: `orders.BareLine`).
        details = "line details" in wanted
        held = {f.name for f in fields(s.Line)} - (set() if details else {*s.LINE_DETAILS, "kind"})
        assert all(vars(line).keys() == held for line in order.lines)
        assert [line.kind for line in order.lines] == ["line_item", "shipping"][: 1 + details]
        assert all((type(line) is s.BareLine) != details for line in order.lines)
        for line in order.lines:
            assert [s.loaded(getattr(line, name)) for name in s.LINE_DETAILS] == [details] * len(
                s.LINE_DETAILS
            )
            assert line.quantity == 2 if line.kind == "line_item" else 1
            assert line.sku == ("TS" if line.kind == "line_item" else "")


def _tables_read(shop: Shop, run: Callable[[], object]) -> set[str]:
    """The order tables `run` selects from (SQLite's own trace of the statements it runs)."""
    return _tables(_selects(shop, run))


def _tables(selects: list[str]) -> set[str]:
    tables = ("line_item", "order_note", "refund", "tracking", "email_once")
    return {t for t in tables for sql in selects if re.search(rf"\b(FROM|JOIN) {t}\b", sql)}


def _selects(shop: Shop, run: Callable[[], object]) -> list[str]:
    """The SELECT statements `run` runs (SQLite's own trace of them)."""
    statements: list[str] = []

    def traced(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(shop.engine, "checkout", traced)
    try:
        run()
    finally:
        event.remove(shop.engine, "checkout", traced)
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


COUNTING_NOTE = {
    '"Order status changed from {{ from.label }} to {{ to.label }}."':
    '"On hold after {{ order.notes | length }} notes."',
}  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "tables", "note"),
    [
        ({}, {"line_item"}, "Order status changed from Processing to On hold."),
        (COUNTING_NOTE, {"line_item", "order_note"}, "On hold after 2 notes."),
    ],
)
def test_a_bulk_apply_reads_only_the_parts_its_action_reads(
    tmp_path: Path, sqlite_url: str, edit: dict[str, str], tables: set[str], note: str
) -> None:
    # Without emails, `hold` reads the lines (its stock policy) and no other part; with a
    # status note that counts the order's notes, the notes too, and it counts them right
    # (an order not read whole would raise `NotLoadedError` instead).
    model = replace(default_workflow(workflow_copy(tmp_path, edit)), emails={})
    for shop in open_shop(tmp_path, sqlite_url, model):
        shop.add(parity_order(100, (A, 2)), parity_order(101, (A, 1)))
        for order_id in (100, 101):
            shop.apply(order_id, "pay")
        report = bulk.BulkReport()
        run = partial(
            bulk.apply, shop.engine, shop.model, "hold", {}, actor="admin", ids=[100, 101],
            now=NOW, report=report,
        )  # fmt: skip
        selects = _selects(shop, run)
        assert (report.applied, report.refused) == (2, [])
        assert _tables(selects) == tables
        # No email, no template reading them: the orders' addresses are not read either, nor
        # the lines' details (amounts, method, meta, the products' flags).
        assert [sql for sql in selects if re.search(r"\b(billing|shipping)\b", sql)] == []
        details = r"\b(price|total|total_tax|method_id|meta|virtual|downloadable)\b"
        assert [sql for sql in selects if "line_item" in sql and re.search(details, sql)] == []
        assert [shop.status(i) for i in (100, 101)] == ["on-hold", "on-hold"]
        assert shop.notes(100)[-1] == shop.notes(101)[-1] == note
        assert history_rows(shop, 100)[-1] == ("hold", "processing", "on-hold", ["status", "note"])


NOTE_CHECKING_TIMER = {
    "if: \"order.created_via in ['checkout', 'store-api']\"":
    "if: \"order.customer_notes | length == 0\"",
}  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "tables"),
    [({}, {"line_item"}), (NOTE_CHECKING_TIMER, {"line_item", "order_note"})],
)
def test_tick_reads_what_its_timers_if_and_action_read(
    tmp_path: Path, sqlite_url: str, edit: dict[str, str], tables: set[str]
) -> None:
    # The default timer's `if` reads a field of the order's row; one that counts the
    # customer's notes makes `tick` read the notes too (else `NotLoadedError`).
    model = replace(default_workflow(workflow_copy(tmp_path, edit)), emails={})
    for shop in open_shop(tmp_path, sqlite_url, model):
        shop.add(parity_order(100, (A, 1)))
        report = bulk.TickReport()
        run = partial(
            bulk.tick, shop.engine, shop.model, now=NOW + timedelta(hours=1), report=report
        )
        assert _tables_read(shop, run) == tables
        assert report.timers["cancel_unpaid"].applied == 1
        assert shop.status(100) == "cancelled"
