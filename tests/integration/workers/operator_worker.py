"""One operator of the multi-process tests: applies `count` random actions and refunds to a
few shared orders through `orderwf.service.orders.apply`, each with its own idempotency key, and
writes what each one reported to a JSON file. Started by `test_concurrency.py`.

    python operator_worker.py URL WORKFLOW SEED COUNT ORDER_IDS(comma) OUT_JSON SYNC_DIR

It warms up (imports, first queries) before writing `SYNC_DIR/ready-SEED`, then waits for
`SYNC_DIR/go`, so that every operator really acts at the same time.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ACTIONS = [
    "process",
    "hold",
    "reopen",
    "cancel",
    "complete",
    "pay",
    "refund-lines",
    "refund-amount",
    "mark_refunded",
]


def params_for(kind: str, order: Any, rng: random.Random) -> tuple[str, dict[str, Any]]:
    if kind == "refund-lines":
        products = [line for line in order.lines if line.kind == "line_item"]
        line = rng.choice(products)
        restock = rng.choice(["true", "false"])
        return "refund", {"lines": [f"{line.id}=1"], "restock": restock}
    if kind == "refund-amount":
        return "refund", {"amount": rng.choice(["5.00", "7.50", "12.00"])}
    return kind, {}


def main(argv: list[str]) -> int:
    url, workflow, seed, count, ids, out, sync_dir = argv
    from orderwf.errors import OrderwfError
    from orderwf.service import orders as service_orders
    from orderwf.store import db
    from orderwf.workflow.loader import load_workflow

    engine = db.connect(url)
    wf = load_workflow(Path(workflow))
    rng = random.Random(int(seed))
    order_ids = [int(i) for i in ids.split(",")]
    service_orders.show(engine, order_ids[0])  # warm-up
    sync = Path(sync_dir)
    (sync / f"ready-{seed}").touch()
    deadline = time.monotonic() + 60
    while not (sync / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    results = []
    for i in range(int(count)):
        order_id = rng.choice(order_ids)
        kind = rng.choice(ACTIONS)
        action, params = params_for(kind, service_orders.show(engine, order_id), rng)
        key = f"op{seed}-{i}"
        try:
            service_orders.apply(engine, wf, order_id, action, params, actor=f"op{seed}", key=key)
            outcome, message = "ok", ""
        except OrderwfError as e:
            outcome, message = type(e).__name__, e.message
        results.append(
            {"key": key, "order": order_id, "action": action, "params": params,
             "outcome": outcome, "message": message}
        )  # fmt: skip
    Path(out).write_text(json.dumps(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
