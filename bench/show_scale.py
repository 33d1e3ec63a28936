"""`orderwf order show ID` as a cold process on 10,000 versus 1,000,000 orders: median of N
interleaved runs each, on orders spread over each database (target: 1M within 1.5× of 10k).

    python bench/show_scale.py [--small 10000] [--large 1000000] [--runs 9]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_db  # noqa: E402
from common import median_ms, orderwf_cmd, run_measured, table  # noqa: E402

TARGET = 1.5


def measure(sizes: list[int], runs: int, *, as_json: bool) -> dict[int, tuple[float, float]]:
    rng = random.Random(1)
    urls = {n: f"sqlite:///{make_db.build_sqlite(n)}" for n in sizes}
    extra = ["--json"] if as_json else []
    for n in sizes:  # warm-up: page cache, .pyc files, the validated-workflow cache
        run_measured([*orderwf_cmd(), "--db", urls[n], "order", "show", str(n), *extra])
    wall: dict[int, list[float]] = {n: [] for n in sizes}
    cpu: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(runs):
        for n in sizes:
            order_id = rng.randrange(1, n + 1)
            w, c = run_measured(
                [*orderwf_cmd(), "--db", urls[n], "order", "show", str(order_id), *extra]
            )
            wall[n].append(w)
            cpu[n].append(c)
    return {n: (median_ms(wall[n]), median_ms(cpu[n])) for n in sizes}


def report(small: int, large: int, runs: int) -> str:
    rows = []
    summary = []
    for as_json in (False, True):
        figures = measure([small, large], runs, as_json=as_json)
        label = "order show --json" if as_json else "order show"
        (ws, cs), (wl, cl) = figures[small], figures[large]
        rows.append([label, f"{ws:.0f}", f"{wl:.0f}", f"{wl / ws:.2f}", f"{cs:.0f}", f"{cl:.0f}"])
        rows[-1].append(f"{cl / cs:.2f}")
        verdict = "meets" if wl / ws <= TARGET else "MISSES"
        summary.append(f"{label}: {large:,}/{small:,} = {wl / ws:.2f} wall ({verdict} ≤ {TARGET}×)")
    head = [
        "command",
        f"wall ms {small:,}",
        f"wall ms {large:,}",
        "ratio",
        f"cpu ms {small:,}",
        f"cpu ms {large:,}",
        "ratio",
    ]
    return (
        f"cold order show, median of {runs} interleaved runs\n"
        + table(head, rows)
        + "\n"
        + "\n".join(summary)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    print(report(args.small, args.large, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
