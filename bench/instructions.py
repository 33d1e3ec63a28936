"""Instructions per order of one SQLite bulk apply (`bulk_child.py`), counted by Valgrind's
callgrind, for one or more source trees and for the floor: a figure that does not move with
the machine's load, for changes of a few per cent that CPU time, on a shared machine whose
speed drifts by ±30 % between runs, cannot tell apart (docs/performance.md).

    python bench/instructions.py [--tree SRC …] [--floor] [--workflow "no email"|"1 email"]
        [--orders 10000] [--pg URL]

`--pg URL` counts the same run on PostgreSQL (each a fresh database copied from the n-order
template `bench/bulk.py` keeps on that server; the floor is then `floor-pg`): the client's
instructions only (Python, psycopg, libpq), which is what issue 15's PostgreSQL figure, the
client's CPU, is about; the server's work is not counted.

Each tree (its `src` first on `PYTHONPATH`; default: this checkout's) runs twice on a fresh
copy of the n-order database: once as it is, and once with its pending orders moved out of
`pending` (start-up, loading the workflow and finding no order: what the run costs besides
the orders). The difference, divided by the orders applied, is the figure. Valgrind runs a
process about 40 times slower: a 10,000-order run takes about a minute. Instructions are not
CPU time (a cache miss costs more than an add): CPU time in interleaved runs stays the
figure of record; this one says which way a small change goes, and by how much.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_db  # noqa: E402
from bulk import pg_copy, pg_template, warm_cache, workflows  # noqa: E402
from common import OUT, ROOT, env  # noqa: E402

CHILD = str(ROOT / "bench" / "bulk_child.py")


def collected(args: list[str], tree: str | None) -> int:
    """Instructions callgrind counted for `bulk_child.py args`, with `tree` on PYTHONPATH."""
    environ = env(tree)
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, CHILD, *args],
        cwd=ROOT, env=environ, capture_output=True, text=True, check=False,
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"callgrind of {args} failed: {proc.stderr[-2000:]}")
    return int(found.group(1))


Sql = Callable[[str, str], int]  # runs a statement on a database, committed: its count or 0

_PENDING = "SELECT count(*) FROM orders WHERE status = 'pending'"
_HOLD = "UPDATE orders SET status = 'on-hold' WHERE status = 'pending'"  # none left to apply


def per_order(
    kind: str, extra: str, tree: str | None, fresh: Callable[[], str], sql: Sql
) -> tuple[float, int]:
    """(instructions an order, orders applied) for `kind` (`orderwf`, `floor-sqlite`,
    `floor-pg`): a run on a `fresh()` database less a run on one whose pending orders were
    moved out first."""
    target = fresh()
    pending = sql(target, _PENDING)
    total = collected([kind, target, extra], tree)
    target = fresh()
    sql(target, _HOLD)
    return (total - collected([kind, target, extra], tree)) / pending, pending


def on_sqlite(n: int, kind: str) -> tuple[Callable[[], str], Sql]:
    """A fresh copy of the n-order SQLite database (a URL for orderwf, a path for the floor)."""

    def fresh() -> str:
        db = make_db.copy_sqlite(n, OUT / "instructions.db")
        return f"sqlite:///{db}" if kind == "orderwf" else str(db)

    def sql(target: str, statement: str) -> int:
        with closing(sqlite3.connect(target.removeprefix("sqlite:///"))) as conn, conn:
            row = conn.execute(statement).fetchone()
        return int(row[0]) if row else 0

    return fresh, sql


def on_postgres(n: int, url: str) -> tuple[Callable[[], str], Sql]:
    """A fresh copy of the n-order PostgreSQL template `bench/bulk.py` keeps on `url`."""
    import psycopg

    template = pg_template(url, n)

    def sql(target: str, statement: str) -> int:
        with psycopg.connect(make_db.pg_dsn(target)) as conn:  # committed at the end
            cursor = conn.execute(statement)
            row = cursor.fetchone() if cursor.description else None
        return int(row[0]) if row else 0

    return lambda: pg_copy(url, template, "bench_instructions"), sql


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", action="append", help="a source tree's src (repeatable)")
    parser.add_argument("--floor", action="store_true", help="count the raw sqlite3 floor too")
    parser.add_argument("--workflow", default="no email", choices=["no email", "1 email"])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--pg", help="a PostgreSQL server's URL: count the runs there")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    wf = workflows()[args.workflow]
    warm_cache({args.workflow: wf})
    results = {}
    email = "1" if args.workflow == "1 email" else "0"

    def count(kind: str, extra: str, tree: str | None) -> tuple[float, int]:
        if args.pg:
            kind = kind.replace("sqlite", "pg")
            return per_order(kind, extra, tree, *on_postgres(args.orders, args.pg))
        return per_order(kind, extra, tree, *on_sqlite(args.orders, kind))

    for tree in args.tree or [str(ROOT / "src")]:
        results[tree] = count("orderwf", str(wf), tree)
        print(f"{tree}: {results[tree][0]:,.0f} instructions an order ({results[tree][1]:,})")
    if args.floor:
        results["floor"] = count("floor-sqlite", email, None)
        print(f"floor: {results['floor'][0]:,.0f} instructions an order")
    first = next(iter(results.values()))[0]
    for name, (count, _) in results.items():
        print(f"{name}: {count / first:.3f} × the first")
    print(json.dumps({name: round(count) for name, (count, _) in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
