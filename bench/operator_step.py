"""One operator's step on PostgreSQL (look at an order's status, then apply the next action of
`concurrent_child.py`'s cycle), in process: the client's CPU and its server process's CPU per
step, for one or two source trees, interleaved.

    python bench/operator_step.py --pg URL [--tree A_SRC --tree B_SRC] [--rounds 8] [--steps 1000]
        [--workflow "no email"|"1 email"] [--notes N]

Each round runs one child per tree (in turn, the order alternating), on its own copy of the
10,000-order database: the child warms up (100 steps), then times `--steps` steps with the
collector frozen as in `concurrent_child.py`, and reads its server process's CPU from
`/proc/PID/stat` (the server runs on this machine) before and after. Reported: medians, and
with two trees the median of the per-round ratios B ÷ A. One process alone on the server: no
lock waits, so it measures the work of a step, not its contention (`bulk.py --only
concurrency` does that).

A tree is a `src` folder put first on `PYTHONPATH` (default: this checkout's). `--workflow`:
`bulk.py`'s no-email workflow (default) or its one-email one (`process` sends
customer_processing_order); `--notes N` gives each of the 50 orders N private notes first,
the history a shop's orders carry.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import bulk
import make_db
from common import ROOT, env


def child(url: str, workflow: str, steps: int) -> dict[str, float]:
    import gc
    import random
    import time

    gc.disable()
    from orderwf.errors import Refused
    from orderwf.service import orders
    from orderwf.store import db
    from orderwf.workflow.loader import load_workflow

    nxt = {"pending": "process", "processing": "hold", "on-hold": "reopen"}
    engine = db.connect(url)
    wf = load_workflow(Path(workflow))
    rng = random.Random(1)

    def step() -> None:
        order_id = rng.randint(1, 50)
        status = orders.show(engine, order_id, parts=()).status
        with contextlib.suppress(Refused):
            orders.apply(engine, wf, order_id, nxt.get(status, "reopen"), {}, actor="bench")

    def server_cpu() -> float:
        with engine.connect() as conn:
            pids = [
                row[0]
                for row in conn.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                )
            ]
        total = 0.0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    for _ in range(100):
        step()
    gc.freeze()
    gc.enable()
    s0, c0, t0 = server_cpu(), time.process_time(), time.perf_counter()
    for _ in range(steps):
        step()
    c1, t1 = time.process_time(), time.perf_counter()
    s1 = server_cpu()
    return {
        "client_ms": 1000 * (c1 - c0) / steps,
        "server_ms": 1000 * (s1 - s0) / steps,
        "wall_ms": 1000 * (t1 - t0) / steps,
    }


def run_child(src: Path, url: str, steps: int, workflow: str) -> dict[str, float]:
    environ = env()
    environ["PYTHONPATH"] = os.pathsep.join([str(src), str(ROOT / "bench")])
    out = subprocess.run(
        [sys.executable, __file__, "--child", url, str(bulk.workflows()[workflow]), str(steps)],
        env=environ,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"{src}: the child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def add_notes(url: str, per_order: int) -> None:
    """`per_order` private notes on each of the orders the child cycles (1–50)."""
    import psycopg

    with psycopg.connect(make_db.pg_dsn(url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO order_note (order_id, note, customer_note, author, created_at)"
            " SELECT o, 'Called the customer about the delivery date.', false, 'admin', now()"
            " FROM generate_series(1, 50) AS o, generate_series(1, %s) AS n",
            (per_order,),
        )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], argv[2], int(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", required=True)
    parser.add_argument("--tree", action="append", type=Path)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--workflow", choices=["no email", "1 email"], default="no email")
    parser.add_argument("--notes", type=int, default=0, help="private notes per order first")
    args = parser.parse_args(argv)
    trees = args.tree or [ROOT / "src"]
    template = bulk.pg_template(args.pg, 10_000)
    results: list[list[dict[str, float]]] = [[] for _ in trees]
    for r in range(args.rounds):
        order = list(range(len(trees)))
        if r % 2:
            order.reverse()
        for i in order:
            db_url = bulk.pg_copy(args.pg, template, "bench_operator_step")
            if args.notes:
                add_notes(db_url, args.notes)
            results[i].append(run_child(trees[i], db_url, args.steps, args.workflow))
            print(f"  round {r + 1} tree {i}: {results[i][-1]}", file=sys.stderr)
    for tree, runs in zip(trees, results, strict=True):
        med = {k: statistics.median(run[k] for run in runs) for k in runs[0]}
        print(
            f"{tree}: client {med['client_ms']:.3f} ms CPU, server {med['server_ms']:.3f} ms "
            f"CPU, wall {med['wall_ms']:.3f} ms a step (median of {len(runs)})"
        )
    if len(trees) == 2:
        for key in ("client_ms", "server_ms"):
            ratios = [b[key] / a[key] for a, b in zip(results[0], results[1], strict=True)]
            print(
                f"B ÷ A, {key[:-3]} CPU: {statistics.median(ratios):.3f} "
                f"(rounds {min(ratios):.3f}–{max(ratios):.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
