"""Two operators on PostgreSQL, two source trees and the floor, interleaved: what
`bulk.py --only concurrency` measures for 2 operators, in rounds, so that two versions of
orderwf are compared under the same load.

    python bench/concurrency_ab.py --pg URL --tree A_SRC --tree B_SRC [--rounds 6] [--seconds 3]

Each round runs, on 50 shared orders and then on 50 orders each, the floor
(`concurrent_floor.py`) and both trees (`concurrent_child.py` with the tree's `src` first on
`PYTHONPATH`; which tree goes first alternates), each on a fresh copy of the 10,000-order
database. Reported per tree: the median transitions/s, client CPU a transition, and the
median of the rounds' ratios to the floor of the same round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import bulk


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pg", required=True)
    parser.add_argument("--tree", action="append", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    wfs = bulk.workflows()
    bulk.warm_cache(wfs)
    template = bulk.pg_template(args.pg, 10_000)
    trees = [str(t) for t in args.tree]
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in range(args.rounds):
        for sharing in ("shared", "distinct"):
            pools = [(1, 50)] * 2 if sharing == "shared" else [(1, 50), (51, 100)]
            order = trees if r % 2 == 0 else trees[::-1]
            for kind, tree in [("floor", "floor"), *(("orderwf", t) for t in order)]:
                db_url = bulk.pg_copy(args.pg, template, "bench_concurrency_ab")
                src = Path(tree) if kind == "orderwf" else None
                out = bulk.operators(kind, db_url, wfs["no email"], pools, args.seconds, src)
                rate = sum(o["applied"] for o in out) / max(o["seconds"] for o in out)
                steps = sum(o["applied"] + o["refused"] + o["errors"] for o in out)
                cpu = 1000 * sum(o["cpu"] for o in out) / steps
                runs.setdefault((sharing, tree), []).append((rate, cpu))
                print(
                    f"  round {r + 1} {sharing} {tree}: {rate:,.0f} /s, {cpu:.2f} ms",
                    file=sys.stderr,
                )
    for sharing in ("shared", "distinct"):
        floor = runs[(sharing, "floor")]
        for tree in ["floor", *trees]:
            each = runs[(sharing, tree)]
            ratios = [a[0] / b[0] for a, b in zip(each, floor, strict=True)]
            print(
                f"{sharing:8s} {tree}: {statistics.median(x[0] for x in each):,.0f} /s, "
                f"client {statistics.median(x[1] for x in each):.2f} ms CPU a transition, "
                f"÷ floor {statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
