"""One bulk run in its own process, so its peak memory (VmHWM) is its own: either orderwf's
`service.bulk.apply` or the raw floor doing the same row writes with the bare driver.
Prints one JSON line: {"orders", "seconds", "rate", "maxrss_mb"}.

    python bench/bulk_child.py orderwf URL WORKFLOW
    python bench/bulk_child.py floor-sqlite PATH EMAIL(0|1|fixed)
    python bench/bulk_child.py floor-pg URL EMAIL(0|1|fixed)
    python bench/bulk_child.py floor-pg-fast URL EMAIL(0|1|fixed)

The floor is what a hand-written script would do for `apply --status pending process`: page
through pending orders by id (500 a batch, one transaction per batch), read their product lines
with the products' stock levels, then per batch one executemany each for the orders UPDATE
(version-checked, without the metadata), the line items UPDATE (`reduced_stock` alone), the
product stock increments, the notes INSERT (stock note and status note), the history INSERT
(each row naming the run's workflow version row, inserted in its first batch) and, with emails,
the outbox INSERT, its Message-IDs made as orderwf's: the rows orderwf writes.

Its emails (`EMAIL` 1) are written by hand (`floor_email`: f-strings, no template engine),
the same bytes as orderwf renders from the shipped templates, from what the email shows, read
as orderwf reads it (the orders' amounts, dates and addresses, every line, the refunds and the
tracking; `bulk.py` compares the two outboxes after each pair of runs). `EMAIL` fixed is the
floor of the sessions before 2026-12-07: the product lines read alone and a body of a fixed
text of the size of orderwf's, not ASCII alone as orderwf's are not, with the order's number in
it (a new `str` for each order, as a rendered body is: sqlite3 and psycopg encode each to
UTF-8, ~8 µs for 7 kB with a `€`, where one `str` for all would be encoded once, its UTF-8
kept by Python).

Both sides run under the same settings: the cycle collector paused for start-up (imports,
connecting), what start-up loaded frozen and collection resumed before the loop (as
`orderwf apply --status` does: `cli.app.main`, then `cli.common.long_running`), and paused
again for each batch (as `service.bulk` does: `orderwf.collector`); the timers
(wall and CPU) start after connecting, before the first query.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor_email  # noqa: E402

BATCH = 500
CPU: list[float] = []  # CPU seconds of the timed part (this process only)
# `EMAIL`: "0" none; "1" the email written by hand (`floor_email`: the same bytes as orderwf's);
# "fixed" a body the size of orderwf's, fixed but for the order's number, and like orderwf's not
# ASCII alone (`×`, `€`): a `str` of ASCII alone goes to UTF-8 as it is, one with a `€` is
# encoded.
EMAILS = ("0", "1", "fixed")
SUBJECT = "Your Example Shop order has been received!"
BODY_TEXT = "x" * 606 + "2 × €12.90"
BODY_HTML = "<p>" + "x" * 6986 + "2 × €12.90</p>"


def run_orderwf(url: str, workflow: str) -> tuple[int, float]:
    # What `orderwf apply --status pending process` does: start-up with the cycle collector
    # paused (`cli.app.main`), collection resumed for the loop (`cli.common.long_running`).
    gc.disable()
    from orderwf.cli.common import long_running
    from orderwf.service import bulk
    from orderwf.store import db, repo, snapshots  # noqa: F401 (imported here, not timed)
    from orderwf.workflow.loader import load_workflow

    engine = db.connect(url)
    wf = load_workflow(Path(workflow))
    long_running()
    t0, c0 = time.perf_counter(), time.process_time()
    report = bulk.apply(engine, wf, "process", {}, actor="bench", status="pending")
    seconds = time.perf_counter() - t0
    CPU.append(time.process_time() - c0)
    if report.refused:
        raise SystemExit(f"{len(report.refused)} refused: {report.refused[:3]}")
    return report.applied, seconds


def _rows(
    batch: list[tuple[Any, ...]], now: datetime | str, email: str, version_id: int
) -> dict[str, list[Any]]:
    """The writes for one batch. `batch`: (order_id, version, email, item_id, product_id,
    quantity, stock, name, sku) rows, ordered by order then line. `email`: "0" none, "fixed"
    a fixed body with the order's number in it. `version_id`: the run's workflow version row
    (`_version_row`), which each history row names."""
    lines: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    info: dict[int, tuple[int, str]] = {}
    for r in batch:
        info[r[0]] = (r[1], r[2])
        if r[3] is not None:
            lines[r[0]].append(r[3:])
    out: dict[str, list[Any]] = defaultdict(list)
    deltas: dict[int, int] = defaultdict(int)
    for order_id, (version, address) in info.items():
        sent = None
        if email != "0":
            number = str(order_id)
            sent = (address, SUBJECT, BODY_TEXT + number, BODY_HTML[:-4] + number + "</p>")
        _order_rows(out, deltas, order_id, version, lines[order_id], now, sent, version_id)
    out["products"] = [(d, pid) for pid, d in sorted(deltas.items()) if d]
    return out


def _order_rows(
    out: dict[str, list[Any]],
    deltas: dict[int, int],
    order_id: int,
    version: int,
    lines: list[tuple[Any, ...]],
    now: datetime | str,
    email: tuple[str, str, str, str] | None,
    version_id: int,
) -> None:
    """One order's writes into `out`, its stock moves into `deltas`. `lines`: its product
    lines' (item_id, product_id, quantity, stock, name, sku); `email`: (to, subject, text,
    html) of the one it sends, if any."""
    # The order's row without its metadata, a line's `reduced_stock` alone: what orderwf
    # writes when a plan set no metadata and refunded nothing (`repo._updates`).
    out["orders"].append(("processing", 1, version + 1, now, now, None, now, order_id, version))
    changes, effects = [], []
    for item_id, product_id, qty, stock, name, sku in lines:
        out["lines"].append((qty, item_id))
        deltas[product_id] -= qty
        changes.append(f"{name} ({sku}) {stock}→{stock - qty}")
        effects.append(
            {"item_id": item_id, "product_id": product_id, "sku": sku, "delta": -qty,
             "old": stock, "new": stock - qty}
        )  # fmt: skip
    stock_note = "Stock levels reduced: " + ", ".join(changes)
    status_note = "Order status changed from Pending payment to Processing."
    out["notes"].append((order_id, stock_note, 0, "system", now))
    out["notes"].append((order_id, status_note, 0, "system", now))
    history = [
        {"type": "status", "from": "pending", "to": "processing"},
        {"type": "stock", "policy": "reduce", "changes": effects},
        {"type": "note", "text": stock_note, "customer": False, "author": "system"},
        {"type": "note", "text": status_note, "customer": False, "author": "system"},
    ]
    if email is not None:
        to, subject, text, html = email
        history.append({"type": "email", "email": "customer_processing_order",
                        "to": to, "subject": subject})  # fmt: skip
        out["outbox"].append(
            (order_id, "customer_processing_order", to, "Example Shop <no-reply@example.com>",
             subject, text, html, _message_id(), "pending", 0, now, now)
        )  # fmt: skip
    out["history"].append(
        (order_id, now, "bench", "process", "{}", "pending", "processing", None, "",
         orjson.dumps(history).decode(), version_id)  # orderwf's JSON columns: orjson too
    )  # fmt: skip


_AMOUNTS: dict[Any, Decimal] = {}


def _amount(text: Any) -> Decimal:
    """A stored amount's text as a `Decimal`, each text made once, as orderwf reads them
    (`store.columns._decimal_or_none`: most amounts of a batch are the same few texts)."""
    amount = _AMOUNTS.get(text)
    if amount is None:
        amount = _AMOUNTS[text] = Decimal(text)
    return amount


def _rows_rendered(
    conn: Any, ids: list[int], now: datetime | str, json_text: bool, version_id: int
) -> dict[str, list[Any]]:
    """The writes for one batch whose emails are rendered (`floor_email`): what the email
    shows is read too (the orders' amounts, dates and addresses, every line, the refunds and
    the tracking), as orderwf reads it. `json_text`: whether
    the driver gives JSON columns as text (SQLite) or decoded (psycopg)."""
    where = ",".join(map(str, ids))
    orders = conn.execute(_ORDERS_FOR_EMAIL.format(ids=where)).fetchall()
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(_LINES_FOR_EMAIL.format(ids=where)).fetchall():
        lines[r[0]].append(
            {"id": r[1], "kind": r[2], "product_id": r[3], "quantity": r[4], "stock": r[5],
             "name": r[6], "sku": r[7], "price": _amount(r[8]), "total": _amount(r[9]),
             "total_tax": _amount(r[10]), "quantity_refunded": r[11]}
        )  # fmt: skip
    refunds: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(_REFUNDS_FOR_EMAIL.format(ids=where)).fetchall():
        refunds[r[0]].append({"amount": _amount(r[1]), "reason": r[2]})
    tracking: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute(_TRACKING_FOR_EMAIL.format(ids=where)).fetchall():
        tracking[r[0]].append({"carrier": r[1], "number": r[2], "url": r[3], "shipped_on": r[4]})
    out: dict[str, list[Any]] = defaultdict(list)
    deltas: dict[int, int] = defaultdict(int)
    for order_id, version, number, total, billing, shipping, note, paid_by, created in orders:
        if json_text:
            billing, shipping = orjson.loads(billing), orjson.loads(shipping)
        order = {
            "number": number, "total": _amount(total), "billing": billing,
            "shipping": shipping, "customer_note": note, "payment_method_title": paid_by,
            "date_created": created,
        }  # fmt: skip
        its_lines = lines[order_id]
        subject, text, html = floor_email.render(
            order, its_lines, refunds[order_id], tracking[order_id]
        )
        stocked = [
            (li["id"], li["product_id"], li["quantity"], li["stock"], li["name"], li["sku"])
            for li in its_lines
            if li["kind"] == "line_item"
        ]
        sent = (str(billing.get("email") or ""), subject, text, html)
        _order_rows(out, deltas, order_id, version, stocked, now, sent, version_id)
    out["products"] = [(d, pid) for pid, d in sorted(deltas.items()) if d]
    return out


_SELECT = (
    "SELECT o.id, o.version, {address}, l.id, l.product_id, l.quantity, p.stock_quantity,"
    " l.name, l.sku FROM orders o LEFT JOIN line_item l ON l.order_id = o.id"
    " AND l.kind = 'line_item' LEFT JOIN product p ON p.id = l.product_id AND p.manage_stock"
    " WHERE o.id IN ({ids}) ORDER BY o.id, l.position, l.id"
)


def _select(ids: list[int], email: str) -> str:
    """The batch's select: the recipient's address read only for an email (as orderwf reads
    the addresses only then)."""
    address = "NULL" if email == "0" else "o.customer_email"
    return _SELECT.format(address=address, ids=",".join(map(str, ids)))


# With the email rendered (`floor_email`): what it shows, read as orderwf reads it.
_ORDERS_FOR_EMAIL = (
    "SELECT id, version, number, total, billing, shipping, customer_note, payment_method_title,"
    " date_created FROM orders WHERE id IN ({ids}) ORDER BY id"
)
_LINES_FOR_EMAIL = (
    "SELECT l.order_id, l.id, l.kind, l.product_id, l.quantity, p.stock_quantity, l.name, l.sku,"
    " l.price, l.total, l.total_tax, l.quantity_refunded FROM line_item l"
    " LEFT JOIN product p ON p.id = l.product_id AND p.manage_stock"
    " WHERE l.order_id IN ({ids}) ORDER BY l.order_id, l.position, l.id"
)
_REFUNDS_FOR_EMAIL = (
    "SELECT order_id, amount, reason FROM refund WHERE order_id IN ({ids}) ORDER BY id"
)
_TRACKING_FOR_EMAIL = (
    "SELECT order_id, carrier, number, url, shipped_on FROM tracking WHERE order_id IN ({ids})"
    " ORDER BY id"
)
_WRITES = {
    "orders": "UPDATE orders SET status = {p}, stock_reduced = {p}, version = {p},"
    " status_changed_at = {p}, date_paid = {p}, date_completed = {p}, date_modified = {p}"
    " WHERE id = {p} AND version = {p}",
    "lines": "UPDATE line_item SET reduced_stock = {p} WHERE id = {p}",
    "products": "UPDATE product SET stock_quantity = stock_quantity + {p} WHERE id = {p}",
    "notes": "INSERT INTO order_note (order_id, note, customer_note, author, created_at)"
    " VALUES ({p}, {p}, {p}, {p}, {p})",
    "history": "INSERT INTO history (order_id, at, actor, action, params, from_status,"
    " to_status, idempotency_key, request_hash, effects, workflow_version_id)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})",
    "outbox": "INSERT INTO outbox (order_id, email, to_addr, from_addr, subject, body_text,"
    " body_html, message_id, status, attempts, created_at, next_attempt_at)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})",
}


def _message_id() -> str:
    """A Message-ID made as orderwf makes one (`store.repo.message_id`)."""
    return f"<{int(time.time() * 100)}.{os.getpid()}.{os.urandom(12).hex()}@orderwf.local>"


def _resume_collector() -> None:
    """Start-up is over: freeze what it loaded, resume collection (`cli.app.resume_collector`,
    which `long_running` calls in `run_orderwf`)."""
    gc.freeze()
    gc.enable()


@contextmanager
def _batch() -> Iterator[None]:
    """The collector paused for one batch, as orderwf's bulk loop pauses it
    (`orderwf.collector.collector_paused`)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _version_row(conn: Any, p: str, now: datetime | str) -> int:
    """The run's workflow version row, inserted in its first batch as orderwf's is
    (`repo.workflow_version`), whose id each history row names (a foreign key SQLite and
    PostgreSQL check at each insert). Its text is empty: one row a run."""
    row = conn.execute(
        f"INSERT INTO workflow_versions (name, hash, text, first_used)"
        f" VALUES ({p}, {p}, {p}, {p}) RETURNING id",
        ("woocommerce", "floor", "", now),
    ).fetchone()
    return int(row[0])


def run_floor_sqlite(path: str, email: str) -> tuple[int, float]:
    gc.disable()
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")  # connecting: orderwf's engine sets these too
    conn.execute("PRAGMA foreign_keys = ON")
    writes = {k: v.format(p="?") for k, v in _WRITES.items()}
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    _resume_collector()
    t0, c0 = time.perf_counter(), time.process_time()
    after, done = 0, 0
    version_id: int | None = None
    while True:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM orders WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?",
                (after, BATCH),
            )
        ]
        if not ids:
            CPU.append(time.process_time() - c0)
            return done, time.perf_counter() - t0
        with _batch():
            conn.execute("BEGIN IMMEDIATE")
            if version_id is None:
                version_id = _version_row(conn, "?", now)
            if email == "1":
                rows = _rows_rendered(conn, ids, now, json_text=True, version_id=version_id)
            else:
                batch = conn.execute(_select(ids, email)).fetchall()
                rows = _rows(batch, now, email, version_id)
            for table, sql in writes.items():
                if rows.get(table):
                    conn.executemany(sql, rows[table])
            conn.execute("COMMIT")
        done += len(ids)
        after = ids[-1]


# `floor-pg-fast`: the same rows written the way orderwf's bulk batch now writes them on
# PostgreSQL, so that neither side is measured against a slower technique: the new rows by
# COPY in its binary format, each table's updates as one `UPDATE … FROM unnest(arrays)`
# whose arrays go as their text.
_UNNEST = {
    "orders": "UPDATE orders SET status = v.a, stock_reduced = v.b, version = v.c,"
    " status_changed_at = v.e, date_paid = v.f, date_completed = v.g, date_modified = v.h"
    " FROM unnest(%s::varchar[], %s::boolean[], %s::int[], %s::timestamp[],"
    " %s::timestamp[], %s::timestamp[], %s::timestamp[], %s::int[], %s::int[])"
    " AS v(a, b, c, e, f, g, h, id, version)"
    " WHERE orders.id = v.id AND orders.version = v.version",
    "lines": "UPDATE line_item SET reduced_stock = v.c"
    " FROM unnest(%s::int[], %s::int[]) AS v(c, id) WHERE line_item.id = v.id",
    "products": "UPDATE product SET stock_quantity = stock_quantity + v.d"
    " FROM unnest(%s::int[], %s::int[]) AS v(d, id) WHERE product.id = v.id",
}
# In COPY's binary format, as orderwf's batch sends them (`driver._binary_types`): each
# table's statement and its columns' types (a JSON column's text sent as text).
_COPY = {
    "notes": (
        "COPY order_note (order_id, note, customer_note, author, created_at)"
        " FROM STDIN (FORMAT BINARY)",
        ("int4", "text", "bool", "text", "timestamp"),
    ),
    "history": (
        "COPY history (order_id, at, actor, action, params, from_status, to_status,"
        " idempotency_key, request_hash, effects, workflow_version_id) FROM STDIN"
        " (FORMAT BINARY)",
        ("int4", "timestamp", "text", "text", "text", "text", "text", "text", "text", "text",
         "int4"),
    ),
    "outbox": (
        "COPY outbox (order_id, email, to_addr, from_addr, subject, body_text, body_html,"
        " message_id, status, attempts, created_at, next_attempt_at) FROM STDIN (FORMAT BINARY)",
        ("int4", "text", "text", "text", "text", "text", "text", "text", "text", "int4",
         "timestamp", "timestamp"),
    ),
}  # fmt: skip


def _array(values: tuple[Any, ...]) -> str:
    """One column's values as PostgreSQL's array text (the floor's values: numbers, booleans,
    text, times, None)."""

    def element(v: Any) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "t" if v else "f"
        if isinstance(v, int):
            return str(v)
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(map(element, values)) + "}"


def _write_fast(conn: Any, rows: dict[str, list[Any]]) -> None:
    with conn.cursor() as cur:
        for table, (sql, types) in _COPY.items():
            if rows.get(table):
                with cur.copy(sql) as copy:
                    copy.set_types(types)
                    for row in rows[table]:
                        copy.write_row(row)
        with conn.pipeline():
            for table, sql in _UNNEST.items():
                if rows.get(table):
                    cur.execute(sql, [_array(column) for column in zip(*rows[table], strict=True)])


def run_floor_pg(url: str, email: str, fast: bool = False) -> tuple[int, float]:
    gc.disable()
    import psycopg
    from psycopg.types.json import set_json_loads

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
    set_json_loads(orjson.loads, conn)  # JSON as orderwf reads it: orjson
    writes = {k: v.format(p="%s") for k, v in _WRITES.items()}
    now = datetime.now(UTC).replace(tzinfo=None)
    _resume_collector()
    t0, c0 = time.perf_counter(), time.process_time()
    after, done = 0, 0
    version_id: int | None = None
    while True:
        with conn.transaction():
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM orders WHERE status = 'pending' AND id > %s ORDER BY id"
                    " LIMIT %s",
                    (after, BATCH),
                )
            ]
            if not ids:
                CPU.append(time.process_time() - c0)
                return done, time.perf_counter() - t0
            with _batch():
                conn.execute(
                    "SELECT id FROM orders WHERE id = ANY(%s) ORDER BY id FOR UPDATE", (ids,)
                ).fetchall()
                if version_id is None:
                    version_id = _version_row(conn, "%s", now)
                if email == "1":
                    rows = _rows_rendered(conn, ids, now, json_text=False, version_id=version_id)
                else:
                    batch = conn.execute(_select(ids, email)).fetchall()
                    rows = _rows(batch, now, email, version_id)
                rows["orders"] = [(*r[:1], True, *r[2:]) for r in rows["orders"]]
                rows["notes"] = [(r[0], r[1], False, *r[3:]) for r in rows["notes"]]
                if fast:
                    _write_fast(conn, rows)
                else:
                    with conn.cursor() as cur:
                        for table, sql in writes.items():
                            if rows.get(table):
                                cur.executemany(sql, rows[table])
        done += len(ids)
        after = ids[-1]


def peak_rss_mb() -> float:
    """This process's peak resident set size. VmHWM belongs to the memory of the running
    program; ru_maxrss would not do: Linux carries the parent's high-water mark over the
    fork and exec into the child, so a child of a big parent reports at least the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _email_kind(extra: str) -> str:
    if extra not in EMAILS:
        raise SystemExit(f"EMAIL is one of {', '.join(EMAILS)}, not {extra!r}")
    return extra


def main(argv: list[str]) -> int:
    kind, target, extra = argv
    if kind == "orderwf":
        n, seconds = run_orderwf(target, extra)
    elif kind == "floor-sqlite":
        n, seconds = run_floor_sqlite(target, _email_kind(extra))
    elif kind in ("floor-pg", "floor-pg-fast"):
        n, seconds = run_floor_pg(target, _email_kind(extra), fast=kind == "floor-pg-fast")
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    maxrss = peak_rss_mb()
    cpu = CPU[0] if CPU else seconds
    print(
        json.dumps(
            {
                "orders": n,
                "seconds": seconds,
                "rate": n / seconds,
                "cpu_seconds": cpu,
                "cpu_rate": n / cpu if cpu else 0.0,
                "maxrss_mb": maxrss,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
