"""The floor for one concurrent operator on PostgreSQL: what a hand-written psycopg program
must do for the transitions `concurrent_child.py` makes orderwf do, with the no-email
workflow. For `seconds`, pick a random order of the pool and, in one transaction:

- read its status, as the operator does before choosing the action (autocommit, as orderwf's
  `service.orders.show`), and choose the next action of the cycle pending → process → hold → reopen;
- `SELECT … FOR UPDATE` the order (status, version, stock flag), then read its product lines
  with their products' stock management (the re-read under the lock);
- refuse (roll back) when another process moved the order out of the action's `from`
  statuses meanwhile; else, as orderwf: `process` and `hold` enter a `reduce` status (take out
  what is not out yet), `reopen` a `restore` one (give back what is out);
- the stock moves (an atomic increment per product), the lines' `reduced_stock`, the order row
  (status, version + 1, times, stock flag), the stock note when stock moved, the status note,
  the history row, COMMIT.

The same interpreter settings as orderwf's child (the cycle collector paused while warming up,
what start-up loaded frozen, then collection resumed: the `orderwf` command's regime for a loop,
`cli.app.main` then `cli.common.long_running`); one connection per process; a refusal is
impossible here (the lock makes the read current). Prints one JSON line: {"applied", "refused",
"errors", "seconds", "cpu", "statements"}.

    python bench/concurrent_floor.py URL SEED SECONDS FIRST_ID LAST_ID SYNC_DIR
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

# The cycle of concurrent_child.py, with each action's `from` and `to` in the default workflow.
NEXT = {"pending": "process", "processing": "hold", "on-hold": "reopen"}
ACTIONS = {
    "process": ({"pending", "on-hold", "failed"}, "processing"),
    "hold": ({"pending", "processing"}, "on-hold"),
    "reopen": ({"on-hold", "processing", "completed", "cancelled", "failed"}, "pending"),
}
LABELS = {"pending": "Pending payment", "processing": "Processing", "on-hold": "On hold"}


class Refused(Exception):
    """The order left the action's `from` statuses before the lock: the transaction rolls back."""


class Counter:
    """Statements sent to the server (each `execute`, the transaction's `BEGIN` and its end;
    an `executemany` counts once)."""

    def __init__(self, conn: Any) -> None:
        self.conn, self.count = conn, 0

    def run(self, sql: str, params: Any = None) -> Any:
        self.count += 1
        return self.conn.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """psycopg's transaction: its `BEGIN` and its `COMMIT` or `ROLLBACK` count."""
        self.count += 2
        with self.conn.transaction():
            yield

    def many(self, sql: str, rows: list[Any]) -> None:
        if rows:
            self.count += 1
            with self.conn.cursor() as cur:
                cur.executemany(sql, rows)


def transition(db: Counter, order_id: int, actor: str) -> None:
    """One operator's step on `order_id`; `Refused` when another process moved it first."""
    seen = db.run("SELECT status FROM orders WHERE id = %s", (order_id,)).fetchone()[0]
    action = NEXT.get(seen, "reopen")
    allowed, to = ACTIONS[action]
    now = datetime.now(UTC)
    with db.transaction():
        status, version = db.run(
            "SELECT status, version FROM orders WHERE id = %s FOR UPDATE",
            (order_id,),
        ).fetchone()
        lines = db.run(
            "SELECT l.id, l.product_id, l.quantity, l.reduced_stock, l.refunded_kept,"
            " l.refunded_restocked, l.name, l.sku, p.manage_stock"
            " FROM line_item l LEFT JOIN product p ON p.id = l.product_id"
            " WHERE l.order_id = %s AND l.kind = 'line_item' ORDER BY l.position",
            (order_id,),
        ).fetchall()
        if status not in allowed:
            raise Refused
        moves = []
        for item_id, product_id, qty, out, kept, restocked, name, sku, managed in lines:
            if not managed:
                continue
            target = qty - restocked if to != "pending" else kept
            if target != out:
                moves.append((item_id, product_id, out - target, target, name, sku))
        # Products locked in id order, as orderwf's store does: two operators whose orders
        # share products in different line orders must not deadlock.
        level = {}
        for _item, product_id, delta, _target, _name, _sku in sorted(moves, key=itemgetter(1)):
            level[product_id] = db.run(
                "UPDATE product SET stock_quantity = stock_quantity + %s WHERE id = %s"
                " RETURNING stock_quantity",
                (delta, product_id),
            ).fetchone()[0]
        changes = [
            f"{name} ({sku}) {level[p] - delta}→{level[p]}" for _i, p, delta, _t, name, sku in moves
        ]
        db.many(
            "UPDATE line_item SET reduced_stock = %s WHERE id = %s",
            [(target, item) for item, _p, _d, target, _n, _s in moves],
        )
        db.run(
            "UPDATE orders SET status = %s, version = %s, date_modified = %s,"
            " status_changed_at = %s, stock_reduced = %s WHERE id = %s AND version = %s",
            (to, version + 1, now, now, to != "pending", order_id, version),
        )
        notes = []
        if changes:
            kind = "reduced" if to != "pending" else "increased"
            notes.append(f"Stock levels {kind}: {', '.join(changes)}")
        notes.append(f"Order status changed from {LABELS[status]} to {LABELS[to]}.")
        db.many(
            "INSERT INTO order_note (order_id, note, customer_note, author, created_at)"
            " VALUES (%s, %s, false, 'system', %s)",
            [(order_id, note, now) for note in notes],
        )
        effects = [{"type": "status", "from": status, "to": to}]
        effects += [{"type": "note", "text": note} for note in notes]
        db.run(
            "INSERT INTO history (order_id, at, actor, action, params, from_status, to_status,"
            " request_hash, effects) VALUES (%s, %s, %s, %s, '{}', %s, %s, '', %s)",
            (order_id, now, actor, action, status, to, orjson.dumps(effects).decode()),
        )


def main(argv: list[str]) -> int:
    url, seed, seconds, first, last, sync_dir = argv
    gc.disable()
    import psycopg

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import make_db

    conn = psycopg.connect(make_db.pg_dsn(url), autocommit=True)
    db = Counter(conn)
    gc.freeze()
    gc.enable()
    rng = random.Random(int(seed))
    sync = Path(sync_dir)
    (sync / f"ready-{seed}").touch()
    while not (sync / "go").exists():
        time.sleep(0.005)
    applied = refused = 0
    t0, c0 = time.perf_counter(), time.process_time()
    end = t0 + float(seconds)
    db.count = 0
    while time.perf_counter() < end:
        try:
            transition(db, rng.randint(int(first), int(last)), f"floor{seed}")
            applied += 1
        except Refused:
            refused += 1
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    result = {"applied": applied, "refused": refused, "errors": 0, "seconds": elapsed, "cpu": cpu,
              "statements": db.count}  # fmt: skip
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
