"""One of several concurrent operators: for `seconds`, pick a random order of a shared pool,
read its status and apply the next action of the cycle pending → process → hold → reopen,
through `orderwf.service.orders.apply` (one transaction, the order locked and re-checked). A refusal
because another process moved the order first is expected and counted.
Prints one JSON line: {"applied", "refused", "errors", "seconds", "cpu", "statements"}: `cpu`
is this process's CPU time over the timed loop; `statements` is counted afterwards, over 50
more steps with psycopg's `execute`/`executemany` wrapped (so the count costs the timed loop
nothing), and scaled to the timed loop's steps.

    python bench/concurrent_child.py URL WORKFLOW SEED SECONDS FIRST_ID LAST_ID SYNC_DIR

Before timing, each process warms up (imports, compiled statements, templates) with a dry run,
writes `SYNC_DIR/ready-SEED`, and waits for `SYNC_DIR/go`: all start at once, warm.

The cycle collector runs as under the `orderwf` command (and as in `concurrent_floor.py`):
paused for start-up (`cli.app.main`), then what start-up loaded frozen and collection resumed
for the loop (`cli.common.long_running`, what a command that loops over many orders does).
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

NEXT = {"pending": "process", "processing": "hold", "on-hold": "reopen"}


def main(argv: list[str]) -> int:
    url, workflow, seed, seconds, first, last, sync_dir = argv
    gc.disable()
    from orderwf.errors import OrderwfError, Refused
    from orderwf.service import orders
    from orderwf.store import db
    from orderwf.workflow.loader import load_workflow

    engine = db.connect(url)
    wf = load_workflow(Path(workflow))
    rng = random.Random(int(seed))
    for order_id in (int(first), int(last)):
        status = orders.show(engine, order_id).status
        orders.apply(engine, wf, order_id, NEXT.get(status, "reopen"), {}, actor="warm-up",
                      dry_run=True)  # fmt: skip
    gc.freeze()
    gc.enable()
    sync = Path(sync_dir)
    (sync / f"ready-{seed}").touch()
    while not (sync / "go").exists():
        time.sleep(0.005)

    def step() -> str:
        order_id = rng.randint(int(first), int(last))
        # The operator looks at the status alone: the order's row, no other part (as the floor).
        status = orders.show(engine, order_id, parts=()).status
        action = NEXT.get(status, "reopen")
        try:
            orders.apply(engine, wf, order_id, action, {}, actor=f"p{seed}")
            return "applied"
        except Refused:
            return "refused"
        except OrderwfError:
            return "errors"

    counts = {"applied": 0, "refused": 0, "errors": 0}
    t0, c0 = time.perf_counter(), time.process_time()
    end = t0 + float(seconds)
    while time.perf_counter() < end:
        counts[step()] += 1
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    statements = count_statements(step, 50) * sum(counts.values()) / 50
    print(json.dumps({**counts, "seconds": elapsed, "cpu": cpu, "statements": statements}))
    return 0


def count_statements(step: Callable[[], object], steps: int) -> int:
    """Statements sent by `steps` more steps: psycopg's execute and executemany wrapped (an
    executemany, or a statement sent in a pipeline, counts once), and the connection's
    `commit` and `rollback` when they send one (a transaction is open), as the floor counts
    its `BEGIN` and its `COMMIT` or `ROLLBACK`."""
    import psycopg

    idle = psycopg.pq.TransactionStatus.IDLE
    count = 0
    patched = []

    def counting(original: Any, ends_a_transaction: bool) -> Any:
        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal count
            if not ends_a_transaction or self.info.transaction_status != idle:
                count += 1
            return original(self, *args, **kwargs)

        return counted

    # Connection.execute goes through a cursor's execute.
    for cls, name, ends in (
        (psycopg.Cursor, "execute", False),
        (psycopg.Cursor, "executemany", False),
        (psycopg.Connection, "commit", True),
        (psycopg.Connection, "rollback", True),
    ):
        original = getattr(cls, name)
        patched.append((cls, name, original))
        setattr(cls, name, counting(original, ends))
    try:
        for _ in range(steps):
            step()
    finally:
        for cls, name, original in patched:
            setattr(cls, name, original)
    return count


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
