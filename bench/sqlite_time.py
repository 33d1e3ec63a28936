"""Where SQLite's own time goes in one bulk apply, orderwf's against the floor's: the CPU time
of each statement's `execute`/`executemany`, of `fetchall` and of `COMMIT`, in µs an order.
What is left of each side's total is its Python.

    python bench/sqlite_time.py [--workflow "no email"|"1 email"] [--orders 10000]

Each side runs in a process of its own (`bulk_child.run_orderwf`,
`bulk_child.run_floor_sqlite`, each on a fresh copy of the n-order database, as `bulk.py` runs
them) on sqlite3 connections of a subclass whose methods time the C call they wrap (one Python
call a statement, not a row: a few µs a batch). The floor's `execute` returns a plain cursor,
so its select's rows are fetched untimed (in its Python). CPU time on a shared machine drifts
between runs: compare the two sides' shares of their own totals, and the statements' times
with each other within a run.
"""

from __future__ import annotations

import argparse
import collections
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bulk_child  # noqa: E402
import make_db  # noqa: E402
from bulk import warm_cache, workflows  # noqa: E402
from common import OUT, env  # noqa: E402

SIDES = ("floor", "orderwf")

SPENT: collections.Counter[str] = collections.Counter()


def _timed(key: str, call: Callable[..., Any], *args: Any) -> Any:
    start = time.process_time()
    try:
        return call(*args)
    finally:
        SPENT[key] += time.process_time() - start


def _label(sql: str) -> str:
    words = sql.split()
    if words[0] in ("UPDATE", "INSERT"):
        return " ".join(words[:3])
    table = sql.split(" FROM ", 1)[1].split()[0] if " FROM " in sql else ""
    return f"{words[0]} {table}".strip()


class _Cursor(sqlite3.Cursor):
    def execute(self, sql: str, *args: Any) -> Any:
        return _timed(_label(sql), super().execute, sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return _timed(_label(sql), super().executemany, sql, *args)

    def fetchall(self) -> list[Any]:
        return _timed("fetchall", super().fetchall)  # type: ignore[no-any-return]


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    def execute(self, sql: str, *args: Any) -> Any:
        return _timed(_label(sql), super().execute, sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        return _timed(_label(sql), super().executemany, sql, *args)

    def commit(self) -> None:
        _timed("COMMIT", super().commit)


def _instrument() -> None:
    """Every sqlite3 connection made from now on times its statements (SQLAlchemy's pysqlite
    dialect connects through `sqlite3.dbapi2.connect`)."""
    connect = sqlite3.connect

    def timed_connect(*args: Any, **kwargs: Any) -> Any:
        kwargs["factory"] = _Connection
        return connect(*args, **kwargs)

    sqlite3.connect = sqlite3.dbapi2.connect = timed_connect  # type: ignore[assignment]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflow", default="no email", choices=["no email", "1 email"])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)  # one child's side
    args = parser.parse_args(argv)
    wf = workflows()[args.workflow]
    if args.side is None:  # each side in a process of its own, as `bulk.py` runs them
        warm_cache({args.workflow: wf})
        for side in SIDES:
            subprocess.run([sys.executable, __file__, *argv, "--side", side], env=env(), check=True)
        return 0
    _instrument()
    db = make_db.copy_sqlite(args.orders, OUT / f"sqlite-time-{args.side}.db")
    if args.side == "floor":
        n, _ = bulk_child.run_floor_sqlite(str(db), "1" if args.workflow == "1 email" else "0")
    else:
        n, _ = bulk_child.run_orderwf(f"sqlite:///{db}", str(wf))
    total, sql = bulk_child.CPU[0], sum(SPENT.values())
    print(f"{args.side}: {total / n * 1e6:.1f} µs CPU an order, of which SQLite "
          f"{sql / n * 1e6:.1f} and Python {(total - sql) / n * 1e6:.1f}")  # fmt: skip
    for key, spent in SPENT.most_common():
        if spent / n >= 5e-8:
            print(f"  {spent / n * 1e6:6.1f}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
