"""One of several concurrent operators: for `seconds`, pick a random order of a shared pool,
read its status and apply the next action of the cycle pending → process → hold → reopen,
through `orderwf.service.apply` (one transaction, the order locked and re-checked). A refusal
because another process moved the order first is expected and counted.
Prints one JSON line: {"applied", "refused", "errors", "seconds"}.

    python bench/concurrent_child.py URL WORKFLOW SEED SECONDS FIRST_ID LAST_ID SYNC_DIR

Before timing, each process warms up (imports, compiled statements, templates) with a dry run,
writes `SYNC_DIR/ready-SEED`, and waits for `SYNC_DIR/go`: all start at once, warm.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

NEXT = {"pending": "process", "processing": "hold", "on-hold": "reopen"}


def main(argv: list[str]) -> int:
    url, workflow, seed, seconds, first, last, sync_dir = argv
    from orderwf import service
    from orderwf.errors import OrderwfError, Refused
    from orderwf.store import db
    from orderwf.workflow.loader import load_workflow

    engine = db.connect(url)
    wf = load_workflow(Path(workflow))
    rng = random.Random(int(seed))
    applied = refused = errors = 0
    for order_id in (int(first), int(last)):
        status = service.show(engine, order_id).status
        service.apply(engine, wf, order_id, NEXT.get(status, "reopen"), {}, actor="warm-up",
                      dry_run=True)  # fmt: skip
    sync = Path(sync_dir)
    (sync / f"ready-{seed}").touch()
    while not (sync / "go").exists():
        time.sleep(0.005)
    t0 = time.perf_counter()
    end = t0 + float(seconds)
    while time.perf_counter() < end:
        order_id = rng.randint(int(first), int(last))
        status = service.show(engine, order_id).status
        action = NEXT.get(status, "reopen")
        try:
            service.apply(engine, wf, order_id, action, {}, actor=f"p{seed}")
            applied += 1
        except Refused:
            refused += 1
        except OrderwfError:
            errors += 1
    elapsed = time.perf_counter() - t0
    print(
        json.dumps({"applied": applied, "refused": refused, "errors": errors, "seconds": elapsed})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
