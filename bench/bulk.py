"""Bulk apply (`apply --status pending process`) against the raw floor, on SQLite and
PostgreSQL; peak memory; 2 and 8 concurrent operators on PostgreSQL against a raw psycopg
floor. Prints tables.

    python bench/bulk.py [--sizes 10000,100000] [--email-sizes 10000]
                         [--memory-sizes 100000,1000000] [--pg-sizes 10000] [--pg URL]
                         [--concurrency-seconds 5] [--only sqlite,memory,pg,concurrency]
                         [--repeat 5]

Every run works on a fresh copy of a cached database (`make_db.py`): SQLite files are copied,
PostgreSQL databases are created from a template database. Each run is a child process
(`bulk_child.py`), timed around the bulk work only (imports and connecting excluded), which
reports its own peak RSS (VmHWM). "cpu" rates divide by the child's own CPU time, which on a
busy shared machine is steadier than wall time (SQLite runs in-process, so that is all of its
work; for PostgreSQL the server's CPU is not counted: the "client cpu" share compares the two
clients' own work, the wall share includes the server's).

`--repeat N` runs each bulk comparison N times, orderwf and the floor back to back: rates are
the medians, and the share the median of the N pairs' shares (each pair ran under the same
load; PostgreSQL's server shares the CPUs, so its single runs move a lot).

With one email, the floor writes the email by hand (`floor_email`), the same bytes as
orderwf's: after each pair of runs the two outboxes are compared (recipient, subject, both
parts, order by order), and a difference stops the bench. `--email-floor fixed` runs the
floor of the sessions before 2026-12-07 instead (a fixed body of the same size: nothing
rendered, nothing read for it).

PostgreSQL has two floors: `floor-pg`, one `executemany` a table (issue 15's), and
`floor-pg-fast`, the same rows by binary COPY and `UPDATE … FROM unnest(arrays)` as
orderwf's bulk batch writes them, so that orderwf is also compared with a floor using its own
techniques.

Without `--pg`, a throwaway cluster is started with `.ci/postgres.sh` and stopped at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_db  # noqa: E402
from common import OUT, ROOT, default_emails, env, table, workflow_copy  # noqa: E402

CHILD = str(ROOT / "bench" / "bulk_child.py")
ORDERWF_DB, FLOOR_DB = OUT / "bulk-orderwf.db", OUT / "bulk-floor.db"
CONCURRENT = str(ROOT / "bench" / "concurrent_child.py")
TARGETS = {
    # Issue 15: the CPU share of the floor (client CPU on PostgreSQL), by emails sent.
    ("sqlite", "no email"): 0.5,
    ("sqlite", "1 email"): 0.4,
    ("pg", "no email"): 0.8,
    ("pg", "1 email"): 0.5,
    "concurrent_rate": 1_000,
    "memory_growth": 1.2,
}


def workflows() -> dict[str, Path]:
    emails = default_emails()
    return {
        "no email": workflow_copy("noemail", {}),
        "1 email": workflow_copy(
            "oneemail", {"customer_processing_order": emails["customer_processing_order"]}
        ),
    }


def child(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, CHILD, *args], cwd=ROOT, env=env(), capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bulk_child {' '.join(args)} failed: {proc.stderr.strip()[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def warm_cache(wfs: dict[str, Path]) -> None:
    """Validate the workflow copies once, so no timed run pays for it."""
    for path in wfs.values():
        subprocess.run(
            [sys.executable, "-m", "orderwf", "validate", str(path)],
            cwd=ROOT,
            env=env(),
            check=True,
            capture_output=True,
        )


# -- SQLite -----------------------------------------------------------------------------------


def sqlite_child(kind: str, n: int, extra: str) -> dict[str, Any]:
    """One bulk child on a fresh copy of the n-order SQLite database."""
    if kind == "orderwf":
        return child(kind, f"sqlite:///{make_db.copy_sqlite(n, ORDERWF_DB)}", extra)
    return child(kind, str(make_db.copy_sqlite(n, FLOOR_DB)), extra)


def pg_child(kind: str, url: str, template: str, extra: str) -> dict[str, Any]:
    """One bulk child on a fresh PostgreSQL database made from `template` (one database for
    orderwf, one for the floors: the last run of each is kept, for `same_outbox`)."""
    return child(kind, pg_copy(url, template, _pg_run_db(kind)), extra)


def _pg_run_db(kind: str) -> str:
    return "bench_run_orderwf" if kind == "orderwf" else "bench_run_floor"


_FIELDS = ("order_id", "to_addr", "subject", "body_text", "body_html")
_OUTBOX = f"SELECT {', '.join(_FIELDS)} FROM outbox ORDER BY order_id"


def same_outbox(orderwf: Any, floor: Any) -> None:
    """Stop unless the two connections' outboxes hold the same emails, order by order: the
    floor's hand-written emails are orderwf's bytes. Read a thousand rows at a time (100k
    orders' emails are ~750 MB a side)."""
    count = 0
    for a, b in itertools.zip_longest(_outbox(orderwf), _outbox(floor)):
        if a is None or b is None:
            side = "orderwf" if b is None else "the floor"
            raise SystemExit(f"outboxes differ: {side} queued more than {count} emails")
        if a != b:
            field = next(name for name, x, y in zip(_FIELDS, a, b, strict=True) if x != y)
            raise SystemExit(f"order {a[0]}: the floor's {field} differs from orderwf's")
        count += 1
    if not count:
        raise SystemExit("no email queued on either side")


def _outbox(conn: Any) -> Iterator[tuple[Any, ...]]:
    # psycopg's cursor reads every row at once unless it is named (a server-side cursor).
    cursor = conn.cursor(name="outbox") if hasattr(conn, "pgconn") else conn.cursor()
    cursor.execute(_OUTBOX)
    while rows := cursor.fetchmany(1000):
        yield from rows
    cursor.close()


def paired(
    repeat: int, orderwf: Callable[[], dict[str, Any]], floor: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], ...]:
    """Run orderwf and the floor back to back `repeat` times: each side's median rates, and the
    median of the pairs' shares (each pair ran under the same load)."""
    runs = [(orderwf(), floor()) for _ in range(repeat)]

    def med(side: int, key: str) -> float:
        return statistics.median(r[side][key] for r in runs)

    owf = {**runs[0][0], "rate": med(0, "rate"), "cpu_rate": med(0, "cpu_rate")}
    owf["maxrss_mb"] = max(r[0]["maxrss_mb"] for r in runs)
    base = {**runs[0][1], "rate": med(1, "rate"), "cpu_rate": med(1, "cpu_rate")}
    share = {
        "wall": statistics.median(o["rate"] / f["rate"] for o, f in runs),
        "cpu": statistics.median(o["cpu_rate"] / f["cpu_rate"] for o, f in runs),
        "range": (
            min(o["rate"] / f["rate"] for o, f in runs),
            max(o["rate"] / f["rate"] for o, f in runs),
        ),
    }
    return owf, base, share


def sqlite_runs(
    sizes: list[int],
    email_sizes: list[int],
    wfs: dict[str, Path],
    repeat: int = 1,
    email_floor: str = "1",
) -> list[list[str]]:
    rows = []
    for n in sizes:
        for variant, wf in wfs.items():
            if variant != "no email" and n not in email_sizes:
                continue
            email = email_floor if variant != "no email" else "0"
            owf, floor, share = paired(
                repeat,
                partial(sqlite_child, "orderwf", n, str(wf)),
                partial(sqlite_child, "floor-sqlite", n, email),
            )
            if email == "1":
                with (
                    closing(sqlite3.connect(ORDERWF_DB)) as a,
                    closing(sqlite3.connect(FLOOR_DB)) as b,
                ):
                    same_outbox(a, b)
            rows.append(
                [
                    f"{n:,}",
                    variant,
                    f"{owf['orders']:,}",
                    f"{owf['rate']:,.0f}",
                    f"{floor['rate']:,.0f}",
                    f"{share['wall']:.2f}",
                    f"{owf['cpu_rate']:,.0f}",
                    f"{floor['cpu_rate']:,.0f}",
                    f"{share['cpu']:.2f}",
                    f"CPU share ≥ {TARGETS[('sqlite', variant)]}",
                    f"{owf['maxrss_mb']:.0f}",
                ]
            )
            print(f"  sqlite {n:,} {variant}: {owf} vs floor {floor}", file=sys.stderr)
    return rows


SQLITE_HEAD = [
    "orders in db",
    "emails",
    "applied",
    "orderwf /s",
    "floor /s",
    "share",
    "orderwf /cpu-s",
    "floor /cpu-s",
    "share",
    "target",
    "peak RSS MB",
]


def memory_runs(sizes: list[int], wfs: dict[str, Path]) -> list[list[str]]:
    rows = []
    base = None
    for n in sizes:
        db = make_db.copy_sqlite(n, OUT / "bulk-memory.db")
        owf = child("orderwf", f"sqlite:///{db}", str(wfs["no email"]))
        db.unlink()
        base = base or owf["maxrss_mb"]
        rows.append(
            [
                f"{n:,}",
                f"{owf['orders']:,}",
                f"{owf['maxrss_mb']:.1f}",
                f"{owf['maxrss_mb'] / base:.2f}",
                f"{owf['rate']:,.0f}",
            ]
        )
        print(f"  memory {n:,}: {owf}", file=sys.stderr)
    return rows


# -- PostgreSQL -------------------------------------------------------------------------------


@contextmanager
def postgres(url: str | None) -> Iterator[str]:
    """The given server, else a throwaway cluster from `.ci/postgres.sh`."""
    if url:
        yield url
        return
    out = subprocess.run(
        [str(ROOT / ".ci" / "postgres.sh"), "start"], check=True, capture_output=True, text=True
    ).stdout
    values = dict(
        line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line
    )
    try:
        yield values["ORDERWF_TEST_PG_URL"]
    finally:
        subprocess.run(
            [str(ROOT / ".ci" / "postgres.sh"), "stop", values["PGDATA_DIR"]],
            check=False,
            capture_output=True,
        )


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(make_db.pg_dsn(url), autocommit=True)


def _connect(url: str, name: str) -> Any:
    import psycopg

    return psycopg.connect(make_db.pg_dsn(_with_db(url, name)))


def _with_db(url: str, name: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


def pg_template(url: str, n: int) -> str:
    """A database `bench_base_N` holding N orders, built once per server."""
    name = f"bench_base_{n}"
    with _admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            try:
                make_db.build_pg(n, _with_db(url, name))
            except BaseException:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                raise
    return name


def pg_copy(url: str, template: str, name: str) -> str:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return _with_db(url, name)


def pg_runs(
    url: str, sizes: list[int], wfs: dict[str, Path], repeat: int = 1, email_floor: str = "1"
) -> list[list[str]]:
    rows = []
    for n in sizes:
        template = pg_template(url, n)
        for variant, wf in wfs.items():
            email = email_floor if variant != "no email" else "0"
            owf, floor, share = paired(
                repeat,
                partial(pg_child, "orderwf", url, template, str(wf)),
                partial(pg_child, "floor-pg", url, template, email),
            )
            if email == "1":
                with (
                    _connect(url, _pg_run_db("orderwf")) as a,
                    _connect(url, _pg_run_db("floor")) as b,
                ):
                    same_outbox(a, b)
            # The same rows by COPY and arrays, as orderwf writes them: no slower technique
            # on the floor's side.
            _, fast, fast_share = paired(
                repeat,
                partial(pg_child, "orderwf", url, template, str(wf)),
                partial(pg_child, "floor-pg-fast", url, template, email),
            )
            low, high = share["range"]
            rows.append(
                [
                    f"{n:,}",
                    variant,
                    f"{owf['orders']:,}",
                    f"{owf['rate']:,.0f}",
                    f"{floor['rate']:,.0f}",
                    f"{share['wall']:.2f}" + (f" ({low:.2f}–{high:.2f})" if repeat > 1 else ""),
                    f"{owf['cpu_rate']:,.0f}",
                    f"{floor['cpu_rate']:,.0f}",
                    f"{share['cpu']:.2f}",
                    f"client CPU share ≥ {TARGETS[('pg', variant)]}",
                    f"{fast['cpu_rate']:,.0f}",
                    f"{fast_share['cpu']:.2f}",
                ]
            )
            print(f"  pg {n:,} {variant}: {owf} vs floor {floor}", file=sys.stderr)
    return rows


PG_HEAD = [
    "orders in db",
    "emails",
    "applied",
    "orderwf /s",
    "psycopg floor /s",
    "share (range)",
    "orderwf /client-cpu-s",
    "floor /client-cpu-s",
    "share (client cpu)",
    "target",
    "COPY+arrays floor /client-cpu-s",
    "share of it (client cpu)",
]


CONCURRENT_FLOOR = str(ROOT / "bench" / "concurrent_floor.py")


def operators(  # type: ignore[no-untyped-def]
    kind: str,
    db_url: str,
    wf: Path,
    pools: list[tuple[int, int]],
    seconds: float,
    src: Path | None = None,
):
    """Start one operator process per pool (first, last order id), warm, all at once; their
    JSON results. `src`: the orderwf source tree the children run (first on `PYTHONPATH`)."""
    environ = env(src)
    sync = Path(tempfile.mkdtemp(prefix="bench-sync-", dir=OUT))
    procs = []
    for seed, (first, last) in enumerate(pools, start=1):
        if kind == "orderwf":
            args = [CONCURRENT, db_url, str(wf), str(seed)]
        else:
            args = [CONCURRENT_FLOOR, db_url, str(seed)]
        args += [str(seconds), str(first), str(last), str(sync)]
        procs.append(
            subprocess.Popen(
                [sys.executable, *args],
                cwd=ROOT,
                env=environ,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
        )
    deadline = time.monotonic() + 120
    while len(list(sync.glob("ready-*"))) < len(procs) and time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            break
        time.sleep(0.01)
    (sync / "go").touch()
    results = []
    for p in procs:
        out, err = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"{kind} operator failed: {err.strip()[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    shutil.rmtree(sync, ignore_errors=True)
    return results


def concurrency_run(url: str, wfs: dict[str, Path], seconds: float) -> list[list[str]]:
    """2 and 8 operator processes cycling process → hold → reopen, on 50 shared orders or on
    50 orders each, orderwf (no-email workflow) and the raw psycopg floor
    (`concurrent_floor.py`: the same locked read and the same writes) back to back."""
    rows = []
    template = pg_template(url, 10_000)
    for procs in (2, 8):
        for sharing in ("shared", "distinct"):
            if sharing == "shared":
                pools = [(1, 50)] * procs
            else:
                pools = [(1 + 50 * i, 50 * (i + 1)) for i in range(procs)]
            rates = {}
            for kind in ("orderwf", "floor"):
                db_url = pg_copy(url, template, "bench_concurrent")
                before = _pg_snapshot(db_url, 1, 50 * procs)
                results = operators(kind, db_url, wfs["no email"], pools, seconds)
                applied = sum(r["applied"] for r in results)
                steps = sum(r["applied"] + r["refused"] + r["errors"] for r in results)
                elapsed = max(r["seconds"] for r in results)
                lost, history_rows, drift = _pg_check(db_url, 1, 50 * procs, before)
                rates[kind] = applied / elapsed
                print(f"  concurrency {procs} {sharing} {kind}: {results}", file=sys.stderr)
                rows.append(
                    [
                        f"{procs} {sharing}",
                        kind,
                        f"{applied:,}",
                        f"{sum(r['refused'] for r in results):,}",
                        f"{sum(r['errors'] for r in results):,}",
                        f"{applied / elapsed:,.0f}",
                        f"{1000 * sum(r['cpu'] for r in results) / steps:.2f}",
                        f"{sum(r['statements'] for r in results) / steps:.1f}",
                        f"{history_rows:,}",
                        str(lost),
                        str(drift),
                        f"{rates['orderwf'] / rates['floor']:.2f}" if kind == "floor" else "",
                    ]
                )
    return rows


CONCURRENCY_HEAD = [
    "processes, orders",
    "program",
    "applied",
    "refused (raced)",
    "errors",
    "transitions /s",
    "client CPU ms / step",
    "statements / step",
    "history rows",
    "lost updates",
    "stock drift",
    "orderwf / floor",
]


def _pg_snapshot(url: str, first: int, last: int) -> dict[int, int]:
    """Per product: stock level + units its orders hold reduced (constant under any apply)."""
    with _admin(url) as conn:
        return _stock_plus_reduced(conn)


def _stock_plus_reduced(conn: Any) -> dict[int, int]:
    reduced = dict(
        conn.execute(
            "SELECT product_id, sum(reduced_stock) FROM line_item"
            " WHERE kind = 'line_item' GROUP BY product_id"
        ).fetchall()
    )
    stock = conn.execute("SELECT id, stock_quantity FROM product").fetchall()
    return {pid: q + int(reduced.get(pid, 0)) for pid, q in stock}


def _pg_check(
    url: str, first: int, last: int, stock_before: dict[int, int]
) -> tuple[int, int, int]:
    """(lost updates, history rows, products whose stock drifted). An update is lost when an
    order's version does not count its history rows, or a history row does not start where the
    previous one ended (each apply read a status another apply had already changed)."""
    lost = 0
    with _admin(url) as conn:
        versions = dict(
            conn.execute(
                "SELECT id, version FROM orders WHERE id BETWEEN %s AND %s", (first, last)
            ).fetchall()
        )
        final = dict(
            conn.execute(
                "SELECT id, status FROM orders WHERE id BETWEEN %s AND %s", (first, last)
            ).fetchall()
        )
        history: dict[int, list[tuple[str, str]]] = {}
        for order_id, frm, to in conn.execute(
            "SELECT order_id, from_status, to_status FROM history ORDER BY id"
        ):
            history.setdefault(order_id, []).append((frm, to))
        rows = sum(len(h) for h in history.values())
        for order_id, version in versions.items():
            chain = history.get(order_id, [])
            broken = any(chain[i][0] != chain[i - 1][1] for i in range(1, len(chain)))
            ends_elsewhere = bool(chain) and chain[-1][1] != final[order_id]
            if version - 1 != len(chain) or broken or ends_elsewhere:
                lost += 1
        after = _stock_plus_reduced(conn)
        drift = sum(1 for pid, v in after.items() if v != stock_before.get(pid))
    return lost, rows, drift


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ints = lambda s: [int(x) for x in s.split(",") if x]  # noqa: E731
    parser.add_argument("--sizes", type=ints, default=[10_000, 100_000])
    parser.add_argument("--email-sizes", type=ints, default=[10_000])
    parser.add_argument("--memory-sizes", type=ints, default=[100_000, 1_000_000])
    parser.add_argument("--pg-sizes", type=ints, default=[10_000])
    parser.add_argument("--pg", metavar="URL", default=os.environ.get("ORDERWF_BENCH_PG_URL"))
    parser.add_argument("--concurrency-seconds", type=float, default=5.0)
    parser.add_argument("--only", default="sqlite,memory,pg,concurrency")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each bulk comparison N times, back to back; report medians",
    )
    parser.add_argument(
        "--email-floor",
        choices=("1", "fixed"),
        default="1",
        help="the floor's email: 1 written by hand, the same bytes as orderwf's (the default);"
        " fixed: a body of the same size, nothing rendered (the floor before 2026-12-07)",
    )
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    wfs = workflows()
    warm_cache(wfs)
    if "sqlite" in parts:
        rows = sqlite_runs(args.sizes, args.email_sizes, wfs, args.repeat, args.email_floor)
        print("SQLite bulk apply `process` from pending versus raw sqlite3 executemany")
        print(table(SQLITE_HEAD, rows), end="\n\n", flush=True)
    if "memory" in parts and args.memory_sizes:
        rows = memory_runs(args.memory_sizes, wfs)
        print("Peak memory of bulk apply (no email), SQLite")
        print(
            table(
                ["orders in db", "applied", "peak RSS MB", f"× {args.memory_sizes[0]:,}", "/s"],
                rows,
            ),
            end="\n\n",
            flush=True,
        )
    if parts & {"pg", "concurrency"}:
        with postgres(args.pg) as url:
            if "pg" in parts:
                rows = pg_runs(url, args.pg_sizes, wfs, args.repeat, args.email_floor)
                print("PostgreSQL bulk apply versus raw psycopg: by executemany (the issue's")
                print("floor), and by COPY and arrays (the techniques orderwf's batch uses)")
                print(table(PG_HEAD, rows), end="\n\n", flush=True)
            if "concurrency" in parts:
                rows = concurrency_run(url, wfs, args.concurrency_seconds)
                print("Concurrent operators on PostgreSQL (no-email workflow) versus the floor")
                print(table(CONCURRENCY_HEAD, rows), end="\n\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
