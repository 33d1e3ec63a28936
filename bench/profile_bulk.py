"""cProfile of `service.bulk.apply` in process, on a fresh SQLite file of N pending orders.

    python bench/profile_bulk.py [N] [--email] [--sort tottime|cumulative] [--limit 30]

Not a benchmark (cProfile inflates Python-heavy code): it shows where bulk time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=3000)
    parser.add_argument("--email", action="store_true", help="keep the default emails")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--no-profile", action="store_true", help="time only")
    args = parser.parse_args(argv)

    from orderwf.service import bulk, imports
    from orderwf.store import db
    from orderwf.workflow.loader import load_workflow

    wf = load_workflow(ROOT / "workflows" / "woocommerce.yaml")
    if not args.email:
        wf = dataclasses.replace(wf, emails={})
    with tempfile.TemporaryDirectory() as tmp:
        eng = db.connect(f"sqlite:///{tmp}/bulk.db")
        imports.import_products(
            eng,
            [
                {"id": 11, "sku": "TS", "name": "T", "price": "10", "manage_stock": True,
                 "stock_quantity": 10**6},
                {"id": 12, "sku": "M", "name": "M", "price": "5", "manage_stock": True,
                 "stock_quantity": 10**6},
            ],
        )  # fmt: skip
        orders = [
            {
                "id": i,
                "status": "pending",
                "currency": "EUR",
                "total": "25.00",
                "date_created": "2026-11-26T08:00:00",
                "billing": {"email": "c@x.test", "first_name": "A"},
                "line_items": [
                    {
                        "id": i * 10 + 1,
                        "product_id": 11,
                        "name": "T",
                        "quantity": 2,
                        "total": "20.00",
                    },
                    {
                        "id": i * 10 + 2,
                        "product_id": 12,
                        "name": "M",
                        "quantity": 1,
                        "total": "5.00",
                    },
                ],
                "shipping_lines": [{"id": i * 10 + 3, "method_title": "Flat", "total": "5.00"}],
            }  # fmt: skip
            for i in range(1, args.n + 1)
        ]
        imports.import_orders(eng, wf, orders)
        profile = cProfile.Profile()
        t0 = time.perf_counter()
        if not args.no_profile:
            profile.enable()
        report = bulk.apply(eng, wf, "process", {}, actor="bench", status="pending")
        profile.disable()
        seconds = time.perf_counter() - t0
        eng.dispose()
    print(f"{report.applied} applied, {len(report.refused)} refused, "
          f"{report.applied / seconds:,.0f} orders/s")  # fmt: skip
    if not args.no_profile:
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
