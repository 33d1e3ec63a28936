"""Build benchmark databases of N orders fast, and cache them under `bench/out/`.

The schema comes from orderwf itself (`orderwf.store.db.upgrade`, the Alembic migrations); the
rows are written with raw driver calls (sqlite3 `executemany`, psycopg `COPY`), which is what
makes 1,000,000 orders take about a minute instead of an hour through the ORM.

Each order is under workflow 'woocommerce' with the sha256 of `workflows/woocommerce.yaml`,
has realistic WooCommerce billing/shipping JSON, 1–3 product lines of stock-managed products and
a shipping line. 70 % are `pending` (nothing reduced), 30 % `processing` (stock reduced).

    python bench/make_db.py 100000                 # -> bench/out/orders-100000.db (cached)
    python bench/make_db.py 10000 --pg URL         # also into that (empty) PostgreSQL database
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
WORKFLOW = ROOT / "workflows" / "woocommerce.yaml"
N_PRODUCTS = 200
INITIAL_STOCK = 10_000_000
PENDING_SHARE = 0.7
SEED = 20261126
CHUNK = 20_000

FIRST = ["John", "Jane", "Marie", "Luc", "Ana", "Wei", "Olu", "Sara", "Tom", "Inès", "Raj", "Eva"]
LAST = ["Doe", "Martin", "Dubois", "Smith", "Garcia", "Chen", "Okafor", "Rossi", "Müller", "Khan"]
CITIES = [("Paris", "75001", "FR"), ("Lyon", "69002", "FR"), ("Berlin", "10115", "DE")]
CITIES += [("Madrid", "28013", "ES"), ("San Francisco", "94103", "US"), ("Milano", "20121", "IT")]

ORDER_COLUMNS = [
    "id",
    "number",
    "order_key",
    "status",
    "workflow",
    "workflow_hash",
    "currency",
    "total",
    "prices_include_tax",
    "customer_id",
    "customer_name",
    "customer_email",
    "billing",
    "shipping",
    "customer_note",
    "created_via",
    "payment_method",
    "payment_method_title",
    "transaction_id",
    "date_created",
    "date_modified",
    "date_paid",
    "date_completed",
    "status_changed_at",
    "stock_reduced",
    "version",
    "meta",
]
LINE_COLUMNS = [
    "id",
    "order_id",
    "kind",
    "position",
    "name",
    "product_id",
    "variation_id",
    "sku",
    "method_id",
    "quantity",
    "price",
    "subtotal",
    "total",
    "total_tax",
    "quantity_refunded",
    "total_refunded",
    "reduced_stock",
    "refunded_kept",
    "refunded_restocked",
    "meta",
]
PRODUCT_COLUMNS = [
    "id",
    "sku",
    "name",
    "price",
    "manage_stock",
    "stock_quantity",
    "virtual",
    "downloadable",
]


def workflow_hash() -> str:
    return hashlib.sha256(WORKFLOW.read_bytes()).hexdigest()


def sqlite_path(n: int) -> Path:
    return OUT / f"orders-{n}.db"


def _ts(d: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME text (naive UTC)."""
    return d.strftime("%Y-%m-%d %H:%M:%S.%f")


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def products() -> list[tuple[object, ...]]:
    rng = random.Random(SEED)
    rows = []
    for pid in range(1, N_PRODUCTS + 1):
        price = rng.randrange(300, 9000)
        rows.append((pid, f"SKU{pid:04d}", f"Product {pid}", _money(price), 1, INITIAL_STOCK, 0, 0))
    return rows


def _price_cents(pid: int) -> int:
    return random.Random(SEED * 7 + pid).randrange(300, 9000)


Rows = list[tuple[object, ...]]


def orders(n: int, digest: str) -> Iterator[tuple[Rows, Rows]]:
    """(order rows, line rows) in chunks; values already in the form the DB stores."""
    rng = random.Random(SEED)
    prices = {pid: _price_cents(pid) for pid in range(1, N_PRODUCTS + 1)}
    start = datetime(2026, 1, 1, tzinfo=UTC)
    line_id = 0
    order_rows: list[tuple[object, ...]] = []
    line_rows: list[tuple[object, ...]] = []
    for oid in range(1, n + 1):
        pending = rng.random() < PENDING_SHARE
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, postcode, country = rng.choice(CITIES)
        email = f"{first.lower()}.{last.lower()}{oid}@example.com"
        address = {
            "first_name": first,
            "last_name": last,
            "company": "",
            "address_1": f"{rng.randrange(1, 200)} Main Street",
            "address_2": "",
            "city": city,
            "state": "",
            "postcode": postcode,
            "country": country,
        }
        billing = json.dumps({**address, "email": email, "phone": "(555) 555-5555"})
        shipping = json.dumps(address)
        created = start + timedelta(seconds=oid * 30)
        total = 0
        for position in range(rng.randint(1, 3)):
            line_id += 1
            pid = rng.randrange(1, N_PRODUCTS + 1)
            qty = rng.randint(1, 3)
            net = prices[pid] * qty
            tax = net * 20 // 100
            total += net + tax
            line_rows.append(
                (line_id, oid, "line_item", position, f"Product {pid}", pid, None,
                 f"SKU{pid:04d}", "", qty, _money(prices[pid]), _money(net), _money(net),
                 _money(tax), 0, "0.00", 0 if pending else qty, 0, 0, "{}")
            )  # fmt: skip
        line_id += 1
        line_rows.append(
            (line_id, oid, "shipping", 99, "Flat rate", None, None, "", "flat_rate", 1, "0.00",
             "10.00", "10.00", "0.00", 0, "0.00", 0, 0, 0, "{}")
        )  # fmt: skip
        total += 1000
        status = "pending" if pending else "processing"
        paid = None if pending else _ts(created + timedelta(minutes=5))
        order_rows.append(
            (oid, str(oid), f"wc_order_{oid:012x}", status, "woocommerce", digest, "EUR",
             _money(total), 0, oid % 5000, f"{first} {last}", email, billing, shipping, "",
             "checkout", "bacs", "Direct bank transfer", "", _ts(created), _ts(created), paid,
             None, paid or _ts(created), 0 if pending else 1, 1, "{}")
        )  # fmt: skip
        if len(order_rows) >= CHUNK:
            yield order_rows, line_rows
            order_rows, line_rows = [], []
    if order_rows:
        yield order_rows, line_rows


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def build_sqlite(n: int, *, force: bool = False) -> Path:
    """`bench/out/orders-N.db`, built once (delete it, or pass force, to rebuild)."""
    path = sqlite_path(n)
    if path.exists() and not force:
        return path
    from orderwf.store import db

    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.db")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    db.upgrade(f"sqlite:///{tmp}")
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    conn.executemany(_insert_sql("product", PRODUCT_COLUMNS), products())
    for order_rows, line_rows in orders(n, workflow_hash()):
        conn.executemany(_insert_sql("orders", ORDER_COLUMNS), order_rows)
        conn.executemany(_insert_sql("line_item", LINE_COLUMNS), line_rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("ANALYZE")
    conn.close()
    tmp.replace(path)
    return path


def copy_sqlite(n: int, dest: Path) -> Path:
    """A fresh copy of the cached database (benchmarks that write work on copies)."""
    src = build_sqlite(n)
    for suffix in ("-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(src, dest)
    return dest


def _copy_text(rows: list[tuple[object, ...]]) -> str:
    """Rows in COPY text format (tab-separated, \\N for NULL, booleans as t/f)."""
    out = io.StringIO()
    for row in rows:
        fields = []
        for v in row:
            if v is None:
                fields.append("\\N")
            else:
                s = str(v)
                fields.append(s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n"))
        out.write("\t".join(fields))
        out.write("\n")
    return out.getvalue()


_PG_BOOLS = {
    "orders": {"prices_include_tax", "stock_reduced"},
    "product": {"manage_stock", "virtual", "downloadable"},
}


def _pg_rows(table: str, columns: list[str], rows: Rows) -> Rows:
    bools = [i for i, c in enumerate(columns) if c in _PG_BOOLS.get(table, ())]
    if not bools:
        return rows
    out = []
    for row in rows:
        r = list(row)
        for i in bools:
            r[i] = "t" if r[i] else "f"
        out.append(tuple(r))
    return out


def pg_dsn(url: str) -> str:
    """A libpq DSN from a SQLAlchemy URL (`postgresql+psycopg://…`)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def build_pg(n: int, url: str) -> None:
    """Fill the (empty) PostgreSQL database at `url` with N orders, through COPY."""
    import psycopg

    from orderwf.store import db

    db.upgrade(url)
    with psycopg.connect(pg_dsn(url)) as conn:
        with conn.cursor() as cur:
            _pg_copy(cur, "product", PRODUCT_COLUMNS, products())
            for order_rows, line_rows in orders(n, workflow_hash()):
                _pg_copy(cur, "orders", ORDER_COLUMNS, order_rows)
                _pg_copy(cur, "line_item", LINE_COLUMNS, line_rows)
            for table in ("product", "orders", "line_item"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")


def _pg_copy(cur: object, table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        copy.write(_copy_text(_pg_rows(table, columns, rows)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of orders, e.g. 10000 100000")
    parser.add_argument("--force", action="store_true", help="rebuild even if cached")
    parser.add_argument("--pg", metavar="URL", help="also load into this empty PostgreSQL database")
    args = parser.parse_args(argv)
    for n in args.sizes:
        t0 = time.perf_counter()
        path = build_sqlite(n, force=args.force)
        print(f"{path} ready ({time.perf_counter() - t0:.1f} s)")
        if args.pg:
            t0 = time.perf_counter()
            build_pg(n, args.pg)
            print(f"{args.pg} loaded with {n} orders ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
