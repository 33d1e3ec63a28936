"""Several operator processes acting on the same orders at once (SPEC §4), on SQLite and on
PostgreSQL: no update is lost, nothing is restocked twice, nothing is refunded beyond what was
paid, and every command that reported success left exactly one history row (and every refused
one none). The stock of each product ends at its initial level minus the units the orders still
hold reduced.

The processes are real: `workers/operator_worker.py` (many applies per process, each with its own
idempotency key, so a success can be matched to its history row) and cold
`python -m orderwf apply` commands. These tests check correctness, never speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from orderwf.service import bulk
from orderwf.service import orders as service_orders
from orderwf.service.imports import import_products
from orderwf.service.orders import create_order
from orderwf.store import core, db
from orderwf.workflow.loader import load_workflow
from orderwf.workflow.model import Workflow

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "workflows" / "woocommerce.yaml"
OPERATOR = Path(__file__).parent / "workers" / "operator_worker.py"
INITIAL_STOCK = 50
PRODUCTS = [
    {"id": 1, "sku": "TS", "name": "T-Shirt", "price": "12.00", "manage_stock": True,
     "stock_quantity": INITIAL_STOCK},
    {"id": 2, "sku": "MUG", "name": "Mug", "price": "8.50", "manage_stock": True,
     "stock_quantity": INITIAL_STOCK},
]  # fmt: skip


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.connect(db_url)
    yield engine
    engine.dispose()


def _shop(engine: Engine, orders: int) -> tuple[Workflow, list[int]]:
    """Two stock-managed products and `orders` orders of 3 T-shirts and 2 mugs; all but the
    last moved to processing (stock reduced)."""
    wf = load_workflow(WORKFLOW)
    import_products(engine, PRODUCTS)
    ids = [
        create_order(engine, wf, email=f"c{n}@x.test", lines=["TS=3", "MUG=2"], shipping="5.00")
        for n in range(orders)
    ]
    for order_id in ids[:-1]:
        service_orders.apply(engine, wf, order_id, "process", actor="setup")
    return wf, ids


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("ORDERWF_DB", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    return env


def _start_together(commands: Sequence[list[str]], sync: Path) -> list[subprocess.Popen[str]]:
    """Start the operators, wait until each is warm (`ready-*` files), then let them go."""
    sync.mkdir()
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for cmd in commands
    ]  # fmt: skip
    deadline = time.monotonic() + 60
    while len(list(sync.glob("ready-*"))) < len(procs):
        assert time.monotonic() < deadline, "operators did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    (sync / "go").touch()
    return procs


def _history_by_key(engine: Engine) -> Counter[str]:
    h = core.HISTORY
    with db.read_transaction(engine) as session:
        keys = session.execute(select(h.c.idempotency_key)).scalars()
        return Counter(k for k in keys if k is not None)


def _check_invariants(engine: Engine, ids: Sequence[int]) -> None:
    """What must hold whatever the interleaving (SPEC §2.3, §4)."""
    h, lines, products, refund_lines = (
        core.HISTORY, core.LINES, core.PRODUCTS, core.REFUND_LINES
    )  # fmt: skip
    with db.read_transaction(engine) as session:
        history: dict[int, list[Any]] = defaultdict(list)
        for row in session.execute(select(h).order_by(h.c.id)):
            history[row.order_id].append(row)
        stock = dict(session.execute(select(products.c.id, products.c.stock_quantity)).all())
        reduced: Counter[int] = Counter()
        for row in session.execute(select(lines).where(lines.c.kind == "line_item")):
            reduced[row.product_id] += row.reduced_stock
        restocked: Counter[int] = Counter()
        for row in session.execute(select(refund_lines)):
            restocked[row.item_id] += row.restocked
    for order_id in ids:
        order = service_orders.show(engine, order_id)
        rows = history[order_id]
        # No lost update: every apply bumped the version once and started where the previous
        # one ended.
        assert order.version == 1 + len(rows), (order_id, order.version, len(rows))
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.from_status == before.to_status, (order_id, before.id, after.id)
        if rows:
            assert rows[-1].to_status == order.status
        # Never refunded beyond what was paid, line by line and in total.
        refunded = sum((r.amount for r in order.refunds), Decimal(0))
        assert refunded == order.total_refunded <= order.total, (order_id, refunded)
        for line in order.lines:
            assert 0 <= line.quantity_refunded <= line.quantity, line
            assert line.total_refunded <= line.gross, line
            # Restocked at most once per unit.
            assert line.refunded_restocked + line.refunded_kept <= line.quantity_refunded, line
            assert restocked[line.id] <= line.quantity, line
            assert 0 <= line.reduced_stock <= line.quantity, line
    # Stock moved exactly by what the orders hold reduced: nothing taken or given back twice.
    for product_id, level in stock.items():
        assert level == INITIAL_STOCK - reduced[product_id], (product_id, level, reduced)


def test_operators_lose_no_update(engine: Engine, db_url: str, tmp_path: Path) -> None:
    """Three operators, 20 random actions and refunds each, on three shared orders."""
    _wf, ids = _shop(engine, 3)
    workers, count = 3, 20
    commands = [
        [sys.executable, str(OPERATOR), db_url, str(WORKFLOW), str(seed), str(count),
         ",".join(map(str, ids)), str(tmp_path / f"op{seed}.json"), str(tmp_path / "sync")]
        for seed in range(workers)
    ]  # fmt: skip
    for proc in _start_together(commands, tmp_path / "sync"):
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    results = [
        r for seed in range(workers) for r in json.loads((tmp_path / f"op{seed}.json").read_text())
    ]
    assert len(results) == workers * count
    outcomes = Counter(r["outcome"] for r in results)
    assert set(outcomes) <= {"ok", "Refused"}, outcomes  # no lock error, no conflict error
    assert outcomes["ok"] > 0
    by_key = _history_by_key(engine)
    for r in results:
        assert by_key[r["key"]] == (1 if r["outcome"] == "ok" else 0), r
    _check_invariants(engine, ids)


def test_cold_commands_race_on_one_order(engine: Engine, db_url: str) -> None:
    """Four `orderwf apply` processes at once on one processing order, each excluding the
    others: two full restock refunds of the T-shirt line and two refunds of 60 % of the total
    (any two of them do not fit in what was paid, or on the line). Exactly one succeeds,
    whichever takes the lock first; the same commands again replay it and refuse the rest;
    then a cancel gives back what is still out."""
    _wf, ids = _shop(engine, 2)
    order = service_orders.show(engine, ids[0])
    shirt = next(line for line in order.lines if line.sku == "TS")
    amount = str((order.total * Decimal("0.6")).quantize(Decimal("0.01")))
    base = [sys.executable, "-m", "orderwf", "--db", db_url, "--workflow", str(WORKFLOW), "apply"]
    oid = str(ids[0])
    restock = [oid, "refund", "-p", f"lines={shirt.id}=3", "-p", "restock=true"]
    commands = {
        "restock-1": restock,
        "restock-2": restock,
        "amount-1": [oid, "refund", "-p", f"amount={amount}"],
        "amount-2": [oid, "refund", "-p", f"amount={amount}"],
    }

    def race() -> dict[str, tuple[int, str]]:
        procs = {
            key: subprocess.Popen([*base, *args, "--key", key], cwd=ROOT, env=_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for key, args in commands.items()
        }  # fmt: skip
        done = {}
        for key, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode in (0, 1), (key, proc.returncode, err)
            assert proc.returncode == 0 or err.startswith("error: "), (key, err)
            done[key] = (proc.returncode, out)
        return done

    first = race()
    [winner] = [key for key, (code, _out) in first.items() if code == 0]
    assert first[winner][1].startswith(f"Applied. refund on order #{oid}"), first[winner]
    assert _history_by_key(engine) == {winner: 1}
    after_race = service_orders.show(engine, ids[0])
    assert len(after_race.refunds) == 1

    again = race()  # the replays: the winner's key returns its result, the others stay refused
    assert {key: code for key, (code, _out) in again.items()} == {
        key: 0 if key == winner else 1 for key in commands
    }
    assert again[winner][1] == f"Already applied with key {winner!r}: nothing changed.\n"
    assert _history_by_key(engine) == {winner: 1}
    assert service_orders.show(engine, ids[0]).version == after_race.version

    cancel = subprocess.run([*base, oid, "cancel"], cwd=ROOT, env=_env(), capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert cancel.returncode == 0, cancel.stderr
    _check_invariants(engine, ids)


# -- One bulk batch: each order sees the stock its batch's earlier orders moved ---------------


def _refusing_workflow(tmp_path: Path) -> Path:
    text = WORKFLOW.read_text(encoding="utf-8")
    text = text.replace("templates: ../templates/emails", f"templates: {ROOT / 'templates/emails'}")
    text = text.replace("negative: allow", "negative: refuse")
    path = tmp_path / "refuse.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bulk_batch_stock_notes_chain(engine: Engine) -> None:
    wf = load_workflow(WORKFLOW)
    import_products(engine, PRODUCTS)
    ids = [create_order(engine, wf, email=f"c{n}@x.test", lines=["TS=3"]) for n in range(2)]
    bulk.apply(engine, wf, "process", actor="bulk", ids=ids)
    notes = [
        next(n.note for n in service_orders.show(engine, i).notes if "Stock levels" in n.note)
        for i in ids
    ]
    assert notes == [
        f"Stock levels reduced: T-Shirt (TS) {INITIAL_STOCK}→{INITIAL_STOCK - 3}",
        f"Stock levels reduced: T-Shirt (TS) {INITIAL_STOCK - 3}→{INITIAL_STOCK - 6}",
    ]


def test_bulk_batch_refuses_negative_stock(engine: Engine, tmp_path: Path) -> None:
    wf = load_workflow(_refusing_workflow(tmp_path))
    import_products(engine, [{**PRODUCTS[0], "stock_quantity": 4}])
    ids = [create_order(engine, wf, email=f"c{n}@x.test", lines=["TS=3"]) for n in range(2)]
    report = bulk.apply(engine, wf, "process", actor="bulk", ids=ids)
    assert (report.applied, [i for i, _ in report.refused]) == (1, [ids[1]])
    assert service_orders.show(engine, ids[0]).lines[0].stock_quantity == 1
